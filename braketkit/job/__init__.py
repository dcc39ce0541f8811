"""Stage 5, job: a handle on a job for its whole life.

``LocalJob`` (``local.py``) is a job run on this machine (``braketkit run --local``,
``train.local()``); ``AwsJob`` (``cloud.py``) a job on Amazon Braket, with the same methods.
"""

from __future__ import annotations

from ..errors import DamagedResults, JobFailed, PickledResults, ResultsError, UnsafeArchive
from ..model.job import R
from .cloud import AwsJob, find_job
from .info import Field
from .local import LocalJob, fields_text, return_annotation, summary, summary_html, summary_text
from .results import read_results

__all__ = ["AwsJob", "DamagedResults", "Field", "Job", "JobFailed", "LocalJob", "PickledResults", "ResultsError",
           "UnsafeArchive", "fields_text", "find_job", "read_results", "return_annotation", "summary",
           "summary_html", "summary_text"]

Job = LocalJob[R] | AwsJob[R]
"""Either kind of job handle: both offer state, wait, logs, result. ``Job[R]``: ``result()`` is an ``R``."""
