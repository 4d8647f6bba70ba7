"""Whether a stage's output is complete: the fingerprint of what it depends on, and the
`_SUCCESS` marker that records it with the listing of every file the stage wrote.

A stage is complete when its `_SUCCESS` is of this stage version and fingerprint (its code
version, inputs, parameters and upstream stages) and the files it lists are all there,
unchanged. `_SUCCESS` lists each file's size, modification time and a checksum of its content:
every check of a stage's completion (by itself, or by a stage about to read it) re-hashes its
small files (models, cutoffs, the tokenizer: bit rot that keeps a file's size and time is
seen before the file is used); its large ones (parts) are re-hashed under `fleece corpus
--verify` and `fleece verify --deep`, where reading every byte is what was asked for.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import functools
import hashlib
import json
import subprocess
from collections.abc import Callable, Iterator
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, NamedTuple

from pipeline import io
from pipeline.config import RunConfig
from pipeline.harness.stage import STATS, SUCCESS, Stage, find_stage, stage_dir
from pipeline.stages import SAMPLE, stage_names
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
        success = _parsed_marker(stage_dir(run, name)) or {}
        # what the stage built: each file's size and checksum (not its time), so a rebuild
        # that gives the same bytes leaves its dependents complete
        upstream[name] = {
            "fingerprint": success.get("fingerprint"),
            "outputs": [entry[:2] + entry[3:] for entry in success.get("outputs", [])],
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


# The outputs a stage declares `loaded_whole` (models, cutoffs, the tokenizer) and its
# _stats.json are re-hashed at every check of its completion, up to this size: a full-scale
# reference classifier (800 MB) re-hashes in about a second. Parts are never re-hashed on
# a check, whatever their size (a real run has tens of thousands): only when asked
# (--verify, --deep).
SMALL_OUTPUT_BYTES = 1 << 30


def _written_files(out_dir: str) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime_ns) of every file in a stage's folder, its _SUCCESS aside."""
    return {path: (size, mtime) for path, size, mtime in io.list_tree(out_dir) if path != SUCCESS}


# The field of _SUCCESS that holds the checksum of the rest of it, so that a damaged marker
# (one that would list other files, sizes or checksums) is not taken for the stage's word.
MARKER_CHECKSUM = "checksum"


def _marker_bytes(marker: dict[str, Any]) -> bytes:
    return (json.dumps(marker, indent=1, sort_keys=True) + "\n").encode("utf-8")  # write_json's


def _marker_checksum(marker: dict[str, Any]) -> str:
    rest = {key: value for key, value in marker.items() if key != MARKER_CHECKSUM}
    return "sha256:" + hashlib.sha256(_marker_bytes(rest)).hexdigest()


def write_success(out_dir: str, marker: dict[str, Any]) -> None:
    """A stage's _SUCCESS: `marker` with the checksum of its content, written last."""
    io.write_json(io.join(out_dir, SUCCESS), {**marker, MARKER_CHECKSUM: _marker_checksum(marker)})


def _parsed_marker(out_dir: str) -> dict[str, Any] | None:
    """A stage's _SUCCESS as JSON, None when it is missing or no JSON object."""
    path = io.join(out_dir, SUCCESS)
    try:
        marker = io.read_json(path) if io.exists(path) else None
    except ValueError:
        return None
    return marker if isinstance(marker, dict) else None


def read_success(out_dir: str) -> tuple[dict[str, Any] | None, str]:
    """(a stage's _SUCCESS, "") when it is as the stage wrote it, else (None, why not)."""
    path = io.join(out_dir, SUCCESS)
    if not io.exists(path):
        return None, f"no {SUCCESS}"
    marker = _parsed_marker(out_dir)
    if marker is None:
        return None, f"its {SUCCESS} is not a JSON object (damaged)"
    if MARKER_CHECKSUM not in marker:
        return None, f"its {SUCCESS} records no checksums (older code wrote it)"
    raw = io.read_text(path).encode("utf-8")
    if marker[MARKER_CHECKSUM] != _marker_checksum(marker) or raw != _marker_bytes(marker):
        return None, f"its {SUCCESS} changed after the stage finished (damaged)"
    return marker, ""


def output_listing(out_dir: str) -> list[list[Any]]:
    """[path, size, mtime_ns, checksum] of every file a stage wrote (its _SUCCESS aside).
    Each file is read back once for its checksum after the stage ran: Beam's writers and the
    libraries' (fastText, KenLM, SentencePiece) write them, so none can hash while writing."""
    return [
        [path, size, mtime, io.checksum(io.join(out_dir, path))]
        for path, (size, mtime) in sorted(_written_files(out_dir).items())
    ]


def _short(checksum: str) -> str:
    kind, _, value = checksum.partition(":")
    return f"{kind}:{value[:12]}..." if len(value) > 12 else checksum


class OutputProblem(NamedTuple):
    """Why an output is no longer what its stage wrote."""

    path: str | None  # the file, under the stage's folder; None: the _SUCCESS listing itself
    reason: str

    def __str__(self) -> str:
        return self.reason if self.path is None else f"output file {self.path} {self.reason}"


def loaded_whole(stage: Stage) -> Callable[[str], bool]:
    """Whether a file of `stage`'s folder is one a reader loads whole (its `loaded_whole`
    outputs, its _stats.json): re-hashed at every check of the stage's completion."""
    patterns = [stage.outputs[name] for name in stage.loaded_whole] + [STATS]
    return lambda path: any(fnmatch.fnmatchcase(path, pattern) for pattern in patterns)


def output_problems(
    out_dir: str,
    success: dict[str, Any],
    verify: bool = False,
    rehashed: Callable[[str], bool] = lambda path: False,
) -> Iterator[OutputProblem]:
    """Each file a stage's _SUCCESS lists that is no longer what the stage wrote: missing, of
    another size or time, or of another checksum (every file when `verify`; else those that
    are `rehashed` and under SMALL_OUTPUT_BYTES). Lazy, the cheap listing before the
    hashing: a caller that wants one reason stops there."""
    listed = success.get("outputs")
    if not isinstance(listed, list):
        yield OutputProblem(None, "its _SUCCESS lists no output files (older code wrote it)")
        return
    now = _written_files(out_dir)
    to_hash = []
    for path, size, mtime, checksum in listed:
        if path not in now:
            yield OutputProblem(path, "is missing")
        elif now[path] != (size, mtime):
            yield OutputProblem(path, "changed after the stage finished")
        elif verify or (rehashed(path) and size < SMALL_OUTPUT_BYTES):
            to_hash.append((path, checksum))
    for path, checksum in to_hash:
        actual = io.checksum(io.join(out_dir, path))
        if actual != checksum:
            yield OutputProblem(
                path,
                f"changed after the stage finished (checksum {_short(actual)}, "
                f"{_short(checksum)} when written)",
            )


def changed_outputs(
    out_dir: str,
    success: dict[str, Any],
    verify: bool = False,
    rehashed: Callable[[str], bool] = lambda path: False,
) -> str | None:
    """Why the files a stage's _SUCCESS lists are no longer what it wrote, or None."""
    problem = next(output_problems(out_dir, success, verify, rehashed), None)
    return None if problem is None else str(problem)


def damaged_outputs(run_dir: str) -> list[str]:
    """Every file of the run's stage folders (those with a _SUCCESS) that is no longer what
    its stage wrote, each file re-hashed, as "<stage>/<file>: <why>": `fleece verify
    --deep`; a stage's folder without a _SUCCESS counts as one. FileNotFoundError when the
    run has no stage folder."""
    folders = [(name, io.join(run_dir, name)) for name in stage_names()]
    folders = [(name, folder) for name, folder in folders if io.list_tree(folder)]
    if not folders:
        raise FileNotFoundError(f"{run_dir}: no stage folder (not a run directory?)")
    found = []
    for name, folder in folders:
        success, why = read_success(folder)
        if success is None:
            found.append(f"{name}: {why}")
            continue
        for problem in output_problems(folder, success, verify=True):
            where = name if problem.path is None else f"{name}/{problem.path}"
            found.append(f"{where}: {problem.reason}")
    return found


def completion(
    stage: Stage, run: RunConfig, limit: int | None, verify: bool = False
) -> tuple[bool, str, str]:
    """(complete?, why, current fingerprint) for a stage's output under the run directory:
    a _SUCCESS of this code version and fingerprint whose listed output files are all there,
    unchanged (those it loads whole re-hashed; all of them when `verify`). The fingerprint lists every
    input, so it is computed once and handed on."""
    current = fingerprint(stage, run, limit)
    success, why = read_success(stage_dir(run, stage.name))
    if success is None:
        return False, why, current
    recorded = success.get("fingerprint")
    if success.get("version", 1) != stage.version:
        change = f"{success.get('version', 1)} -> {stage.version}"
        return False, f"the stage's code changed since the last run (version {change})", current
    if recorded != current:
        return False, "inputs or parameters changed since the last run", current
    problem = changed_outputs(stage_dir(run, stage.name), success, verify, loaded_whole(stage))
    if problem is not None:
        return False, problem, current
    return True, f"complete (fingerprint {recorded[:12]} unchanged)", current


def _under(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def reads_sample(stage: Stage, run: RunConfig) -> bool:
    """Whether `stage` reads the inputs the enabled sample stage writes: one of its input
    patterns lies under `sample.out`."""
    if not run.sample.enabled or stage.name == SAMPLE.name:
        return False
    out = run.resolve(run.sample.out)
    return any(_under(run.resolve(pattern), out) for pattern in stage.input_patterns(run))


def upstream_problem(
    stage: Stage, run: RunConfig, limit: int | None, known_complete: set[str], verify: bool = False
) -> str | None:
    """Why `stage` cannot read its inputs yet: a required, enabled stage that is not
    complete (never built, killed, an output file deleted, built from other inputs), or the
    enabled sample stage when `stage` reads the inputs it writes (a killed sample leaves some
    old, some new; not in `requires`, so complete runs keep their fingerprints).
    Stages in `known_complete` (checked or built earlier in this run) are not checked again;
    those found complete are added."""
    implicit = (SAMPLE.name,) if reads_sample(stage, run) else ()
    for name in (*implicit, *stage.requires):
        upstream = find_stage(name)
        if name in known_complete or not upstream.enabled(run):
            continue
        complete, why, _ = completion(upstream, run, limit, verify)
        if not complete:
            command = f"fleece {name} --manifest ..."
            if name == SAMPLE.name:  # `fleece sample OUT` writes anywhere, no _SUCCESS
                command = "fleece corpus --manifest ... --only sample"
            return (
                f"needs {name}, which is not complete ({why}); build it first: "
                f"`{command}` or `fleece corpus`"
            )
        known_complete.add(name)
    return None
