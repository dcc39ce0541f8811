"""Starting a job from the command line and reporting it: ``run`` and ``rerun`` alike."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from ..errors import AwsError, InvalidInput, Problem

if TYPE_CHECKING:
    from ..execute.local import Echo
    from .live import SummarisedLog

__all__ = ["carry_out", "script_hyperparameters"]


def script_hyperparameters(tokens: Sequence[str], key: str = "script arguments") -> dict[str, str]:
    """``--steps 5 --lr=0.1`` as ``{"steps": "5", "lr": "0.1"}``: a script's hyperparameters are text (``key``
    names them in a problem)."""
    values: dict[str, str] = {}
    index = 0
    while index < len(tokens):
        token = tokens[index]
        name, equals, value = token.removeprefix("--").partition("=")
        if not token.startswith("--") or not name:
            raise InvalidInput([Problem(f"expected --NAME VALUE, got {token!r}", key)])
        if not equals:
            if index + 1 == len(tokens) or tokens[index + 1].startswith("--"):
                raise InvalidInput([Problem(f"--{name} has no value; give it one (--{name} VALUE)", key)])
            index += 1
            value = tokens[index]
        if name in values:
            raise InvalidInput([Problem(f"--{name} is given twice", key)])
        values[name] = value
        index += 1
    return values


def carry_out(start: Callable[[Echo | None], Any], wait_setting: Callable[[], bool], *, as_json: bool,
              wait: bool | None, follow: bool, raw: bool, quiet: bool, poll: float, allow_pickle: bool) -> None:
    """Start a job (``run``, ``rerun``) and report it: submitted, followed, waited for, its result, as asked.

    ``start`` is given where a local run's output goes as it comes (None: nowhere), every character escaped.
    """
    from ..errors import LocalRunCancelled, SubmissionInterrupted
    from ..job import AwsJob
    from ..job.cloud import talking_to_aws
    from ..terminal import EscapingStream
    from .jobs_text import reattach_text, result_text, run_document, submitted_text
    from .live import SummarisedLog

    if raw and not follow:
        raise InvalidInput([Problem("shows the followed log as it is; it goes with --follow", "--raw")])
    summarised = SummarisedLog(sys.stdout) if follow and not raw and not as_json else None
    try:
        job = start(summarised if summarised is not None else None if as_json else EscapingStream(sys.stdout))
    except LocalRunCancelled as cancelled:  # reported like any job that did not complete
        job = cancelled.job
    except SubmissionInterrupted as interrupted:  # whether the job may exist, and how to find it
        click.echo(f"\n{interrupted}", err=True)
        sys.exit(130)
    finally:
        if summarised is not None:  # a local run (--local, or local = true) has echoed its whole log into it
            summarised.close()
    if isinstance(job, AwsJob):
        job.poll = poll
        if wait is None:
            wait = wait_setting()
        try:  # from here on the job exists: Ctrl-C stops watching it, never the job
            if not as_json:
                click.echo(submitted_text(job))
            if not (wait or follow):
                if as_json:
                    click.echo(json.dumps(run_document(job, with_result=False), indent=2))
                return
            with talking_to_aws(job.arn):
                _watch(job, follow=follow, quiet=quiet or as_json, summarised=summarised)
        except KeyboardInterrupt:
            click.echo(reattach_text(job.arn), err=True)
            sys.exit(130)
        except AwsError as error:  # contact lost while watching: the job goes on all the same
            click.echo(f"error: {error}", err=True)
            click.echo(reattach_text(job.arn), err=True)
            sys.exit(error.exit_status)
    if as_json:
        document = run_document(job, allow_pickle=allow_pickle)
        click.echo(json.dumps(document, indent=2))
        if document["state"] != "COMPLETED":
            sys.exit(1)
        return
    click.echo(result_text(job, allow_pickle=allow_pickle))


def _watch(job: Any, follow: bool, quiet: bool, summarised: SummarisedLog | None = None) -> None:
    """Stream logs (``summarised``: metric lines folded into one summary) or show progress until the job ends."""
    if follow and summarised is not None:
        try:
            for line in job.logs(follow=True):
                summarised.line(line)
        finally:
            summarised.close()
    elif follow:
        from ..terminal import on_terminal

        for line in job.logs(follow=True):
            click.echo(on_terminal(line))
    else:
        job.wait(display=None if quiet else sys.stderr)
