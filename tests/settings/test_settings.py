"""The one configuration loader: keys, types, bounds and the printed reference."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Literal

import pytest
import yaml

from settings import (
    ConfigError,
    apply_override,
    check_paths,
    defaults_yaml,
    from_mapping,
    load_yaml,
    param,
)


@dataclasses.dataclass
class Inner:
    workers: int = param(0, "worker processes (0 = all cores)", min=0)
    mode: str = param("fast", "how to run", choices=("fast", "slow"))
    sizes: list[int] = param([1, 2], "sizes", min=1)
    weights: dict[str, float] = param({}, "weights", min=0, max=5)
    place: str = param("", "a folder", path="folder")

    def validate(self) -> None:
        if self.place == "here":
            raise ConfigError("place: must not be 'here'")


@dataclasses.dataclass
class Outer:
    name: str = param("x", "a name")
    rate: float = param(0.5, "a rate")
    kind: Literal["a", "b"] = param("a", "a kind")
    limit: int | None = param(None, "an optional limit", min=1, max=1000)
    share: float = param(0.5, "a share", above=0, max=1)
    beta: float = param(0.9, "a decay", min=0, below=1)
    inner: Inner = param(Inner(), "the inner section")

    def validate(self) -> None:
        if self.name == "bad":
            raise ValueError("name must not be 'bad'")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nmae": "y"}, "nmae: unknown key"),
        ({"inner": {"wrokers": 1}}, "inner.wrokers: unknown key"),
        ({"rate": "1e-3"}, "rate: expected a number, got string '1e-3' (YAML reads 3e-4"),
        ({"inner": {"workers": 1.5}}, "inner.workers: expected an integer, got number 1.5"),
        ({"inner": {"workers": True}}, "inner.workers: expected an integer, got boolean True"),
        ({"inner": {"workers": -1}}, "inner.workers: must be at least 0, got -1"),
        ({"inner": {"mode": "quick"}}, "inner.mode: 'quick' is not one of 'fast', 'slow'"),
        ({"inner": {"sizes": [3, 0]}}, "inner.sizes[1]: must be at least 1, got 0"),
        (
            {"inner": {"weights": {"a": 1.0, "b": 7.0}}},
            "inner.weights.b: must be at most 5, got 7.0",
        ),
        ({"inner": {"weights": {"a": float("nan")}}}, "inner.weights.a: must be a finite number"),
        ({"rate": float("nan")}, "rate: must be a finite number, got nan"),
        ({"rate": float("-inf")}, "rate: must be a finite number, got -inf"),
        ({"rate": 10**400}, "rate: must be a finite number, got 1.000e+400"),
        ({"limit": 2**80}, "limit: must be at most 1000, got 1.208e+24"),
        ({"limit": float("inf")}, "limit: expected an integer, got number inf"),
        ({"name": "a\x00b"}, "name: contains a NUL byte ('a\\x00b')"),
        ({"inner": {"place": "a/\x00"}}, "inner.place: contains a NUL byte"),
        ({"inner": {"sizes": [3, "x"]}}, "inner.sizes[1]: expected an integer, got string 'x'"),
        ({"kind": "c"}, "kind: 'c' is not one of 'a', 'b'"),
        ({"limit": 0}, "limit: must be at least 1, got 0"),
        ({"share": 0}, "share: must be above 0, got 0.0"),
        ({"share": 1.5}, "share: must be at most 1, got 1.5"),
        ({"beta": 1}, "beta: must be below 1, got 1.0"),
        ({"inner": 3}, "inner: expected a mapping, got integer 3"),
        ({"name": "bad"}, "<root>: name must not be 'bad'"),
        ({"inner": {"place": "here"}}, "inner.place: must not be 'here'"),
    ],
)
def test_errors_name_the_key_path_first(data: dict, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        from_mapping(Outer, data)
    assert str(error.value).startswith(message)


def test_values_override_defaults_and_are_converted() -> None:
    config = from_mapping(Outer, {"rate": 2, "limit": None, "inner": {"workers": 3}})
    assert config.rate == 2.0 and isinstance(config.rate, float)
    assert config.limit is None and config.inner == Inner(workers=3)
    assert Outer().inner.sizes is not Outer().inner.sizes  # mutable defaults are copied


def test_yaml_text_and_overrides() -> None:
    with pytest.raises(ConfigError, match=r"^m\.yaml: not valid YAML"):
        load_yaml(Outer, "name: [", "m.yaml")
    with pytest.raises(ConfigError, match=r"^m\.yaml: expected a mapping at the top level"):
        load_yaml(Outer, "- 1\n", "m.yaml")
    data: dict = {}
    apply_override(data, "inner.workers=4")
    apply_override(data, "name=y")
    assert from_mapping(Outer, data) == Outer(name="y", inner=Inner(workers=4))


def test_the_reference_loads_back_and_comments_every_key() -> None:
    text = defaults_yaml(Outer)
    assert from_mapping(Outer, yaml.safe_load(text)) == Outer()
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not line.lstrip().startswith("#"):
            assert lines[i - 1].lstrip().startswith("# "), line
    assert "  # worker processes (0 = all cores)\n  workers: 0\n" in text


@dataclasses.dataclass
class Paths:
    model: str = param("", "a model file", path="file")
    inputs: list[str] = param([], "input globs", path="files")
    out: str = param("", "a folder", path="folder")
    ready: dict[str, Paths] = param({}, "nested sections under names")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"model": "{d}"}, "model: {d} is a folder, not a file"),
        ({"inputs": ["{d}/f.txt", "{d}"]}, "inputs[1]: {d} is a folder, not a file: name its "),
        ({"out": "{d}/f.txt"}, "out: {d}/f.txt is a file, not a folder"),
        ({"ready": {"en": {"model": "{d}"}}}, "ready.en.model: {d} is a folder, not a file"),
    ],
)
def test_a_path_naming_the_wrong_kind_of_thing_is_refused(
    tmp_path: Path, data: dict, message: str
) -> None:
    (tmp_path / "f.txt").write_text("x")
    filled = yaml.safe_load(yaml.safe_dump(data).replace("{d}", str(tmp_path)))
    with pytest.raises(ConfigError) as error:
        check_paths(from_mapping(Paths, filled), os.path.abspath)
    assert str(error.value).startswith(message.replace("{d}", str(tmp_path)))


def test_paths_that_fit_or_do_not_exist_yet_pass(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("x")
    fine = {
        "model": str(tmp_path / "f.txt"),
        "inputs": [str(tmp_path / "*"), str(tmp_path / "later.txt"), "gs://b/x"],
        "out": str(tmp_path / "new"),
    }
    check_paths(from_mapping(Paths, fine), os.path.abspath)
