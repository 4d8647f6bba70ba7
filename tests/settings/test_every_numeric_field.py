"""Every number of every manifest has both bounds, and a NaN, an infinity, a negative or a
huge value is refused at load naming its key path.

The walk finds each int or float field reachable from the run manifest, the trainer's
config, the tokenizer's and the generic rules' (optional ones, list items and mapping
values too), so a field added without bounds fails here, not in a library mid-run.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, Literal

import pytest

from pipeline.config import RunConfig
from pipeline.rules.config import RulesConfig
from settings import ConfigError, from_mapping, to_dict
from tokenizer.config import TokenizerConfig
from trainer.config import TrainConfig

ROOTS = (RunConfig, TrainConfig, TokenizerConfig, RulesConfig)
NUMBERS = (int, float)


@dataclasses.dataclass(frozen=True)
class NumericField:
    """A number a manifest can give: where it goes, and the key path an error names."""

    root: type
    parts: tuple[str, ...]  # the mapping keys down to the field
    kind: type  # int or float
    rules: dict[str, Any]  # the field's bounds (param's metadata)
    shape: Literal["scalar", "list", "dict", "dict-list"]
    sample_key: str  # the mapping key a dict field's value goes under

    @property
    def key(self) -> str:
        return ".".join(self.parts)

    def data(self, value: object) -> dict:
        """A manifest setting this field (one item, for a list or a mapping) to `value`."""
        leaf: object = {
            "scalar": value,
            "list": [value],
            "dict": {self.sample_key: value},
            "dict-list": {self.sample_key: [value]},
        }[self.shape]
        for part in reversed(self.parts):
            leaf = {part: leaf}
        return leaf  # type: ignore[return-value]

    @property
    def named(self) -> str:
        """The key path of the value `data` places, as an error names it."""
        suffix = {"scalar": "", "list": "[0]", "dict": f".{self.sample_key}"}
        return self.key + suffix.get(self.shape, f".{self.sample_key}[0]")


def _optional(tp: Any) -> Any:
    """int for `int | None`; any other annotation unchanged."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _leaf_shape(tp: Any) -> tuple[str, Any]:
    """("scalar" | "list" | "dict" | "dict-list", the item type) of a non-section field."""
    origin = typing.get_origin(tp)
    if origin is list:
        return "list", typing.get_args(tp)[0]
    if origin is dict:
        value_tp = typing.get_args(tp)[1]
        if typing.get_origin(value_tp) is list:
            return "dict-list", typing.get_args(value_tp)[0]
        return "dict", value_tp
    return "scalar", tp


def numeric_fields(root: type) -> list[NumericField]:
    """Every int or float field reachable from `root`; fails on an annotation it does not
    know, so that no new kind of field is skipped unseen."""
    found: list[NumericField] = []

    def walk(cls: type, default: Any, parts: tuple[str, ...]) -> None:
        hints = typing.get_type_hints(cls)
        for field in dataclasses.fields(cls):
            tp = _optional(hints[field.name])
            here = (*parts, field.name)
            value = getattr(default, field.name) if default is not None else None
            shape, item = _leaf_shape(tp)
            if dataclasses.is_dataclass(tp):
                walk(tp, value, here)
            elif shape == "dict" and dataclasses.is_dataclass(item):
                walk(item, None, (*here, "xx"))
            elif item in NUMBERS:
                known = sorted(value) if isinstance(value, dict) and value else ["xx"]
                found.append(NumericField(root, here, item, dict(field.metadata), shape, known[0]))  # type: ignore[arg-type]
            else:
                assert item in (str, bool) or typing.get_origin(item) is Literal, (
                    f"{'.'.join(here)}: the walk does not know the annotation {tp}"
                )

    walk(root, root(), ())
    return found


FIELDS = [field for root in ROOTS for field in numeric_fields(root)]


def _id(field: NumericField) -> str:
    return f"{field.root.__name__}:{field.key}"


def _refused(field: NumericField, value: object) -> str:
    with pytest.raises(ConfigError) as error:
        from_mapping(field.root, field.data(value))
    return str(error.value)


def test_the_walk_finds_the_numbers_of_every_section() -> None:
    keys = {_id(f) for f in FIELDS}
    for expected in (
        "RunConfig:seed",
        "RunConfig:shards.ratios",
        "RunConfig:sources.commoncrawl.keep.cutoffs",
        "RunConfig:sources.commoncrawl.keep.percentiles",
        "RunConfig:sources.wikipedia.namespaces",
        "RunConfig:sources.books.rules.min_chars.chars",
        "TrainConfig:model.dim",
        "TokenizerConfig:vocab_size",
        "RulesConfig:max_replacement_share.share",
    ):
        assert expected in keys, expected
    assert len(FIELDS) > 100


@pytest.mark.parametrize("field", FIELDS, ids=_id)
def test_every_numeric_field_declares_a_lower_and_an_upper_bound(field: NumericField) -> None:
    assert {"min", "above"} & set(field.rules), f"{field.key}: no lower bound (min= or above=)"
    assert {"max", "below"} & set(field.rules), f"{field.key}: no upper bound (max= or below=)"


@pytest.mark.parametrize("field", FIELDS, ids=_id)
def test_nan_infinities_negatives_and_huge_values_are_refused_naming_the_key(
    field: NumericField,
) -> None:
    cases: list[tuple[object, str]] = [(-1, ""), (2**80, ""), (10**30, ""), (-(2**80), "")]
    not_finite = "expected an integer" if field.kind is int else "must be a finite number"
    cases += [(math.nan, not_finite), (math.inf, not_finite), (-math.inf, not_finite)]
    if field.kind is float:
        cases += [(1e30, ""), (-1.5, ""), (10**400, not_finite)]
    for value, words in cases:
        message = _refused(field, value)
        assert message.startswith(f"{field.named}: {words}"), (value, message)


def _outside(field: NumericField) -> list[tuple[object, str]]:
    """Values just outside each declared bound, with the start of the error they give."""
    step = 1 if field.kind is int else 0.5
    rules = field.rules
    out: list[tuple[object, str]] = []
    if "min" in rules:
        out.append((rules["min"] - step, f"must be at least {rules['min']}"))
    if "max" in rules:
        out.append((rules["max"] + step, f"must be at most {rules['max']}"))
    if "above" in rules:
        out.append((rules["above"], f"must be above {rules['above']}"))
    if "below" in rules:
        out.append((rules["below"], f"must be below {rules['below']}"))
    return out


@pytest.mark.parametrize("field", FIELDS, ids=_id)
def test_a_value_just_outside_a_bound_is_refused_and_the_bound_itself_is_kept(
    field: NumericField,
) -> None:
    for value, words in _outside(field):
        assert _refused(field, value).startswith(f"{field.named}: {words}")
    for bound in ("min", "max"):
        if bound in field.rules and field.shape == "scalar":
            config = from_mapping(field.root, field.data(field.rules[bound]))
            for part in field.parts:
                config = getattr(config, part)
            assert config == field.rules[bound]


@pytest.mark.parametrize("root", ROOTS, ids=lambda r: r.__name__)
def test_every_default_is_inside_its_bounds(root: type) -> None:
    assert from_mapping(root, to_dict(root())) == root()
