"""Finding the sources: every package under `pipeline/sources/`, then every `SourceSpec` an
installed distribution names in the entry-point group `fleece.sources`.

The built-in sources are found by walking their folder, so a new one there needs no other
edit and no reinstall. A source that lives in another distribution registers in that
distribution's metadata (pytest's plugins work the same way):

    [project.entry-points."fleece.sources"]
    reviews = "fleece_reviews:SOURCE"

Sources are ordered by the stages they read from each other (a source after the sources it
reads), then by name; never by the order they were found in, which depends on the disk and
the installed distributions. Nothing here imports a source statically: the layers stay
one-way (sources -> shared parts -> harness) and the report and plan read declarations only.
"""

from __future__ import annotations

import functools
import heapq
import importlib
import pkgutil
from collections.abc import Iterator
from importlib.metadata import entry_points

from pipeline.declaration import SourceSpec, StageSpec

BUILT_IN = "pipeline.sources"
ENTRY_POINT_GROUP = "fleece.sources"


class SourceDeclarationError(RuntimeError):
    """A declaration that cannot be used (two sources of one name, a stage that reads one
    no source declares, a cycle); the message names the source."""


def _built_in() -> Iterator[tuple[str, SourceSpec]]:
    package = importlib.import_module(BUILT_IN)
    for module in pkgutil.iter_modules(package.__path__):
        if module.ispkg:
            where = f"{BUILT_IN}.{module.name}"
            yield where, importlib.import_module(where).SOURCE


def _installed() -> Iterator[tuple[str, SourceSpec]]:
    for point in entry_points(group=ENTRY_POINT_GROUP):
        spec = point.load()
        if not isinstance(spec, SourceSpec):
            raise SourceDeclarationError(
                f"entry point {point.name} = {point.value} ({ENTRY_POINT_GROUP}) is a "
                f"{type(spec).__name__}, not a SourceSpec"
            )
        yield point.value, spec


def _owners(found: dict[str, SourceSpec]) -> dict[str, str]:
    """stage name -> the source declaring it."""
    owners: dict[str, str] = {}
    for spec in found.values():
        for stage in spec.stages:
            if stage.name in owners:
                raise SourceDeclarationError(
                    f"stage {stage.name!r} is declared by both {owners[stage.name]} and {spec.name}"
                )
            owners[stage.name] = spec.name
    return owners


def dependency_order(found: dict[str, SourceSpec]) -> list[str]:
    """Source names, each after the sources whose stages it reads; ties by name."""
    owners = _owners(found)
    reads: dict[str, set[str]] = {name: set() for name in found}
    for spec in found.values():
        for stage in spec.stages:
            for required in stage.requires:
                if required not in owners:
                    raise SourceDeclarationError(
                        f"source {spec.name}: stage {stage.name} requires {required!r}, which "
                        "no source declares"
                    )
                if owners[required] != spec.name:
                    reads[spec.name].add(owners[required])
    ready = [name for name, needs in reads.items() if not needs]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = heapq.heappop(ready)
        order.append(name)
        for other, needs in reads.items():
            if name in needs:
                needs.discard(name)
                if not needs:
                    heapq.heappush(ready, other)
    if len(order) < len(found):
        stuck = sorted(set(found) - set(order))
        raise SourceDeclarationError(f"sources that read each other in a cycle: {stuck}")
    return order


@functools.cache
def sources() -> tuple[SourceSpec, ...]:
    """Every source, in dependency order, then by name."""
    found: dict[str, SourceSpec] = {}
    where: dict[str, str] = {}
    for origin, spec in [*_built_in(), *_installed()]:
        problems = spec.problems()
        if problems:
            raise SourceDeclarationError(f"source {spec.name} ({origin}): {'; '.join(problems)}")
        if spec.name in found:
            raise SourceDeclarationError(
                f"two sources named {spec.name!r}: {where[spec.name]} and {origin}"
            )
        found[spec.name], where[spec.name] = spec, origin
    return tuple(found[name] for name in dependency_order(found))


def source_names() -> tuple[str, ...]:
    return tuple(spec.name for spec in sources())


def source(name: str) -> SourceSpec:
    for spec in sources():
        if spec.name == name:
            return spec
    raise KeyError(f"unknown source {name!r}; sources are {', '.join(source_names())}")


def source_stage_specs() -> tuple[StageSpec, ...]:
    """The stages of every source, source by source, each source's in its declared order."""
    return tuple(stage for spec in sources() for stage in spec.stages)


def default_ratios() -> dict[str, float]:
    """The mix's default ratios: each source's declared one (LLaMA's Table 1, else 0)."""
    return {spec.name: spec.ratio for spec in sources()}
