"""The ``braketkit`` command: a thin layer of click over the pipeline stages.

Errors the user can fix print one message and exit 2; a traceback appears
only with ``--debug``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..errors import BraketkitError
from ..target import Target, load_reference
from .launch import carry_out, script_hyperparameters
from .options import function_options

if TYPE_CHECKING:
    from ..execute.local import Echo

__all__ = ["cli", "main"]

Action = Callable[..., None]


def _common_options() -> list[click.Option]:
    """Options every settings-reading command takes."""
    return [
        click.Option(["--profile"], help="Use [tool.braketkit.profiles.NAME]."),
        click.Option(["--set", "assignments"], multiple=True, metavar="KEY=VALUE",
                     help="Override a setting (repeatable), e.g. --set instance.count=2."),
        click.Option(["--json", "as_json"], is_flag=True, help="Print JSON for tools instead of text."),
    ]


def _plan_options() -> list[click.Option]:
    return [*_common_options(),
            click.Option(["--offline"], is_flag=True, help="Make no AWS call; account values stay unresolved.")]


def _run_options() -> list[click.Option]:
    from .values import POLL_SECONDS

    return [
        *_common_options(),
        click.Option(["--local"], is_flag=True, help="Run on this machine, as the cloud would; no AWS needed."),
        click.Option(["--pdb", "debug"], is_flag=True,
                     help="With --local: the job's uncaught exception opens pdb at this terminal."),
        click.Option(["--wait/--no-wait"], default=None,
                     help="Wait for the job to end, then print its result; default: the wait setting (false)."),
        click.Option(["--follow"], is_flag=True, help="Stream the job's logs until it ends, then print its result; "
                                                     "metric lines show as one live summary."),
        click.Option(["--raw"], is_flag=True, help="With --follow: metric lines as they are, not summarised."),
        click.Option(["--quiet"], is_flag=True, help="No progress display."),
        click.Option(["--poll"], type=POLL_SECONDS, default=5.0, show_default=True,
                     help="Seconds between checks of a cloud job while waiting or following."),
        click.Option(["--allow-pickle"], is_flag=True,
                     help="Read pickled results (result_format = \"pickled_v4\"): unpickling runs code the job wrote."),
    ]


class _ScriptCommand(click.Command):
    """A script's command: an option braketkit does not know is most likely the script's own."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            raise click.NoSuchOption(error.option_name, ctx=ctx, message=(
                f"no such option {error.option_name}; a script's own arguments go after --: "
                f"{ctx.command_path} -- {error.option_name} VALUE")) from None


class _ReferenceGroup(click.Group):
    """``braketkit plan REF [OPTIONS]``: the REF names the command, its function adds the options.

    The command's own options come from ``fixed``; the names they take and which
    of them take a value are read from those options, not kept in a second list.
    """

    def __init__(self, *args: Any, fixed: Callable[[], list[click.Option]], action: Action, about: str,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._fixed, self._action, self._about = fixed, action, about

    def list_commands(self, ctx: click.Context) -> list[str]:
        return []

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command:
        fixed = self._fixed()
        target = load_reference(cmd_name)
        if target.function is None:
            return self._script_command(cmd_name, target, fixed)
        taken = {name.lstrip("-") for option in fixed for name in option.opts} | {"help"}
        arguments = function_options(target.function, taken)

        def callback(**values: Any) -> None:
            given = {name: values.pop(f"arg_{name}") for _, name in arguments}
            self._action(target, {name: value for name, value in given.items() if value is not None}, **values)

        return click.Command(cmd_name, callback=callback, params=[*fixed, *(option for option, _ in arguments)],
                             help=self._about.format(ref=cmd_name))

    def _script_command(self, cmd_name: str, target: Target, fixed: list[click.Option]) -> click.Command:
        """A script run as a whole: what follows ``--`` becomes its hyperparameters (``--name value``)."""

        def callback(script_arguments: tuple[str, ...], **values: Any) -> None:
            self._action(target, script_hyperparameters(script_arguments), **values)

        return _ScriptCommand(
            cmd_name, callback=callback,
            params=[*fixed, click.Argument(["script_arguments"], nargs=-1, metavar="[-- --NAME VALUE ...]")],
            help=f"Run the script {cmd_name} as a whole, as Braket's script mode does; after --, "
                 "--NAME VALUE pairs become hyperparameters it reads with get_hyperparameters().")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Accept options before REF too: move REF to the front."""
        takes_value = {name for option in self._fixed() if not option.is_flag for name in option.opts}
        skip = False
        for index, token in enumerate(args):
            if skip:
                skip = False
            elif token in takes_value:
                skip = True
            elif not token.startswith("-"):
                args = [token, *args[:index], *args[index + 1:]]
                break
        return super().parse_args(ctx, args)

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        formatter.write_usage(ctx.command_path, "REF [OPTIONS] [FUNCTION OPTIONS]")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Every option the command takes, though they belong to REF's command (made once REF is known), and a
        word on the function's own."""
        help_option = self.get_help_option(ctx)
        options = [*self._fixed(), *([help_option] if help_option is not None else [])]
        records = [record for option in options if (record := option.get_help_record(ctx)) is not None]
        with formatter.section("Options"):
            formatter.write_dl(records)
        with formatter.section("Function options"):
            formatter.write_text(f"The function's parameters become options too (--steps 50); "
                                 f"`{ctx.command_path} REF --help` lists them. A script's own arguments follow --.")


def _plan(target: Target, given: dict[str, Any], profile: str | None, assignments: Sequence[str], as_json: bool,
          offline: bool) -> None:
    from ..pipeline import plan_target
    from .render import plan_document, plan_text

    plan = plan_target(target, (), given, profile=profile, assignments=assignments, offline=offline)
    click.echo(json.dumps(plan_document(plan), indent=2) if as_json else plan_text(plan))


def _run(target: Target, given: dict[str, Any], profile: str | None, assignments: Sequence[str], as_json: bool,
         local: bool, debug: bool, wait: bool | None, follow: bool, raw: bool, quiet: bool, poll: float,
         allow_pickle: bool) -> None:
    from ..pipeline import resolve_target, run_target

    def start(echo: Echo | None) -> Any:
        return run_target(target, (), given, profile=profile, assignments=assignments, local=local,
                          echo=echo or False, wait=False, quiet=quiet or as_json, debug=debug)

    def wait_setting() -> bool:  # the wait setting (pyproject.toml, BRAKETKIT_WAIT, --set wait=...), as the Python API
        return resolve_target(target, profile, assignments).settings.wait

    carry_out(start, wait_setting, as_json=as_json, wait=wait, follow=follow, raw=raw, quiet=quiet, poll=poll,
              allow_pickle=allow_pickle)


_JOB_COMMANDS = ("cancel", "clean", "diff", "limits", "list", "logs", "metrics", "rerun", "result", "show", "status")
"""The commands about jobs that exist already, made when one of them is named (or ``--help`` lists them all)."""


def _job_commands() -> list[click.Command]:
    from .diff import diff
    from .jobs import cancel, clean, list_jobs, logs, result, status
    from .limits import limits
    from .metrics import metrics
    from .rerun import rerun
    from .show import show

    return [cancel, clean, diff, limits, list_jobs, logs, metrics, rerun, result, show, status]


class _Commands(click.Group):
    """The ``braketkit`` group: ``plan`` and ``run`` never import what the commands about existing jobs need."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_JOB_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _JOB_COMMANDS and cmd_name not in self.commands:
            for command in _job_commands():
                self.add_command(command)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(package_name="braketkit")
def cli(debug: bool) -> None:
    """Run Python functions as Amazon Braket hybrid jobs."""


@cli.group(cls=_ReferenceGroup, fixed=_plan_options, action=_plan,
           about="Plan a job of {ref}; its parameters are the options below.")
def plan() -> None:
    """Show the CreateJob request and uploads a run of REF would make; send nothing.

    REF is path/to/file.py:function, package.module:function, or a module run as a whole, as Braket's script
    mode runs it: path/to/script.py or package.module (its own arguments follow --). Modules are named from the
    working directory, as python -m names them.
    """


@cli.group(cls=_ReferenceGroup, fixed=_run_options, action=_run,
           about="Run {ref} as a job; its parameters are the options below.")
def run() -> None:
    """Run REF as a hybrid job on Amazon Braket, or on this machine with --local.

    REF is path/to/file.py:function, package.module:function, or a module run as a whole, as Braket's script
    mode runs it: path/to/script.py or package.module (its own arguments follow --). Modules are named from the
    working directory, as python -m names them. Prints the job's ARN and console link; --wait (or the wait
    setting) or --follow stay until it ends. Exit status: 0 submitted or completed, 1 failed or cancelled, 2 bad
    input.
    """


@cli.group()
def config() -> None:
    """Inspect settings."""


@config.command("show")
@click.argument("ref", required=False)
@click.option("--toml", "as_toml", is_flag=True, help="Print the settings as a [tool.braketkit] table.")
def config_show(ref: str | None, profile: str | None, assignments: Sequence[str], as_json: bool, as_toml: bool) -> None:
    """Every resolved setting and where it came from (for REF, or the project here)."""
    from ..resolve import resolve
    from ..resolve.toml import dumps
    from .render import settings_document, settings_text

    target = load_reference(ref) if ref else None
    resolved = resolve(
        start=target.file.parent if target else Path.cwd(),
        keywords=target.keywords if target else (),
        keywords_origin=target.keywords_origin if target else "@hybrid_job",
        profile=profile, assignments=assignments, environ=os.environ,
    )
    if as_toml:
        click.echo(dumps(resolved.settings), nl=False)
    else:
        click.echo(json.dumps(settings_document(resolved), indent=2) if as_json else settings_text(resolved))


config_show.params += _common_options()

@config.command("schema")
def config_schema() -> None:
    """A JSON Schema of [tool.braketkit], for editor completion and checks."""
    from ..resolve.schema import settings_schema

    click.echo(json.dumps(settings_schema(), indent=2))


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: run the CLI and turn braketkit errors into messages and exit codes."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        cli.main(args, prog_name="braketkit", standalone_mode=False)
    except BraketkitError as error:
        if debug:
            import traceback

            traceback.print_exc()
        from ..terminal import on_terminal  # only now: a plan that succeeds loads no job module

        click.echo(on_terminal(f"error: {error}"), err=True)  # a message may quote anything the input held
        sys.exit(error.exit_status)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.exceptions.Exit as exit_:
        sys.exit(exit_.exit_code)
    except Exception as error:
        if debug:
            raise
        from ..terminal import on_terminal

        click.echo(on_terminal(f"internal error: {type(error).__name__}: {error} (rerun with --debug for details)"),
                   err=True)
        sys.exit(1)
