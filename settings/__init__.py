"""Typed configuration shared by the pipeline, the tokenizer and the trainer.

Every setting is a dataclass field made with `param` (a default, a one-line help and its
bounds); `from_mapping` builds the dataclasses from YAML data, checking keys, types, bounds
and finiteness and naming the key path of the first problem (`optim.lr: expected a number,
got string '1e-3'`); `check_paths` refuses a folder where a file is wanted (and the reverse);
`defaults_yaml` prints the complete reference. This package sits below `pipeline`,
`tokenizer` and `trainer` and imports only PyYAML, so all three can use it.
"""

from settings.loader import (
    ConfigError,
    apply_override,
    check_paths,
    defaults_yaml,
    from_mapping,
    load_yaml,
    to_dict,
)
from settings.param import BYTES_MAX, COUNT_MAX, INT32_MAX, SEED_MAX, param

__all__ = [
    "BYTES_MAX",
    "COUNT_MAX",
    "INT32_MAX",
    "SEED_MAX",
    "ConfigError",
    "apply_override",
    "check_paths",
    "defaults_yaml",
    "from_mapping",
    "load_yaml",
    "param",
    "to_dict",
]
