"""A sweep: one job per call of ``train.map(...)``, submitted at the service's pace, and never a job lost.

Every call is planned before any is sent (``decorator.run_many``), each with its own job name and client
token and the ``braketkit:sweep`` tag. The first call goes alone (it uploads the archive), the rest
``max_workers`` at a time; every CreateJob waits for its token (``execute.pacing``). When the service
refuses a call for its quota of concurrent jobs, the sweep waits for one of its own jobs to end and
sends that call again, under the same client token, one call at a time from then on (``QuotaGate``).
A real error stops the sweep: calls not yet sent stay unsent, calls in flight finish, and every job
created is handed back in ``SweepFailed``; Ctrl-C does the same with ``SweepInterrupted``.
"""

from __future__ import annotations

import contextlib
import itertools
import sys
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, overload

import attrs

from .errors import BraketkitError, LocalRunCancelled, SubmissionInterrupted, SweepFailed, SweepInterrupted
from .model.job import TERMINAL_STATES, R

if TYPE_CHECKING:
    from collections.abc import Callable

    from .aws import Aws
    from .execute.progress import StatusLine
    from .execute.retry import RetryPolicy
    from .job import AwsJob, Job
    from .plan import Plan

__all__ = ["RETRY_EVERY", "Call", "QuotaGate", "Sweep", "carry_out"]

RETRY_EVERY = 6
"""While waiting for the quota, CreateJob is sent again at every this many checks even if none of the sweep's own
jobs has ended: jobs outside the sweep hold the quota too, and their end is not seen."""


@attrs.frozen(kw_only=True)
class Call:
    """One call of a sweep: its place in the sweep, its arguments, and the plan (with its client token)."""

    index: int
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    plan: Plan


class Sweep(Sequence["Job[R]"], Generic[R]):
    """The jobs of ``train.map(...)``, in call order: a sequence of job handles, used like a list.

    Generic in what the function returns: ``train.map(...)`` is a ``Sweep[R]`` of ``Job[R]``.

    ``id`` is the value of the ``braketkit:sweep`` tag on each of its jobs (``braketkit list --sweep ID``).
    A sweep that stopped early (an error, Ctrl-C) holds every job it created: ``pending`` are the calls
    that have no job, ``errors`` why (by call index, where there was an error), ``job(index)`` the job of a
    call or None, and ``resume()`` submits the pending calls under their own client tokens, so a call
    whose CreateJob may have gone through gets that job, never a second one.

    Args:
        id: The sweep's id, the value of its jobs' ``braketkit:sweep`` tag.
        calls: The calls, planned, in call order.
        local: The calls run on this machine rather than on Amazon Braket.
        function: The decorated function, for typed results of the jobs.
        aws: The AWS gateway its calls are submitted and its jobs watched through; default: the process's.
    """

    def __init__(self, id: str, calls: Sequence[Call], *, local: bool,
                 function: Callable[..., R] | None = None, aws: Aws | None = None) -> None:
        self.id = id
        self.calls = list(calls)
        self.local = local
        self.errors: dict[int, BaseException] = {}
        """Why a call has no job: the error that refused it, or the interruption that left it unsure."""
        self._function = function
        self._aws = aws
        self._jobs: dict[int, Job[R]] = {}
        self._lock = threading.Lock()

    @property
    def region(self) -> str | None:
        return self.calls[0].plan.region if self.calls and not self.local else None

    @property
    def pending(self) -> list[Call]:
        """The calls without a job, in call order."""
        with self._lock:
            return [call for call in self.calls if call.index not in self._jobs]

    def job(self, index: int) -> Job[R] | None:
        """The job of a call, None if it has none (yet).

        Args:
            index: The call's place in the sweep, from 0, as ``map`` was given the calls.
        """
        with self._lock:
            return self._jobs.get(index)

    def _created(self) -> list[Job[R]]:
        with self._lock:
            return [self._jobs[index] for index in sorted(self._jobs)]

    def _add(self, index: int, job: Job[R]) -> None:
        with self._lock:
            self._jobs[index] = job
            self.errors.pop(index, None)

    @overload
    def __getitem__(self, index: int) -> Job[R]: ...

    @overload
    def __getitem__(self, index: slice) -> list[Job[R]]: ...

    def __getitem__(self, index: int | slice) -> Job[R] | list[Job[R]]:
        return self._created()[index]

    def __len__(self) -> int:
        with self._lock:
            return len(self._jobs)

    def __repr__(self) -> str:
        left = len(self.calls) - len(self)
        return f"<Sweep {self.id}: {len(self)} jobs" + (f", {left} calls without a job>" if left else ">")

    def resume(self, max_workers: int = 8) -> Sweep[R]:
        """Submit the pending calls (all of them, for a new sweep); returns the sweep, now with their jobs.

        Raises ``SweepFailed`` or ``SweepInterrupted``, each holding this sweep, if it stops early again.

        Args:
            max_workers: How many submissions may be on their way at once.
        """
        carry_out(self, max_workers=max_workers)
        return self


def report(sweep: Sweep, what: str) -> str:
    """The jobs a sweep created, what became of the other calls, and how to find them again."""
    created = {call.index: sweep.job(call.index) for call in sweep.calls}
    lines = [f"sweep {sweep.id} {what}: {len(sweep)} of {len(sweep.calls)} calls have a job."]
    if len(sweep):
        lines.append("jobs created (call: name):")
        lines += [f"  {index}: {job.name}" for index, job in created.items() if job is not None]
    for index, error in sorted(sweep.errors.items()):
        lines.append(f"call {index}: {error}")
    unsent = [call.index for call in sweep.pending if call.index not in sweep.errors]
    if unsent:
        lines.append(f"not sent: {_spans(unsent)}.")
    where = "--local" if sweep.local else f"--region {sweep.region}"
    if len(sweep) or sweep.errors:  # an unsure call's job may be listed too
        lines.append(f"Find its jobs with: braketkit list --sweep {sweep.id} {where}")
    if sweep.pending:
        lines.append(f"In Python, .sweep of this exception holds them; .sweep.resume() submits the "
                     f"{len(sweep.pending)} calls without a job, each under its own client token (so never a second "
                     "job).")
    return "\n".join(lines)


def _spans(indices: Sequence[int]) -> str:
    """``calls 3-5, 9``: call indices as runs."""
    runs = []
    for _, group in itertools.groupby(enumerate(indices), lambda pair: pair[1] - pair[0]):
        members = [index for _, index in group]
        runs.append(str(members[0]) if len(members) == 1 else f"{members[0]}-{members[-1]}")
    return ("call " if len(indices) == 1 else "calls ") + ", ".join(runs)


def carry_out(sweep: Sweep, max_workers: int = 8) -> None:
    """Submit the sweep's pending calls, here or on Amazon Braket; SweepFailed or SweepInterrupted if it stops."""
    if sweep.local:
        _run_locally(sweep)
    elif sweep.pending:
        _Submitter(sweep).run(max_workers)


def _run_locally(sweep: Sweep) -> None:
    """One local run after the other; Ctrl-C cancels the one running (it is kept, CANCELLED) and stops the rest."""
    from .execute.local import run_local

    for call in sweep.pending:
        try:
            sweep._add(call.index, run_local(call.plan, sweep._function, echo=sys.stdout))
        except LocalRunCancelled as cancelled:
            sweep._add(call.index, cancelled.job)
            raise SweepInterrupted(report(sweep, "interrupted"), sweep) from None
        except KeyboardInterrupt:
            raise SweepInterrupted(report(sweep, "interrupted"), sweep) from None
        except BraketkitError as error:
            sweep.errors[call.index] = error
            raise SweepFailed(report(sweep, "stopped"), sweep, error) from error


class QuotaGate:
    """Once the service has refused a call of the sweep for its quota, the sweep's calls go one at a time,
    in call order.

    The one whose turn it is waits for room (a job ending) when refused, so the others do not each
    spend a CreateJob on a quota that is still full; when it gets its job, the next one tries at once.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._hit = False
        self._busy = False
        self._waiting: set[int] = set()

    def hit(self) -> None:
        with self._changed:
            self._hit = True

    @contextlib.contextmanager
    def turn(self, index: int) -> Iterator[bool]:
        """Call ``index``'s turn to send; True: alone (the quota has been hit), so a refusal is its own to wait out."""
        with self._changed:
            self._waiting.add(index)
            while self._hit and (self._busy or index != min(self._waiting)):
                self._changed.wait()
            self._waiting.discard(index)
            alone = self._hit
            self._busy = self._busy or alone
            self._changed.notify_all()  # the next in line may be another
        try:
            yield alone
        finally:
            if alone:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()


class _Submitter:
    """Carries out one run of a cloud sweep: its threads, its stop signal, its quota gate and its status line."""

    def __init__(self, sweep: Sweep) -> None:
        from .execute.progress import StatusLine
        from .execute.retry import RetryPolicy

        self.sweep = sweep
        self.stop = threading.Event()
        """Set by an error or Ctrl-C: no CreateJob is sent after it, and a wait for the quota ends."""
        self.gate = QuotaGate()
        self.line: StatusLine = StatusLine()
        self.policy: RetryPolicy = RetryPolicy(sleep=self._pause)
        self.failure: BaseException | None = None
        self.ended: set[str] = set()
        """ARNs of the sweep's jobs seen ended while waiting for the quota."""
        self.shown: str | None = None

    def _pause(self, seconds: float) -> None:
        """The backoff between attempts, cut short when the sweep stops (the next attempt is then not sent)."""
        self.stop.wait(seconds)

    def run(self, max_workers: int) -> None:
        from concurrent.futures import ThreadPoolExecutor

        first, *rest = self.sweep.pending
        try:
            try:
                self.one(first)  # alone: it uploads the archive, and the others find it in S3
                if rest and not self.stop.is_set():
                    with ThreadPoolExecutor(max_workers=max_workers) as pool:
                        try:  # before the pool waits for its threads: Ctrl-C may come while it starts them
                            for future in [pool.submit(self.one, call) for call in rest]:
                                future.result()
                        except KeyboardInterrupt:
                            self.stop.set()  # the queued calls return at once, the ones in flight finish
                            raise
            finally:
                self.line.close()
        except KeyboardInterrupt:
            self.stop.set()
            raise SweepInterrupted(report(self.sweep, "interrupted"), self.sweep) from None
        if self.failure is not None:
            raise SweepFailed(report(self.sweep, "stopped"), self.sweep, self.failure) from self.failure

    def one(self, call: Call) -> None:
        """Submit one call until it has a job, the sweep stops, or it fails (which stops the sweep).

        Its errors are recorded, never raised; only Ctrl-C in the main thread goes on.
        """
        from .job.cloud import talking_to_aws

        try:
            while not self.stop.is_set():
                with self.gate.turn(call.index) as alone, talking_to_aws():
                    done = self._submit(call)
                    if done is None:
                        self.gate.hit()
                        if alone and not self._room(call):
                            return
                        continue
                    self.sweep._add(call.index, done)
                    return
        except SubmissionInterrupted as interrupted:
            if interrupted.may_exist:
                self.sweep.errors[call.index] = interrupted
            if threading.current_thread() is threading.main_thread():
                raise  # Ctrl-C
        except Exception as error:
            self.sweep.errors[call.index] = error
            if self.failure is None:
                self.failure = error
            self.stop.set()

    def _submit(self, call: Call) -> AwsJob | None:
        """The call's job, or None when the service refused it for its quota."""
        from .errors import QuotaExceeded
        from .execute.cloud import submit
        from .job import AwsJob

        try:
            done = submit(call.plan, aws=self.sweep._aws, policy=self.policy, quiet=True, stop=self.stop)
        except QuotaExceeded:
            return None
        return AwsJob(done.job_arn, name=done.job_name, function=self.sweep._function, aws=self.sweep._aws)

    def _room(self, call: Call) -> bool:
        """Wait until a job of the sweep has ended (or it is time to try anyway); False if the sweep stopped."""
        from .job import AwsJob

        waiting = [job for job in self.sweep if isinstance(job, AwsJob) and job.arn not in self.ended]
        poll = call.plan.resolved.settings.sweep.poll
        whose = f"one of its {len(waiting)} unfinished jobs" if waiting else "jobs of this account"
        news = (f"sweep {self.sweep.id}: {len(self.sweep)} of {len(self.sweep.calls)} jobs created; the service's "
                f"quota of concurrent jobs is used up, so call {call.index} waits for {whose} to end (checking every "
                f"{poll:g} s)")
        if news != self.shown:  # trying again and again for others' jobs: said once
            self.line.show(news)
            self.shown = news
        checks = 0
        while not self.stop.wait(poll):
            checks += 1
            if not waiting or checks % RETRY_EVERY == 0:
                return True
            for job in waiting:
                if job.state() in TERMINAL_STATES:
                    self.ended.add(job.arn)
                    return True
        return False
