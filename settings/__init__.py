"""Typed configuration shared by the pipeline, the tokenizer and the trainer.

Every setting is a dataclass field made with `param` (a default, a one-line help and
optional bounds); `from_mapping` builds the dataclasses from YAML data, checking keys, types
and bounds and naming the key path of the first problem (`optim.lr: expected a number, got
string '1e-3'`); `defaults_yaml` prints the complete reference. This package sits below
`pipeline`, `tokenizer` and `trainer` and imports only PyYAML, so all three can use it.
"""

from settings.loader import (
    ConfigError,
    apply_override,
    defaults_yaml,
    from_mapping,
    load_yaml,
    to_dict,
)
from settings.param import param

__all__ = [
    "ConfigError",
    "apply_override",
    "defaults_yaml",
    "from_mapping",
    "load_yaml",
    "param",
    "to_dict",
]
