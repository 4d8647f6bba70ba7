"""The registry: sources ordered by the stages they read from each other, then by name, and
never by the order they were found in; a declaration it cannot use is an error naming the
source. Toy sources come in through real entry points of the `fleece.sources` group (their
`value` points into this module); the seven built-in ones are found as always.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from importlib.metadata import EntryPoint

import pytest

from pipeline import registry
from pipeline.declaration import SourceSpec, StageSpec
from pipeline.registry import SourceDeclarationError, dependency_order


@dataclasses.dataclass
class ToyConfig:
    inputs: list[str] = dataclasses.field(default_factory=list)


def toy(name: str, *requires: str, stages: tuple[str, ...] = ()) -> SourceSpec:
    """A source `name` whose stage `name` reads `requires`; `stages` run before it."""
    before = tuple(StageSpec(s, f"toy.{s}", f"Stage {s}.") for s in stages)
    last = StageSpec(name, f"toy.{name}", f"Stage {name}.", requires=requires)
    return SourceSpec(name, name.title(), name, ToyConfig, (*before, last), f"`{name}/<n>`")


# what the entry points below load (EntryPoint.load imports this module)
ZETA = toy("zeta")
ALPHA = toy("alpha", "zeta")  # reads zeta: after it, though its name sorts first
MIDDLE = toy("middle", "score", stages=("score",))  # its own stage only
LOOP_A = toy("loop_a", "loop_b")
LOOP_B = toy("loop_b", "loop_a")
DANGLING = toy("dangling", "nowhere")
SECOND_GITHUB = toy("github")
NAMELESS = SourceSpec("nameless", "N", "n", ToyConfig, (StageSpec("other", "toy", "."),), "")
NOT_A_SPEC = "reviews"


def points(*attributes: str) -> list[EntryPoint]:
    return [
        EntryPoint(a.lower(), f"{__name__}:{a}", registry.ENTRY_POINT_GROUP) for a in attributes
    ]


Install = Callable[..., None]


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """`installed(*attributes)`: the group's entry points are those attributes of this module."""

    def install(*attributes: str) -> None:
        found = points(*attributes)
        monkeypatch.setattr(registry, "entry_points", lambda group: found)
        registry.sources.cache_clear()

    yield install
    registry.sources.cache_clear()  # the next test sees the seven again


def test_order_is_dependencies_then_name_never_discovery_order() -> None:
    specs = [ZETA, MIDDLE, ALPHA]
    expected = ["middle", "zeta", "alpha"]
    assert dependency_order({s.name: s for s in specs}) == expected
    assert dependency_order({s.name: s for s in reversed(specs)}) == expected


def test_installed_sources_take_their_place_among_the_built_in_ones(installed: Install) -> None:
    installed("ZETA", "ALPHA")
    names = registry.source_names()
    assert names.index("zeta") < names.index("alpha")
    # commoncrawl reads wikipedia's documents; the rest by name
    assert names.index("wikipedia") < names.index("commoncrawl")
    assert [n for n in names if n not in ("zeta", "alpha", "commoncrawl")] == sorted(
        n for n in names if n not in ("zeta", "alpha", "commoncrawl")
    )
    installed("ALPHA", "ZETA")
    assert registry.source_names() == names


def test_a_source_outside_table_one_defaults_to_ratio_zero(installed: Install) -> None:
    installed("ZETA")
    ratios = registry.default_ratios()
    assert ratios["zeta"] == 0
    assert ratios["commoncrawl"] == 67 and sum(ratios.values()) == pytest.approx(100)


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (("LOOP_A", "LOOP_B"), r"cycle: \['loop_a', 'loop_b'\]"),
        (("DANGLING",), r"source dangling: stage dangling requires 'nowhere', which no source"),
        (("SECOND_GITHUB",), r"two sources named 'github': pipeline\.sources\.github and "),
        (("NAMELESS",), r"source nameless \(.*\): none of its stages \(other\) is named"),
        (("NOT_A_SPEC",), r"not_a_spec = .*:NOT_A_SPEC \(fleece\.sources\) is a str, not a "),
    ],
)
def test_an_unusable_declaration_is_an_error_naming_the_source(
    installed: Install, attributes: tuple[str, ...], message: str
) -> None:
    installed(*attributes)
    with pytest.raises(SourceDeclarationError, match=message):
        registry.sources()


def test_two_sources_declaring_one_stage_are_named() -> None:
    first, second = toy("first", stages=("shared",)), toy("second", stages=("shared",))
    with pytest.raises(
        SourceDeclarationError, match="'shared' is declared by both first and second"
    ):
        dependency_order({"first": first, "second": second})
