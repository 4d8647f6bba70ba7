"""Whether a stage's output is complete: the fingerprint of what it depends on, and the
`_SUCCESS` marker that records it with the listing of every file the stage wrote.

A stage is complete when its `_SUCCESS` is of this stage version and fingerprint (its code
version, inputs, parameters and upstream stages) and the files it lists are all there,
unchanged.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipeline import io
from pipeline.config import RunConfig
from pipeline.harness.stage import SUCCESS, Stage, find_stage, stage_dir
from settings import to_dict


@functools.cache
def code_version() -> str:
    """The package version plus the git commit of the checkout, when there is one."""
    try:
        base = version("fleece")
    except PackageNotFoundError:
        base = "unknown"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short=12", "HEAD"],
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"{base}+{commit}" if commit else base


def jsonable(value: Any) -> Any:
    return to_dict(value) if dataclasses.is_dataclass(value) else value


def in_run(path: str, run: RunConfig) -> str:
    """A path under the run directory as `{run_dir}/...`: a run copied or moved with its
    inputs stays complete."""
    root = run.resolve(run.run_dir).rstrip("/") + "/"
    return "{run_dir}/" + path[len(root) :] if path.startswith(root) else path


def fingerprint(stage: Stage, run: RunConfig, limit: int | None) -> str:
    """What a stage's output depends on: its code version, its parameters, its input files
    (path, size, mtime; under the run directory, relative to it), the fingerprints of the
    stages it reads, and --limit."""
    patterns = [run.resolve(p) for p in stage.input_patterns(run)]
    inputs = io.match_files(patterns) if patterns else []
    upstream = {}
    for name in stage.requires:
        marker = io.join(stage_dir(run, name), SUCCESS)
        success = io.read_json(marker) if io.exists(marker) else {}
        # what the stage built and how large each file is: a rebuild that gives the same
        # files leaves its dependents complete
        upstream[name] = {
            "fingerprint": success.get("fingerprint"),
            "outputs": [[path, size] for path, size, _ in success.get("outputs", [])],
        }
    payload = {
        "stage": stage.name,
        "version": stage.version,
        "parameters": jsonable(stage.parameters(run)),
        "inputs": [[in_run(f.path, run), f.size, f.mtime] for f in inputs],
        "upstream": upstream,
        "limit": limit,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def output_listing(out_dir: str) -> list[list[Any]]:
    """[path, size, mtime_ns] of every file a stage wrote (its _SUCCESS aside)."""
    return [[path, size, mtime] for path, size, mtime in io.list_tree(out_dir) if path != SUCCESS]


def changed_outputs(out_dir: str, success: dict[str, Any]) -> str | None:
    """Why the files a stage's _SUCCESS lists are no longer what it wrote, or None."""
    listed = success.get("outputs")
    if listed is None:
        return "its _SUCCESS lists no output files (older code wrote it)"
    now = {path: [size, mtime] for path, size, mtime in output_listing(out_dir)}
    for path, size, mtime in listed:
        if path not in now:
            return f"output file {path} is missing"
        if now[path] != [size, mtime]:
            return f"output file {path} changed after the stage finished"
    return None


def completion(stage: Stage, run: RunConfig, limit: int | None) -> tuple[bool, str, str]:
    """(complete?, why, current fingerprint) for a stage's output under the run directory:
    a _SUCCESS of this code version and fingerprint whose listed output files are all there,
    unchanged. The fingerprint lists every input, so it is computed once and handed on."""
    current = fingerprint(stage, run, limit)
    marker = io.join(stage_dir(run, stage.name), SUCCESS)
    if not io.exists(marker):
        return False, "no _SUCCESS", current
    success = io.read_json(marker)
    recorded = success.get("fingerprint")
    if success.get("version", 1) != stage.version:
        change = f"{success.get('version', 1)} -> {stage.version}"
        return False, f"the stage's code changed since the last run (version {change})", current
    if recorded != current:
        return False, "inputs or parameters changed since the last run", current
    problem = changed_outputs(stage_dir(run, stage.name), success)
    if problem is not None:
        return False, problem, current
    return True, f"complete (fingerprint {recorded[:12]} unchanged)", current


def upstream_problem(
    stage: Stage, run: RunConfig, limit: int | None, known_complete: set[str]
) -> str | None:
    """Why `stage` cannot read its inputs yet: a required, enabled stage that is not
    complete (never built, killed, an output file deleted, built from other inputs).
    Stages in `known_complete` (checked or built earlier in this run) are not checked again;
    those found complete are added."""
    for name in stage.requires:
        upstream = find_stage(name)
        if name in known_complete or not upstream.enabled(run):
            continue
        complete, why, _ = completion(upstream, run, limit)
        if not complete:
            return (
                f"needs {name}, which is not complete ({why}); build it first: "
                f"`fleece {name} --manifest ...` or `fleece corpus`"
            )
        known_complete.add(name)
    return None
