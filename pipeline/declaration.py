"""What a source declares about itself, once, in its own package.

A source is a package (built in under `pipeline/sources/<name>/`, or in any installed
distribution that names it in the `fleece.sources` entry-point group) whose `SOURCE` is a
`SourceSpec`. Everything outside the package learns about the source from that object: the
stage table and the CLI (its stages), the manifest (its config section), the mix (its
default ratio), the report (its label, LLaMA's Table 1 row, its reasons) and `fleece plan`
(its bytes per token and published size). Standard library only: declarations are read to
list the commands, so `fleece --help` stays fast.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StageSpec:
    """One stage of the table: its name (= command = output folder), the module defining
    `STAGE` and `command`, the line `fleece --help` shows, and the stages it reads."""

    name: str
    module: str
    summary: str
    # stages whose outputs this one reads, by name: its own source's, or another source's
    # (a dependency between sources is declared here, never written in a stage)
    requires: tuple[str, ...] = ()
    read_unit: str = ""  # what one `read` counts in its _stats.json ("WET record"); "" if none


@dataclass(frozen=True)
class TableOneRow:
    """A source's row of LLaMA's Table 1 (Touvron et al. 2023): sampling proportion, epochs
    and disk size of the processed text."""

    share: float
    epochs: float
    disk_bytes: float


@dataclass(frozen=True)
class PlanDefaults:
    """What `fleece plan` assumes for a source: raw input bytes (as shipped, compressed or
    not) per final token, filters included, and the size of the real inputs, used when they
    cannot be listed; `derivation` says where both figures come from."""

    bytes_per_token: float
    published_input_bytes: int
    derivation: str = ""


@dataclass(frozen=True)
class SourceSpec:
    """A source of the mixture. `name` is its stage that writes the documents, its
    `Document.source`, its id prefix (`<name>/...`), its mixture key, its section
    `sources.<name>` in the manifest and its value in the shards' source column."""

    name: str
    label: str  # the report's name of the source ("CommonCrawl")
    summary: str  # the one-line help of its manifest section
    config: type  # the dataclass of `sources.<name>`: `inputs` (globs) and its parameters
    stages: tuple[StageSpec, ...]  # in the order they run; one of them is named `name`
    id_form: str  # the shape of its document ids, for the README and the report
    drop_reasons: Mapping[str, str] = field(default_factory=dict)  # reason -> what it means
    error_reasons: Mapping[str, str] = field(default_factory=dict)
    # a record written inside another's document (an answer in its question's), lost as a
    # document of its own but not as text
    merged_reasons: Mapping[str, str] = field(default_factory=dict)
    # noted on a record kept or on a container, losing no record (pipeline/counters.py)
    warning_reasons: Mapping[str, str] = field(default_factory=dict)
    ratio: float = 0.0  # default share in the mix (any scale); 0 outside LLaMA's Table 1
    table_one: TableOneRow | None = None  # None: not in LLaMA's mixture
    plan: PlanDefaults | None = None

    @property
    def id_prefix(self) -> str:
        return f"{self.name}/"

    def stage(self, name: str) -> StageSpec:
        for spec in self.stages:
            if spec.name == name:
                return spec
        raise KeyError(f"source {self.name} has no stage {name!r}")

    def problems(self) -> list[str]:
        """What is wrong with the declaration itself (checked when sources are found)."""
        found = []
        names = [s.name for s in self.stages]
        if self.name not in names:
            found.append(f"none of its stages ({', '.join(names)}) is named {self.name!r}")
        if not self.name.isidentifier() or self.name != self.name.lower():
            found.append(f"{self.name!r} is not a lower-case identifier (it is a manifest key)")
        if self.ratio < 0:
            found.append(f"negative ratio {self.ratio}")
        fields = getattr(self.config, "__dataclass_fields__", {})
        if "inputs" not in fields:
            found.append(f"its config {self.config.__name__} is not a dataclass with `inputs`")
        return found
