"""The Braket SDK's job objects, ``AwsQuantumJob`` and ``LocalQuantumJob``, over braketkit's handles.

Code written for the SDK calls ``job.state()``, ``job.result()``, ``job.download_result("out")``,
``job.logs()``, ``job.metrics()``, ``job.arn``, ``job.name``: each does here what it does there, with
braketkit's guarantees underneath (results checked before anything is extracted, pickles read only when asked
and planned). The braketkit handle is ``job.job``, for all it offers beyond (``show``, ``rerun``, ``plot``...).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from logging import Logger, getLogger
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..errors import InvalidInput, Problem
from ..terminal import on_terminal
from .keywords import checked_call, gateway

if TYPE_CHECKING:
    from ..job import AwsJob, Job, LocalJob

__all__ = ["AwsQuantumJob", "LocalQuantumJob", "QueueInfo", "data_dictionary", "sdk_job"]

TERMINAL_STATES = ("COMPLETED", "FAILED", "CANCELLED")
DEFAULT_RESULTS_POLL_TIMEOUT = 864000.0
"""The Braket SDK's: ten days."""
DEFAULT_RESULTS_POLL_INTERVAL = 5.0
_CREATE_LOGGER = getLogger("braket.aws.aws_quantum_job")
"""The SDK's default ``logger`` of ``create``: one given other than it receives braketkit's warnings."""


class QueueInfo(NamedTuple):
    """What ``queue_position()`` gives, as the SDK's ``HybridJobQueueInfo``: a position while queued, else a message."""

    queue_position: str | None
    message: str | None


def data_dictionary(value: Any) -> dict[str, Any]:
    """What the function returned, as the SDK's ``result()`` gives it: the results' data dictionary. A dict of
    strings is it; another value sits under ``"result"`` (as ``save_job_result`` keeps it); nothing is ``{}``."""
    if value is None:
        return {}
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        return value
    return {"result": value}


def _wait(state: Callable[[], str], timeout: float, poll: float, name: str) -> str:
    """Poll ``state`` until the job ends; ``TimeoutError`` after ``timeout`` seconds, in the SDK's words."""
    deadline = time.monotonic() + timeout
    while (found := state()) not in TERMINAL_STATES:
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{name}: Polling for job completion timed out after {timeout} seconds.")
        time.sleep(poll)
    return found


class _SdkJob:
    """What both of the SDK's job objects answer alike, over braketkit's handle ``job``."""

    TERMINAL_STATES = TERMINAL_STATES
    job: Job[Any]

    @property
    def name(self) -> str:
        """The job's name."""
        return self.job.name

    def metrics(self, metric_type: object = "timestamp", statistic: object = "max") -> dict[str, list[Any]]:
        """What the job logged with ``log_metric``, as the SDK's ``metrics()`` gives it: a column per name.

        Args:
            metric_type: The row key: ``"timestamp"`` or ``"iteration_number"`` (the SDK's ``MetricType``
                members too).
            statistic: Which value a row keeps where several lines share it: ``"max"`` or ``"min"`` (the SDK's
                ``MetricStatistic`` too).
        """
        return self.job.metrics(metric_type, statistic)

    def _result(self, allow_pickle: bool) -> dict[str, Any]:
        return data_dictionary(self.job.result(allow_pickle=allow_pickle))


class AwsQuantumJob(_SdkJob):
    """A hybrid job on Amazon Braket, as the Braket SDK's ``AwsQuantumJob`` is.

    Args:
        arn: The job's ARN.
        aws_session: The SDK's ``AwsSession`` (its boto3 session is used), or None for braketkit's.
        quiet: Say less while waiting.
        job: braketkit's handle on the job, when braketkit just created it.
    """

    def __init__(self, arn: str, aws_session: Any = None, quiet: bool = False, *,
                 job: AwsJob[Any] | None = None) -> None:
        from ..job import AwsJob

        self.job: AwsJob[Any] = job if job is not None else AwsJob(arn, aws=gateway(aws_session))
        """The braketkit handle underneath: ``show``, ``rerun``, ``plot`` and the rest."""
        self._quiet = quiet

    @classmethod
    @checked_call("AwsQuantumJob.create")
    def create(cls, device: str, source_module: str, entry_point: str | None = None, image_uri: str | None = None,
               job_name: str | None = None, code_location: str | None = None, role_arn: str | None = None,
               wait_until_complete: bool = False, hyperparameters: dict[str, Any] | None = None,
               input_data: Any = None, instance_config: Any = None, distribution: str | None = None,
               stopping_condition: Any = None, output_data_config: Any = None,
               copy_checkpoints_from_job: str | None = None, checkpoint_config: Any = None, aws_session: Any = None,
               tags: dict[str, str] | None = None, logger: Logger = _CREATE_LOGGER, quiet: bool = False,
               reservation_arn: str | None = None) -> AwsQuantumJob | LocalQuantumJob:
        """Create a script job on Amazon Braket, as the SDK's ``AwsQuantumJob.create`` does, keyword for keyword.

        The keywords it shares with ``hybrid_job`` mean what they mean there (docs/migration.md). With the setting
        ``local = true`` (a profile, ``BRAKETKIT_LOCAL``) the job runs here instead, and its handle is a
        ``LocalQuantumJob``.

        Args:
            device: The device ARN, an alias (``sv1``), ``local:<provider>/<name>``, or a ``Devices`` member.
            source_module: A script or a folder of them, from the working directory: it ships alone (a folder
                as ``folder/...``).
            entry_point: ``folder.module`` (run as ``python -m``) or ``folder.module:function`` (called with the
                hyperparameters); default: the file's or folder's name.
            image_uri: The container image.
            job_name: The job's name; default: the entry's name and a timestamp.
            code_location: An S3 prefix: its bucket and prefix are where braketkit keeps sources
                (content-addressed, ``<prefix>/sources/<sha256>/``).
            role_arn: The IAM role the job runs as.
            wait_until_complete: Print the job's log until it ends.
            hyperparameters: The job's hyperparameters, each as its ``str``.
            input_data: Input channels: a path or URI (the channel ``input``), a dict of them, an
                ``S3DataSourceConfig``.
            instance_config: The instances (``InstanceConfig``).
            distribution: ``"data_parallel"``.
            stopping_condition: The longest the job may run (``StoppingCondition``).
            output_data_config: Where outputs go (``OutputDataConfig``).
            copy_checkpoints_from_job: A job whose checkpoints this one starts from.
            checkpoint_config: Where checkpoints are (``CheckpointConfig``).
            aws_session: The SDK's ``AwsSession`` to call AWS through.
            tags: The job's tags.
            logger: Where braketkit's warnings go.
            quiet: Say less.
            reservation_arn: A Braket Direct reservation to run in.
        """
        from .create import create

        native, wait = create(local=False, device=device, source_module=source_module, entry_point=entry_point,
                              image_uri=image_uri, job_name=job_name, code_location=code_location, role_arn=role_arn,
                              wait_until_complete=wait_until_complete, hyperparameters=hyperparameters,
                              input_data=input_data, instance_config=instance_config, distribution=distribution,
                              stopping_condition=stopping_condition, output_data_config=output_data_config,
                              copy_checkpoints_from_job=copy_checkpoints_from_job, checkpoint_config=checkpoint_config,
                              aws_session=aws_session, tags=tags, logger=None if logger is _CREATE_LOGGER else logger,
                              quiet=quiet, reservation_arn=reservation_arn)
        return sdk_job(native, wait, quiet)

    @property
    def arn(self) -> str:
        """The job's ARN."""
        return self.job.arn

    def state(self, use_cached_value: bool = False) -> str:
        """The job's status, as GetJob says it.

        Args:
            use_cached_value: The status GetJob said last, if any, rather than asking again.
        """
        return str(self.metadata(use_cached_value)["status"])

    def metadata(self, use_cached_value: bool = False) -> dict[str, Any]:
        """GetJob's answer.

        Args:
            use_cached_value: The answer at hand, if any, rather than asking again.
        """
        return self.job.metadata(refresh=not use_cached_value)

    def queue_position(self) -> QueueInfo:
        """Where the job is in its queue while it is queued; else a message saying there is none to show."""
        info = self.job.info()
        if info.state == "QUEUED" and info.queue_position is not None:
            return QueueInfo(str(info.queue_position), None)
        return QueueInfo(None, f"Job is in {info.state} status. AmazonBraket does not show queue position for "
                               "this status.")

    def logs(self, wait: bool = False, poll_interval_seconds: float = 5) -> None:
        """Print the job's log, every instance's lines in time order, as the SDK's ``logs()`` prints it.

        Args:
            wait: Keep printing until the job ends.
            poll_interval_seconds: Seconds between reads while waiting.
        """
        for line in self.job.logs(follow=wait, poll=poll_interval_seconds):
            print(on_terminal(line))

    def cancel(self) -> str:
        """Ask the service to cancel the job; returns the cancellation status."""
        return self.job.cancel()

    def result(self, poll_timeout_seconds: float = DEFAULT_RESULTS_POLL_TIMEOUT,
               poll_interval_seconds: float = DEFAULT_RESULTS_POLL_INTERVAL,
               allow_pickle: bool = False) -> dict[str, Any]:
        """The job's results' data dictionary, once it ends, as the SDK's ``result()`` gives it: the function's
        ``dict``, any other value under ``"result"``, ``{}`` when it returned nothing.

        Read straight from the results archive, checked first. A failed or cancelled job raises ``JobFailed``
        with its failure reason and the tail of its log.

        Args:
            poll_timeout_seconds: The longest to wait for the job to end; then ``TimeoutError``.
            poll_interval_seconds: Seconds between checks while waiting.
            allow_pickle: Read pickled results, for a job planned to pickle them (``data_format="pickle"``):
                unpickling runs the code they hold.
        """
        _wait(self.state, poll_timeout_seconds, poll_interval_seconds, self.name)
        return self._result(allow_pickle)

    def download_result(self, extract_to: str | None = None,
                        poll_timeout_seconds: float = DEFAULT_RESULTS_POLL_TIMEOUT,
                        poll_interval_seconds: float = DEFAULT_RESULTS_POLL_INTERVAL) -> None:
        """Download the results once the job ends and extract them into ``extract_to/<job name>``, safely and all
        or nothing; a folder of that name must not hold anything yet.

        Args:
            extract_to: The folder to extract into; default: the working directory.
            poll_timeout_seconds: The longest to wait for the job to end; then ``TimeoutError``.
            poll_interval_seconds: Seconds between checks while waiting.
        """
        _wait(self.state, poll_timeout_seconds, poll_interval_seconds, self.name)
        self.job.download(extract_to or Path.cwd())

    def __repr__(self) -> str:
        return f"AwsQuantumJob('arn':'{self.arn}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AwsQuantumJob) and self.arn == other.arn

    def __hash__(self) -> int:
        return hash(self.arn)


class LocalQuantumJob(_SdkJob):
    """A hybrid job run on this machine, as the Braket SDK's ``LocalQuantumJob`` is: ended once it is made.

    Args:
        arn: ``local:job/<name>``, as the SDK names a local job (or the job's name, or its folder).
        run_log: Not used: the job's log is in its folder.
        job: braketkit's handle on the job, when braketkit just ran it.
    """

    def __init__(self, arn: str, run_log: str | None = None, *, job: LocalJob[Any] | None = None) -> None:
        from ..job import LocalJob
        from ..workspace import LOCAL_JOB_PREFIX, jobs_folder, project_root

        if job is None:
            name = arn.removeprefix(LOCAL_JOB_PREFIX)
            folder = Path(name) if Path(name).is_dir() else jobs_folder(project_root(Path.cwd())) / name
            if not (folder / "job.json").is_file():
                raise InvalidInput([Problem(f"no local job {name!r} in {folder.parent}", "arn")])
            job = LocalJob(folder)
        self.job: LocalJob[Any] = job
        """The braketkit handle underneath: its folder, ``show``, ``rerun`` and the rest."""

    @classmethod
    @checked_call("LocalQuantumJob.create")
    def create(cls, device: str, source_module: str, entry_point: str | None = None, image_uri: str | None = None,
               job_name: str | None = None, code_location: str | None = None, role_arn: str | None = None,
               hyperparameters: dict[str, Any] | None = None, input_data: Any = None,
               output_data_config: Any = None, checkpoint_config: Any = None, aws_session: Any = None,
               local_container_update: bool = True) -> LocalQuantumJob:
        """Run a script job on this machine, as the SDK's ``LocalQuantumJob.create`` does keyword for keyword, but
        without Docker: the container's layout and variables, this machine's Python and packages. Returns once
        the job has ended.

        Args:
            device: The device ARN, an alias (``sv1``), ``local:<provider>/<name>``, or a ``Devices`` member.
            source_module: A script or a folder of them, from the working directory.
            entry_point: ``folder.module`` or ``folder.module:function``; default: the file's or folder's name.
            image_uri: The container image the cloud would run (recorded; nothing runs in it here).
            job_name: The job's name.
            code_location: An S3 prefix: the bucket and prefix of the job's settings.
            role_arn: The IAM role (recorded).
            hyperparameters: The job's hyperparameters, each as its ``str``.
            input_data: Input channels, as for ``AwsQuantumJob.create``.
            output_data_config: Where outputs would go (``OutputDataConfig``).
            checkpoint_config: Where checkpoints are (``CheckpointConfig``).
            aws_session: The SDK's ``AwsSession``, for input channels in S3.
            local_container_update: Nothing to update: there is no container.
        """
        from .create import create

        native, _ = create(local=True, device=device, source_module=source_module, entry_point=entry_point,
                           image_uri=image_uri, job_name=job_name, code_location=code_location, role_arn=role_arn,
                           hyperparameters=hyperparameters, input_data=input_data,
                           output_data_config=output_data_config, checkpoint_config=checkpoint_config,
                           aws_session=aws_session)
        return cast(LocalQuantumJob, sdk_job(native))  # local: run here, always

    @property
    def arn(self) -> str:
        """``local:job/<name>``, as the SDK names a local job."""
        from ..workspace import LOCAL_JOB_PREFIX

        return f"{LOCAL_JOB_PREFIX}{self.name}"

    @property
    def run_log(self) -> str:
        """Everything the job printed."""
        return "".join(f"{line}\n" for line in self.job.logs())

    def state(self, use_cached_value: bool = False) -> str:
        """``COMPLETED``, ``FAILED`` or ``CANCELLED``: a local job has ended once it is made.

        Args:
            use_cached_value: Nothing to cache: the job's record says it.
        """
        return self.job.state()

    def metadata(self, use_cached_value: bool = False) -> dict[str, Any]:
        """What the job's record (``job.json``) says of it.

        Args:
            use_cached_value: Nothing to cache: the record is read.
        """
        from ..converter import converter

        document: dict[str, Any] = converter.unstructure(self.job.metadata())
        return document

    def cancel(self) -> str:
        """A local job has ended once it is made: nothing to cancel; returns its state."""
        return self.state()

    def logs(self, wait: bool = False, poll_interval_seconds: float = 5) -> None:
        """Print the job's log.

        Args:
            wait: Nothing to wait for: the job has ended.
            poll_interval_seconds: Not used.
        """
        for line in self.job.logs():
            print(on_terminal(line))

    def result(self, poll_timeout_seconds: float = DEFAULT_RESULTS_POLL_TIMEOUT,
               poll_interval_seconds: float = DEFAULT_RESULTS_POLL_INTERVAL,
               allow_pickle: bool = False) -> dict[str, Any]:
        """The job's results' data dictionary, as the SDK's ``result()`` gives it (see ``AwsQuantumJob.result``).

        Args:
            poll_timeout_seconds: Not used: the job has ended.
            poll_interval_seconds: Not used.
            allow_pickle: Read pickled results, for a job planned to pickle them (``data_format="pickle"``).
        """
        return self._result(allow_pickle)

    def download_result(self, extract_to: str | None = None, poll_timeout_seconds: float = 0,
                        poll_interval_seconds: float = 0) -> None:
        """Copy the job's results folder to ``extract_to/<job name>``, which must not hold anything yet.

        Args:
            extract_to: The folder to copy into; default: the working directory.
            poll_timeout_seconds: Not used: the job has ended.
            poll_interval_seconds: Not used.
        """
        from ..job.extract import refuse_existing_target

        target = Path(extract_to or Path.cwd()) / self.name
        refuse_existing_target(target, f"the results of job {self.name}")
        shutil.copytree(self.job.folder / "model", target, symlinks=True, dirs_exist_ok=True)

    def __repr__(self) -> str:
        return f"LocalQuantumJob('arn':'{self.arn}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LocalQuantumJob) and self.job.folder == other.job.folder

    def __hash__(self) -> int:
        return hash(self.job.folder)


def sdk_job(job: Job[Any], wait: bool = False, quiet: bool = False) -> AwsQuantumJob | LocalQuantumJob:
    """The SDK's handle on a job braketkit made: a ``LocalQuantumJob`` for a run here (``local = true`` reaches code
    written for the cloud too), else an ``AwsQuantumJob``.

    Args:
        job: braketkit's handle on it.
        wait: Print a cloud job's log until it ends, as the SDK's ``wait_until_complete`` does.
        quiet: Say less while waiting.
    """
    from ..job import AwsJob

    if not isinstance(job, AwsJob):
        return LocalQuantumJob(job.folder.name, job=job)
    handle = AwsQuantumJob(job.arn, job=job, quiet=quiet)
    if wait:
        print(f"Initializing Braket Job: {job.arn}")
        handle.logs(wait=True, poll_interval_seconds=job.poll)
    return handle
