"""The job-side runtime: shipped inside every archive as ``braketkit_runtime``.

Standard library only. It is the only braketkit code that runs on the job's
side, in Braket's container or in a local run, under any Python from 3.10 on.
"""
