"""Resume within a stage (pipeline/harness/groups.py): a stage killed mid-run goes on from
the groups of input files it committed, and its outputs and counters are those of an
uninterrupted run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from pipeline.harness.groups import (
    PASS1,
    GroupedRun,
    group_ranges,
    marker_path,
    resumed_line,
)
from pipeline.sample import write_sample
from tests.faults.conftest import ROOT, fleece, kill_when
from tests.helpers import tree_digest


def test_groups_are_consecutive_files_the_last_one_short() -> None:
    assert group_ranges(5, 2) == [range(0, 2), range(2, 4), range(4, 5)]
    assert group_ranges(3, 64) == [range(0, 3)]


def test_a_rerun_runs_only_the_uncommitted_groups_and_sums_every_groups_counters(
    tmp_path: Path,
) -> None:
    files = [f"file-{i}" for i in range(5)]
    ctx = SimpleNamespace(out_dir=str(tmp_path), counter_values=None)
    ran: list[int] = []
    failing = {4}  # the group that fails once, as a killed worker would

    def run_group(group: range) -> dict[str, int]:
        ran.append(group.start)
        if group.start in failing:
            failing.discard(group.start)
            raise RuntimeError("killed")
        return {"read": len(group), f"seen.{group.start}": 1}

    first = GroupedRun(ctx, files, 2)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        first._step(PASS1, first.groups, run_group, reads=True)
    committed = [Path(marker_path(str(tmp_path), PASS1, g)).exists() for g in range(3)]
    assert committed == [True, True, False]
    ran.clear()
    second = GroupedRun(ctx, files, 2)  # type: ignore[arg-type]
    second._step(PASS1, second.groups, run_group, reads=True)
    assert ran == [4]  # only the group not committed ran again
    assert second.counters == {"read": 5, "seen.0": 1, "seen.2": 1, "seen.4": 1}
    assert second.summary()["steps"][PASS1] == {"groups": 3, "committed": 2, "files_read": 1}
    line = resumed_line("ccnet", second.summary())
    assert line == "ccnet: resumed: pass1 2 of 3 group(s) committed, read 1 of 5 file(s)"


# stage -> (the manifest keys of its commit_files, the groups' size in the killed run (two
# groups of the sample's 2, 7 and 4 files), the stages it needs built first)
STAGES = {
    "github": (("sources", "github"), 1, ()),
    "wikipedia": (("sources", "wikipedia"), 4, ()),
    "ccnet": (("sources", "commoncrawl", "ccnet"), 2, ("wikipedia", "lm")),
}


def manifest(root: Path, run_dir: Path, inputs: Path, commit: dict[tuple, int]) -> Path:
    """manifests/sample.yaml reading `inputs` (outside the run, so that the error rows
    name the same files in every run) with only github, wikipedia and commoncrawl."""
    data = yaml.safe_load((ROOT / "manifests" / "sample.yaml").read_text())
    data["run_dir"] = str(run_dir)
    data["sample"]["enabled"] = False
    sources = data["sources"]
    for name in ("c4", "books", "arxiv", "stackexchange"):
        sources.pop(name)
    sources["github"]["inputs"] = [f"{inputs}/github/*.jsonl.gz"]
    sources["wikipedia"]["inputs"] = [f"{inputs}/wikipedia/*.xml.bz2"]
    sources["commoncrawl"]["inputs"] = [f"{inputs}/commoncrawl/*.warc.wet.gz"]
    for keys, value in commit.items():
        section = data
        for key in keys:
            section = section.setdefault(key, {})
        section["commit_files"] = value
    path = root / f"{run_dir.name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's github, wikipedia, lm and ccnet, built as `make corpus` builds them:
    each stage's files in one group (one pipeline)."""
    root = tmp_path_factory.mktemp("resume")
    write_sample(str(root / "inputs"), scale=1, seed=0, only=["github", "wikipedia", "commoncrawl"])
    path = manifest(root, root / "first", root / "inputs", {})
    result = fleece("corpus", "--manifest", str(path), "--only", "github,wikipedia,lm,ccnet")
    assert result.returncode == 0, result.stderr[-3000:]
    return root


@pytest.mark.slow
@pytest.mark.parametrize("stage", sorted(STAGES))
def test_a_stage_killed_after_its_first_group_resumes_to_the_same_outputs(
    uninterrupted: Path, stage: str
) -> None:
    keys, group_files, upstream = STAGES[stage]
    root, first = uninterrupted, uninterrupted / "first"
    run = root / stage
    run.mkdir()
    for name in upstream:  # built the same way: complete in this run too
        shutil.copytree(first / name, run / name)
    path = str(manifest(root, run, root / "inputs", {keys: group_files}))
    marker = Path(marker_path(str(run / f".{stage}.inprogress"), PASS1, 0))
    kill_when([stage, "--manifest", path], marker.exists, delay=0)
    assert not (run / stage).exists()  # killed: nothing committed as the stage's output

    result = fleece(stage, "--manifest", path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert tree_digest(run / stage) == tree_digest(first / stage)
    stats = (run / stage / "_stats.json").read_text()
    assert stats == (first / stage / "_stats.json").read_text()
    files = json.loads(stats)["counters"]["files.read"]
    resumed = json.loads((run / stage / "_SUCCESS").read_text())["resumed"]
    assert resumed["files"] == files
    assert resumed["steps"][PASS1]["committed"] >= 1
    assert resumed["steps"][PASS1]["files_read"] <= files - group_files
    assert f"{stage}: resumed: pass1 " in result.stdout
    assert not (run / stage / "_groups").exists()
