"""Building configuration dataclasses from YAML data, and printing their reference.

Unknown keys, wrong types and values outside a field's bounds fail before anything runs,
with the key path first: `sources.wikipedia.languges: unknown key (did you mean languages?)`.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

import yaml


class ConfigError(ValueError):
    """Configuration that cannot be used; the message starts with the offending key path."""


_KIND = {str: "a string", bool: "true or false", int: "an integer", float: "a number"}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean X?)`, X the choice closest to a mistyped `word`; '' when none is close
    (difflib's ratio at least 0.6)."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def _shown(value: Any) -> str:
    """How a wrong value is named in an error: its YAML kind, then the value."""
    kind = {str: "string", bool: "boolean", int: "integer", float: "number"}.get(type(value))
    return f"{kind or type(value).__name__} {value!r}"


def _scalar(value: Any, tp: type, key: str) -> Any:
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > sys.float_info.max:  # float() would raise OverflowError
            raise ConfigError(f"{key}: must be a finite number, got {_number(value)}")
        value = float(value)
    if isinstance(value, tp) and not (tp is not bool and isinstance(value, bool)):
        if tp is float and not math.isfinite(value):
            raise ConfigError(f"{key}: must be a finite number, got {value!r}")
        if tp is str and "\x00" in value:
            raise ConfigError(f"{key}: contains a NUL byte ({value!r})")
        return value
    hint = ""
    if tp is float and isinstance(value, str):
        hint = " (YAML reads 3e-4 as a string: write 3.0e-4)"
    raise ConfigError(f"{key}: expected {_KIND[tp]}, got {_shown(value)}{hint}")


def _convert(value: Any, tp: Any, key: str, rules: Mapping[str, Any]) -> Any:
    """`value` checked (and, for nested dataclasses, built) against the annotation `tp`; each
    scalar inside it (a list's items, a mapping's values) also against the field's `rules`
    (its bounds and choices), named by its own key path (`shards.ratios.c4`, `cutoffs.en[1]`)."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        return from_mapping(tp, value, key)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None and len(args) < len(typing.get_args(tp)):
            return None
        errors = []
        for arg in args:
            try:
                return _convert(value, arg, key, rules)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0])
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            raise ConfigError(f"{key}: {value!r} is not one of {', '.join(map(repr, allowed))}")
        return value
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {_shown(value)}")
        return [_convert(v, item_tp, f"{key}[{i}]", rules) for i, v in enumerate(value)]
    if origin is dict:
        key_tp, val_tp = typing.get_args(tp)
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {_shown(value)}")
        return {
            _convert(k, key_tp, key, {}): _convert(v, val_tp, f"{key}.{k}", rules)
            for k, v in value.items()
        }
    if tp is Any:
        return value
    if tp in _KIND:
        item = _scalar(value, tp, key)
        _check_bounds(item, rules, key)
        return item
    raise ConfigError(f"{key}: unsupported type {getattr(tp, '__name__', tp)}")


_BOUNDS = (
    ("min", lambda item, bound: item >= bound, "at least"),
    ("max", lambda item, bound: item <= bound, "at most"),
    ("above", lambda item, bound: item > bound, "above"),
    ("below", lambda item, bound: item < bound, "below"),
)


def _check_bounds(item: Any, rules: Mapping[str, Any], key: str) -> None:
    for name, holds, words in _BOUNDS:
        if name in rules and not holds(item, rules[name]):
            raise ConfigError(f"{key}: must be {words} {rules[name]}, got {_number(item)}")
    if "choices" in rules and item not in rules["choices"]:
        allowed = ", ".join(map(repr, rules["choices"]))
        raise ConfigError(f"{key}: {item!r} is not one of {allowed}")


def _number(item: Any) -> str:
    """A value in a bounds error: a huge integer in powers of ten, not 30 digits."""
    if isinstance(item, int) and not isinstance(item, bool) and abs(item) >= 10**15:
        digits = str(abs(item))  # exact: float() overflows past 1.8e308
        return f"{'-' if item < 0 else ''}{digits[0]}.{digits[1:4]}e+{len(digits) - 1}"
    return repr(item)


def from_mapping(cls: type, data: Any, prefix: str = "") -> Any:
    """An instance of dataclass `cls` with its defaults overridden by the mapping `data`.

    Each value is type-checked and bounds-checked against its field; then the instance's
    own `validate()` (cross-field rules), when it has one, runs: a ValueError it raises is
    told under the instance's key path, a ConfigError names its own key below it."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{prefix or '<root>'}: expected a mapping, got {_shown(data)}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values = {}
    for name, value in data.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if name not in fields:
            raise ConfigError(f"{key}: unknown key{did_you_mean(str(name), fields)}")
        values[name] = _convert(value, hints[name], key, fields[name].metadata)
    instance = cls(**values)
    check = getattr(instance, "validate", None)
    if check is not None:
        try:
            check()
        except ConfigError as exc:
            raise ConfigError(f"{prefix}.{exc}" if prefix else str(exc)) from exc
        except ValueError as exc:
            raise ConfigError(f"{prefix or '<root>'}: {exc}") from exc
    return instance


def check_paths(config: Any, resolve: Callable[[str], str], prefix: str = "") -> None:
    """Refuse a path field (declared with `param(path=...)`) that names a folder where a file
    is wanted, or a file where a folder is: a local path that already exists, resolved by
    `resolve` (a path that does not exist yet, or lives on an object store, passes)."""
    hints = typing.get_type_hints(type(config))
    for f in dataclasses.fields(config):
        key = f"{prefix}{f.name}"
        value = getattr(config, f.name)
        kind = f.metadata.get("path")
        if kind is not None:
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                where = f"{key}[{index}]" if isinstance(value, list) else key
                _check_path(item, kind, resolve, where)
        for name, child in _sections(value, hints[f.name]):
            check_paths(child, resolve, f"{key}{name}.")


def _sections(value: Any, tp: Any) -> list[tuple[str, Any]]:
    """The nested config instances of a field's value, with the key suffix of each."""
    if dataclasses.is_dataclass(value):
        return [("", value)]
    if isinstance(value, dict):
        return [(f".{k}", v) for k, v in value.items() if dataclasses.is_dataclass(v)]
    return []


def _check_path(path: str | None, kind: str, resolve: Callable[[str], str], key: str) -> None:
    if not path:
        return  # '' or None: none given
    local = resolve(path).removeprefix("file://")
    if "://" in local:
        return  # an object store: nothing to look at without a client
    if kind in ("file", "files") and os.path.isdir(local):
        if kind == "files" and any(c in local for c in "*?["):
            return  # a glob's matches are checked where the stage lists them
        hint = f": name its files, e.g. {os.path.join(local, '*')}" if kind == "files" else ""
        raise ConfigError(f"{key}: {local} is a folder, not a file{hint}")
    if kind == "folder" and os.path.exists(local) and not os.path.isdir(local):
        raise ConfigError(f"{key}: {local} is a file, not a folder")


def load_yaml(cls: type, text: str, origin: str) -> Any:
    """`cls` from YAML text; `origin` (a file name) names the text in a syntax error."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{origin}: expected a mapping at the top level, got {_shown(data)}")
    return from_mapping(cls, data or {})


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Set `a.b.c=value` (value parsed as YAML) inside the raw mapping `data`."""
    if "=" not in assignment:
        raise ConfigError(f"override {assignment!r}: expected key.path=value")
    key_path, raw = assignment.split("=", 1)
    keys = key_path.strip().split(".")
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {assignment!r}: {key!r} is not a section")
        node = child
    node[keys[-1]] = yaml.safe_load(raw)


def to_dict(config: Any) -> dict[str, Any]:
    """The configuration as plain data (what fingerprints and manifests record)."""
    return dataclasses.asdict(config)


def _flow(value: Any) -> str:
    dumped = yaml.safe_dump(value, default_flow_style=True, width=10**9).strip()
    return dumped.removesuffix("...").strip()


def defaults_yaml(cls: type) -> str:
    """The complete configuration with every default and a one-line comment above each key."""
    lines: list[str] = []

    def emit(instance: Any, indent: int) -> None:
        pad = "  " * indent
        for f in dataclasses.fields(instance):
            value = getattr(instance, f.name)
            if f.metadata.get("help"):
                lines.append(f"{pad}# {f.metadata['help']}")
            if dataclasses.is_dataclass(value):
                lines.append(f"{pad}{f.name}:")
                emit(value, indent + 1)
            else:
                lines.append(f"{pad}{f.name}: {_flow(value)}")

    emit(cls(), 0)
    return "\n".join(lines) + "\n"
