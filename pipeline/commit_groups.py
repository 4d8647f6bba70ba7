"""The setting of a stage that commits its work per group of input files and resumes from
the groups committed (pipeline/harness/groups.py); standard library and settings only, so a
stage's config module stays light to import."""

from __future__ import annotations

from typing import Any

from settings import COUNT_MAX, param


def commit_files_field(note: str = "") -> Any:
    """`commit_files`: input files per committed group (`note` ends its help)."""
    return param(
        64,
        "input files per committed group: a rerun after a failure reads only the groups "
        "not yet committed" + (f" ({note})" if note else ""),
        min=1,
        max=COUNT_MAX,
    )
