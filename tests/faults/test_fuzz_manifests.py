"""Manifests fuzzed one value at a time: the cases users met, then random mutations of the
sample manifest and of a training config, each one value made wrong for its field's type.

Every one must be refused before anything is written: exit code non-zero, at most three
lines on standard error, no traceback, and the key named. The commands run in this process
(click's runner), so seventy-odd refusals cost a second, not a minute of interpreter starts.
"""

from __future__ import annotations

import dataclasses
import math
import random
import types
import typing
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from click.testing import CliRunner, Result

from pipeline.cli import main
from pipeline.config import load_manifest
from tests.faults.conftest import ROOT
from trainer.config import TrainConfig

MUTATIONS = 50
TRAIN_MUTATIONS = 25
SEED = 24


def leaves(instance: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(dotted key, declared type, value) of every setting under a config dataclass."""
    found = []
    hints = typing.get_type_hints(type(instance))
    for field in dataclasses.fields(instance):
        value = getattr(instance, field.name)
        key = f"{prefix}{field.name}"
        if dataclasses.is_dataclass(value):
            found += leaves(value, key + ".")
        else:
            found.append((key, hints[field.name], value))
    return found


def _without_none(tp: Any) -> Any:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def wrong_scalar(tp: Any, rng: random.Random) -> Any:
    """A value no field of type `tp` may hold, whatever its bounds."""
    tp = _without_none(tp)
    if tp is float:
        return rng.choice([math.nan, math.inf, -math.inf, 1e30, -1e30, "many"])
    if tp is int:
        return rng.choice([-(10**30), 10**30, 2**80, 1.5, "many", math.nan])
    if tp is bool:
        return rng.choice(["maybe", 2])
    if tp is str:
        return rng.choice([7, [1], {"k": 1}])
    if typing.get_origin(tp) is Literal:
        return "no-such-choice"
    if typing.get_origin(tp) is list:
        return {"k": 1}
    if typing.get_origin(tp) is dict:
        return [1, 2]
    if dataclasses.is_dataclass(tp):
        return {"no_such_key": 1}
    raise AssertionError(f"no wrong value known for {tp}")


def mutation(config: Any, rng: random.Random) -> tuple[str, Any]:
    """(key path, wrong value) of one random setting; a number inside a list or a mapping of
    numbers is reached as `key[0]` or `key.name`."""
    key, tp, value = rng.choice([leaf for leaf in leaves(config) if leaf[1] is not Any])
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    numbers = (int, float)
    if origin is list and args[0] in numbers and value and rng.random() < 0.5:
        return f"{key}[0]", wrong_scalar(args[0], rng)
    if origin is dict and args[1] in numbers and value and rng.random() < 0.7:
        return f"{key}.{rng.choice(sorted(value))}", wrong_scalar(args[1], rng)
    return key, wrong_scalar(tp, rng)


def assign(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """`data` with the setting at dotted `key` replaced, sections made as needed."""
    *sections, last = key.split(".")
    node = data
    for part in sections:
        node = node.setdefault(part, {})
    node[last] = value
    return data


def set_setting(data: dict[str, Any], key: str, value: Any, config: Any) -> None:
    """Set `key` in the raw manifest `data`; a list item is set in a copy of the list's
    effective value."""
    if "[" in key:
        name, index = key[:-1].split("[")
        current = config
        for part in name.split("."):
            current = getattr(current, part)
        items = list(current)
        items[int(index)] = value
        assign(data, name, items)
    else:
        assign(data, key, value)


def refused(result: Result, key: str) -> None:
    """Exit non-zero, at most three lines on standard error, no traceback, the key named."""
    context = f"key {key}: exit {result.exit_code}\n{result.stderr}{result.stdout}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"a traceback for {context}") from result.exception
    assert result.exit_code != 0, context
    lines = result.stderr.strip("\n").splitlines()
    assert len(lines) <= 3, context
    assert "Traceback" not in result.stderr, context
    shown = key.split("[")[0]
    assert shown in result.stderr, context


def sample_data(run_dir: Path) -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "manifests" / "sample.yaml").read_text())
    data["run_dir"] = str(run_dir)
    return data


def run_corpus(tmp_path: Path, data: dict[str, Any]) -> Result:
    manifest = tmp_path / "fuzzed.yaml"
    manifest.write_text(yaml.safe_dump(data, sort_keys=False))
    return CliRunner().invoke(main, ["corpus", "--manifest", str(manifest)])


# The values users met (issue 24): each passed validation and failed mid-run.
MET = [
    ("seed", -1),
    ("seed", 2**80),
    ("shards.ratios.c4", math.nan),
    ("shards.ratios.github", math.inf),
    ("tokenizer.vocab_size", 10**12),
    ("run_dir", ""),
    ("run_dir", "/proc/fleece-run"),
    ("run_dir", "runs/a\0b"),
    ("sources.books.inputs", ["{run_dir}/inputs/books/\0/*.txt"]),
    ("sample.out", "{run_dir}/in\0puts"),
]


@pytest.mark.parametrize(("key", "value"), MET, ids=[f"{k}={v!r}" for k, v in MET])
def test_a_value_users_met_is_refused_before_anything_is_written(
    tmp_path: Path, key: str, value: Any
) -> None:
    run_dir = tmp_path / "run"
    data = sample_data(run_dir)
    set_setting(data, key, value, load_manifest(str(ROOT / "manifests" / "sample.yaml")))
    result = run_corpus(tmp_path, data)
    refused(result, key)
    assert not run_dir.exists(), f"{key}: refused only after writing"


def test_random_one_value_mutations_of_the_sample_manifest_are_refused(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    sample = load_manifest(str(ROOT / "manifests" / "sample.yaml"))
    tried = set()
    for _ in range(MUTATIONS):
        key, value = mutation(sample, rng)
        run_dir = tmp_path / f"run-{len(tried)}"
        data = sample_data(run_dir)
        set_setting(data, key, value, sample)
        refused(run_corpus(tmp_path, data), key)
        assert not run_dir.exists(), f"{key}={value!r}: refused only after writing"
        tried.add(key)
    assert len(tried) >= MUTATIONS * 0.8, "the draws should spread over the manifest's keys"


def test_random_one_value_mutations_of_a_training_config_are_refused(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    base = yaml.safe_load((ROOT / "manifests" / "train-tiny.yaml").read_text())
    base["run_dir"] = str(tmp_path / "train")
    for number in range(TRAIN_MUTATIONS):
        key, value = mutation(TrainConfig(), rng)
        data = yaml.safe_load(yaml.safe_dump(base))
        set_setting(data, key, value, TrainConfig())
        config = tmp_path / f"train-{number}.yaml"
        config.write_text(yaml.safe_dump(data, sort_keys=False))
        refused(CliRunner().invoke(main, ["train", "--config", str(config)]), key)
    assert not (tmp_path / "train").exists()
