"""What the CLI prints: plans and settings, as text for people or JSON for tools (jobs: ``jobs_text.py``)."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from ..converter import converter, record_text
from ..model import request as api
from ..model.provenance import RECORD_CHANNEL, JobCall, Provenance
from ..model.steps import CopyCheckpoints, EnsureBucket, Step, Upload, WriteRecord
from ..package.capture import MODULE as CAPTURED_MODULE
from ..package.capture import CapturedModule
from ..plan import Plan
from ..plan.spending import Spending, instance_seconds, money, period_text
from ..resolve import Resolved, leaves
from ..resolve.planned import REDACTED, planned_settings
from ..resolve.planned import redact as _redact

__all__ = ["REDACTED", "jsonable", "plan_document", "plan_text", "settings_document", "settings_text"]

def settings_document(resolved: Resolved) -> dict[str, dict[str, Any]]:
    """``{key: {"value": ..., "origin": ...}}`` for every leaf, secrets redacted: as a planned record holds them."""
    document: dict[str, dict[str, Any]] = converter.unstructure(planned_settings(resolved))
    return document


def settings_text(resolved: Resolved) -> str:
    document = settings_document(resolved)
    width = max(len(entry["origin"]) for entry in document.values())
    lines = [f"{entry['origin']:<{width}}  {key} = {json.dumps(entry['value'])}" for key, entry in document.items()]
    if resolved.profile:
        lines.insert(0, f"profile: {resolved.profile}")
    return "\n".join(lines)


def _request_document(request: api.CreateJobRequest) -> dict[str, Any]:
    document: dict[str, Any] = converter.unstructure(request)
    if "hyperParameters" in document:
        document["hyperParameters"] = {key: _redact(key, value) for key, value in document["hyperParameters"].items()}
    return document


def _upload_document(upload: Upload) -> dict[str, Any]:
    return {"path": str(upload.path), "s3_uri": upload.s3_uri, "bytes": upload.size, "sha256": upload.sha256}


def _step_document(step: Step) -> dict[str, Any]:
    """A step as JSON: its kind (``step``) and what it acts on."""
    if isinstance(step, EnsureBucket):
        return {"step": "EnsureBucket", "bucket": step.bucket, "region": step.region, "owner": step.owner,
                "block_public_access": step.block_public_access}
    if isinstance(step, Upload):
        return {"step": "Upload", **_upload_document(step), "skipped_when_present": True}
    if isinstance(step, CopyCheckpoints):
        return {"step": "CopyCheckpoints", "from_job": step.from_job, "from_uri": step.from_uri, "to_uri": step.to_uri}
    if isinstance(step, WriteRecord):
        record: dict[str, Any] = jsonable(step.record)
        if step.record.call is not None:
            record["call"] = _call_document(step.record.call)
        return {"step": "WriteRecord", "s3_uri": step.s3_uri, "bytes": len(record_text(step.record).encode()),
                "record": record}
    return {"step": "CreateJob", "request": _request_document(step.request)}


def _call_document(call: JobCall | None) -> dict[str, Any] | None:
    """How the job's runtime calls the function (None for a script), its secret-named arguments redacted."""
    if call is None:
        return None
    document: dict[str, Any] = jsonable(call)
    document["arguments"] = {name: _redact(name, text) for name, text in call.arguments.items()}
    return document


def plan_document(plan: Plan) -> dict[str, Any]:
    """The ``--json`` form of a plan: its steps, the request, uploads and settings."""
    return {
        "steps": [_step_document(step) for step in plan.steps],
        "request": _request_document(plan.request),
        "uploads": [_upload_document(upload) for upload in plan.uploads],
        "settings": settings_document(plan.resolved),
        "call": _call_document(plan.record.call),
        "provenance": jsonable(plan.provenance),
        "region": plan.region,
        "unresolved": plan.unresolved,
        "warnings": plan.warnings,
        "package_sources": jsonable(plan.archive.package_sources),
        "instance_hours": _hours(instance_seconds(plan.request)) if _in_the_cloud(plan) else None,
        "spending": jsonable(plan.spending),
        "captured": None if plan.captured is None else {
            "module": f"{CAPTURED_MODULE}.py", "entry": plan.captured.entry, "names": plan.captured.names,
            "values": jsonable(plan.captured.values), "replayed": jsonable(plan.captured.replayed),
            "text": plan.captured.text},
        "source": None if plan.layout is None else {
            "project_root": str(plan.project_root), "pyproject": plan.resolved.pyproject is not None,
            "code_folder": str(plan.layout.code_folder), "shipped": str(plan.layout.shipped),
            "import_paths": list(plan.layout.import_paths)},
    }


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "kB", "MB"):
        if value < 1000:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"




def jsonable(value: Any) -> Any:
    """Anything as JSON: attrs and dataclasses unstructured, datetimes and the rest as text."""
    return json.loads(json.dumps(converter.unstructure(value), default=_text))


def _text(value: Any) -> str:
    """What JSON has no type for: a time in ISO 8601 (as every ``--json`` writes times), anything else as text."""
    return value.isoformat() if isinstance(value, (datetime, date)) else str(value)






















def _origins(plan: Plan, table: str) -> str:
    """Where a table's fields came from: one origin when they share it, else each field set, by name, the others
    being defaults (``count: pyproject.toml:11``)."""
    fields = [key.partition(".")[2] for key in leaves(plan.resolved.settings) if key.startswith(f"{table}.")]
    by_origin: dict[str, list[str]] = {}
    for field in fields:
        by_origin.setdefault(plan.resolved.origin(f"{table}.{field}"), []).append(field)
    if len(by_origin) == 1:
        return next(iter(by_origin))
    by_origin.pop("default", None)
    return "; ".join(f"{', '.join(names)}: {origin}" for origin, names in by_origin.items())


def _in_the_cloud(plan: Plan) -> bool:
    return not plan.resolved.settings.local and not plan.request.device_config.device.startswith("local:")


def _hours(seconds: int) -> float:
    return round(seconds / 3600, 2)


def _instance_time(plan: Plan) -> str:
    """The worst case: every instance for the whole max_runtime."""
    count = plan.request.instance_config.instance_count or 1
    runtime = instance_seconds(plan.request) // count
    instances = "1 instance" if count == 1 else f"{count} instances"
    return (f"at most {_hours(count * runtime):g} h: {instances} x max_runtime {_hours(runtime):g} h  "
            f"({plan.resolved.origin('stopping.max_runtime')})")


def _spending_text(spending: Spending) -> str:
    """The QPU's spending limit in force and what it leaves, in one line."""
    limit = spending.active
    others = f" ({spending.others} more not in force now)" if spending.others else ""
    if limit is None or spending.left is None:
        return f"no spending limit in force on this device{others}"
    spent = f"{money(limit.total_spend)} spent, {money(limit.queued_spend)} queued"
    if spending.left <= 0:
        return (f"nothing left of {money(limit.spending_limit)} USD ({spent}, {period_text(limit.time_period)}): "
                f"a run is refused until the limit is raised{others}")
    return (f"{money(spending.left)} of {money(limit.spending_limit)} USD left ({spent}, "
            f"{period_text(limit.time_period)}){others}")


def _step_text(step: Step, plan: Plan) -> list[str]:
    """What a step does, in a line (and what an upload holds, under it)."""
    if isinstance(step, EnsureBucket):
        owner = f"account {step.owner}" if step.owner else "your account"
        blocked = " with public access blocked" if step.block_public_access else ""
        return [f"create bucket {step.bucket} in {step.region}{blocked} (if missing)",
                f"(used only if {owner} owns it)"]
    if isinstance(step, Upload):
        if step.path != plan.archive.path:
            return [f"upload {step.path.name}, {_size(step.size)} (skipped when already there)", f"-> {step.s3_uri}"]
        archive = plan.archive
        lines = [f"upload source archive, {archive.files} files, {_size(archive.size)}, sha256 {archive.sha256[:12]} "
                 "(skipped when already there)", f"-> {step.s3_uri}"]
        if plan.captured is not None:
            lines += _captured_lines(plan.captured)
        return lines
    if isinstance(step, CopyCheckpoints):
        where = step.from_uri or "not looked up (offline): such a plan cannot be submitted"
        return [f"copy checkpoints from job {step.from_job} (only keys not already there)", f"from {where}",
                f"-> {step.to_uri}"]
    if isinstance(step, WriteRecord):
        size = _size(len(record_text(step.record).encode()))
        holds = "the call the job reads as its input channel braketkit, " if step.record.call is not None else ""
        return [f"write the planned record ({holds}settings with their origins, provenance), {size}",
                f"-> {step.s3_uri}"]
    return [f"CreateJob {step.request.job_name} (client token {step.request.client_token}, the same on every retry)"]


def _source_rows(plan: Plan) -> list[tuple[str, str]]:
    """The project, what of it ships and where the job imports the entry from: what a ``pyproject.toml`` (or its
    absence) decided."""
    layout = plan.layout
    if layout is None:
        return []
    pyproject = plan.resolved.pyproject
    shipped = layout.shipped.relative_to(plan.project_root).as_posix() + "/" \
        if layout.shipped.is_relative_to(plan.project_root) else str(layout.shipped)
    if pyproject is not None and layout.shipped == plan.project_root:
        why = "the project"
    elif plan.resolved.settings.source is not None:
        why = f"source: {plan.resolved.origin('source')}"
    elif layout.shipped != layout.code_folder:
        why = "no pyproject.toml: the folder the import needs, as the Braket SDK ships a source_module"
    else:
        why = "no pyproject.toml: the entry's folder"
    return [("project", f"{plan.project_root}  ({'pyproject.toml' if pyproject else 'no pyproject.toml'})"),
            ("shipped", f"{shipped}  ({why})"),
            ("imported from", f"{', '.join(layout.import_paths)}  (folders of the job's code, first wins)")]


def _captured_lines(captured: CapturedModule) -> list[str]:
    """How each global that is neither a definition nor an import travels: as its value, or by the statements
    of the session that made it, replayed in order (each with its cell and why it is needed)."""
    lines = [f"in it: {CAPTURED_MODULE}.py, generated from __main__ with " + ", ".join(captured.names)]
    for value in captured.values:
        made = f"the same object as {value.same_as}" if value.same_as else f"{value.source_bytes} B of source"
        lines.append(f"  value {value.name}: {value.type}, {made}" + (f" ({value.place})" if value.place else ""))
    for statement in captured.replayed:
        first, *rest = statement.text.splitlines()
        why = "; ".join(f"{'updates' if reason.update else 'makes'} {reason.name}, for {reason.used_by}"
                        for reason in statement.needed_for)
        lines.append(f"  replays {statement.place}: {first}" + (" ..." if rest else "") + f"  ({why})")
    return lines


def _pip_rows(plan: Plan) -> list[tuple[str, str]]:
    """The lines of the requirements files the job installs that send pip to other places for its packages."""
    return [("pip options" if number == 0 else "",
             " ".join(part for part in (option.option, option.value) if part) + f"  ({option.file}:{option.line})")
            for number, option in enumerate(plan.archive.package_sources)]


def _provenance_rows(provenance: Provenance) -> list[tuple[str, str]]:
    """Where the code comes from, as the job's tags and record keep it."""
    if provenance.git_commit is None:
        git = "none (no git repository, or git not installed)"
    else:
        branch = f"branch {provenance.git_branch}" if provenance.git_branch is not None else "detached HEAD"
        changes = (f"uncommitted changes, diff sha256 {provenance.git_diff_sha256[:12]}"
                   if provenance.git_diff_sha256 else "uncommitted changes" if provenance.git_dirty else "clean")
        git = f"commit {provenance.git_commit} on {branch}, {changes}"
    made = f"braketkit {provenance.braketkit_version}, Python {provenance.python_version}"
    return [("provenance", f"archive sha256 {provenance.archive_sha256[:12]}, {made}"), ("git", git)]


def _steps_text(plan: Plan) -> list[str]:
    """The plan's steps, numbered: all that a run changes in AWS, in order."""
    if not plan.steps:
        if plan.captured is None:
            return ["steps: none in AWS (a local run)"]
        return ["steps: none in AWS (a local run, of the source archive, sha256 "
                f"{plan.archive.sha256[:12]})", *_captured_lines(plan.captured)]
    lines = ["steps (a run does these, in this order, and nothing else in AWS):"]
    for number, step in enumerate(plan.steps, 1):
        first, *rest = _step_text(step, plan)
        lines += [f"  {number}. {first}", *(f"     {line}" for line in rest)]
    return lines


def plan_text(plan: Plan) -> str:
    request = plan.request
    origin = plan.resolved.origin
    parameters = request.hyper_parameters or {}
    call = plan.record.call
    rows = [
        ("job name", request.job_name),
        ("entry", plan.record.entry),
        ("entry point", request.algorithm_specification.script_mode_config.entry_point),
        *_source_rows(plan),
        ("device", f"{request.device_config.device}  ({origin('device')})"),
        ("region", plan.region or "none (a local run)"),
        ("instance", f"{request.instance_config.instance_type} x{request.instance_config.instance_count}, "
                     f"{request.instance_config.volume_size_in_gb} GB  ({_origins(plan, 'instance')})"),
        *([("instance time", _instance_time(plan))] if _in_the_cloud(plan) else []),
        *([("spending limit", _spending_text(plan.spending))] if plan.spending and plan.spending.looked_up else []),
        ("image", request.algorithm_specification.container_image.uri
         if request.algorithm_specification.container_image else "service default"),
        ("role", request.role_arn),
        ("output", request.output_data_config.s3_path),
    ]
    if call is not None:  # a script has no call: its hyperparameters are what it is given
        rows.append(("arguments", ", ".join(f"{name}={_redact(name, text)}" for name, text in call.arguments.items())
                     or "none"))
    if parameters:
        rows.append(("hyperparameters", ", ".join(f"{k}={_redact(k, v)}" for k, v in parameters.items())))
    for channel in request.input_data_config or []:
        ours = channel.channel_name == RECORD_CHANNEL and call is not None
        rows.append((f"input {channel.channel_name}", channel.data_source.s3_data_source.s3_uri
                     + ("  (the planned record: the job reads its call there)" if ours else "")))
    if plan.copy_checkpoints_from:
        rows.append(("checkpoints from", plan.copy_checkpoints_from))
    rows += _pip_rows(plan)
    rows += _provenance_rows(plan.provenance)
    lines = [f"{label:>16}  {value}" for label, value in rows]
    lines += ["", *_steps_text(plan)]
    lines += [f"note: {note}" for note in plan.unresolved]
    lines += [f"warning: {warning}" for warning in plan.warnings]
    lines += ["", "Nothing was sent. `--json` prints the exact create_job request."]
    return "\n".join(lines)
