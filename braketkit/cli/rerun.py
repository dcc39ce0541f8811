"""``braketkit rerun JOB``: a job again, from its own archive, here (``--local``, ``--pdb``) or in the cloud.

Options braketkit does not know, after JOB, are the job's arguments (``--steps 5``); an argument named
like one of the command's own options is given as ``--arg-NAME``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import InvalidInput, Problem
from .values import POLL_SECONDS

if TYPE_CHECKING:
    from ..execute.local import Echo
    from ..plan.rerun import Rerun

__all__ = ["rerun", "rerun_document", "rerun_text"]

_OWN = ("set", "local", "pdb", "region", "dry-run", "wait", "no-wait", "follow", "raw", "quiet", "poll", "json",
        "allow-pickle", "help")
"""The command's own options: an argument of one of these names is given as ``--arg-NAME``."""


def _arguments(tokens: list[str]) -> dict[str, str]:
    """``--NAME VALUE`` (or ``--NAME=VALUE``) pairs, ``--arg-NAME`` for a name the command takes itself."""
    from .launch import script_hyperparameters

    given = script_hyperparameters(tokens, key="arguments")
    return {name[len("arg-"):] if name.startswith("arg-") and name[len("arg-"):] in _OWN else name: value
            for name, value in given.items()}


def rerun_text(rerun: Rerun) -> str:
    """``rerun --dry-run``: what the rerun runs (the job's archive, verified or not), then the plan as ``plan``
    shows it."""
    from .render import plan_text

    plan = rerun.plan
    checked = "verified against the digest the job records" if rerun.verified else \
        "not verified: the job records no digest"
    where = "on this machine" if not plan.steps else "on Amazon Braket"
    lines = [f"rerun of {rerun.reran}, {where}",
             f"archive: sha256 {plan.archive.sha256} ({checked}), nothing to upload",
             f"         {plan.request.algorithm_specification.script_mode_config.s3_uri}", ""]
    return "\n".join([*lines, plan_text(plan)])


def rerun_document(rerun: Rerun) -> dict[str, Any]:
    """``rerun --dry-run --json``: ``plan --json``'s document, and what the rerun is of."""
    from .render import plan_document

    return {**plan_document(rerun.plan), "rerun_of": rerun.reran, "archive_sha256": rerun.plan.archive.sha256,
            "archive_verified": rerun.verified, "notes": rerun.notes}


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("job")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Change a setting a rerun may change (repeatable): device, instance.*, stopping.max_runtime, role, "
                   "reservation, image, tags.*, hyperparameters.*, job_name, s3.kms_key, checkpoint.local_path.")
@click.option("--local", is_flag=True, help="Run it on this machine from its archive and inputs (downloaded and "
                                            "verified), as its container would.")
@click.option("--pdb", "debug", is_flag=True, help="With --local: the job's uncaught exception opens pdb here.")
@click.option("--region", help="The region of a job given by name (default: the project's, else the AWS "
                               "configuration's).")
@click.option("--dry-run", is_flag=True, help="Show the rerun's plan and create nothing.")
@click.option("--wait/--no-wait", default=None, help="Wait for the new job to end, then print its result.")
@click.option("--follow", is_flag=True, help="Stream the new job's logs until it ends, then print its result.")
@click.option("--raw", is_flag=True, help="With --follow: metric lines as they are, not summarised.")
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--poll", type=POLL_SECONDS, default=5.0, show_default=True,
              help="Seconds between checks of a cloud job while waiting or following.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools instead of text.")
@click.option("--allow-pickle", is_flag=True,
              help='Read pickled results (result_format = "pickled_v4"): unpickling runs code the job wrote.')
@click.pass_context
def rerun(ctx: click.Context, job: str, assignments: tuple[str, ...], local: bool, debug: bool, region: str | None,
          dry_run: bool, wait: bool | None, follow: bool, raw: bool, quiet: bool, poll: float, as_json: bool,
          allow_pickle: bool) -> None:
    """Run JOB again from the very archive it ran, with its inputs and hyperparameters unless changed.

    JOB is a cloud job's ARN or name, or a local job's name. After JOB, --NAME VALUE changes an argument
    of the job's function (a script's hyperparameter); --set changes a setting a rerun may change. Nothing
    is packaged or uploaded: the archive is fetched by its digest and verified first. Says when the working
    tree has changed since the job was planned. Exit status: 0 submitted or completed, 1 failed or
    cancelled, 2 bad input.
    """
    from ..pipeline import plan_rerun, rerun_job
    from ..terminal import on_terminal
    from .jobs import project_region

    arguments = _arguments(list(ctx.args))
    if debug and not local and not _is_local_job(job):
        raise InvalidInput([Problem("debugs a job on this machine; add --local (a job in the cloud has no terminal to "
                                    "debug at)", "--pdb")])
    where = region if job.startswith("arn:") else project_region(region)
    if dry_run:
        planned = plan_rerun(job, arguments, assignments=assignments, local=local, region=where)
        if as_json:
            click.echo(json.dumps(rerun_document(planned), indent=2))
        else:
            for note in planned.notes:
                click.echo(on_terminal(f"note: {note}"), err=True)
            click.echo(on_terminal(rerun_text(planned)))
        return

    from .launch import carry_out

    def start(echo: Echo | None) -> Any:
        return rerun_job(job, arguments, assignments=assignments, local=local, debug=debug, region=where,
                         echo=echo or False, wait=False, quiet=quiet or as_json)

    carry_out(start, lambda: _wait_asked(assignments), as_json=as_json, wait=wait, follow=follow, raw=raw,
              quiet=quiet, poll=poll, allow_pickle=allow_pickle)


def _is_local_job(job: str) -> bool:
    from ..workspace import jobs_folder, project_root

    return any((folder / "job.json").is_file() for folder in (Path(job), jobs_folder(project_root(Path.cwd())) / job))


def _wait_asked(assignments: tuple[str, ...]) -> bool:
    """``--set wait=true``: wait for the rerun as ``--wait`` does."""
    from ..plan.rerun import changes_asked
    from ..resolve import resolve

    asked = changes_asked(resolve(start=Path.cwd(), assignments=assignments, environ={}, defer_problems=True))
    return bool(asked.values.get("wait", False))

