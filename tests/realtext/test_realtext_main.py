"""The orchestration of `python -m realtext` that needs no download: which sources run,
a missing module, packages fetched once."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest
import yaml

import realtext.__main__ as realtext_main
from realtext.__main__ import RealTextError, fetch_packages, needed_sources, source_module
from realtext.download import Package


def test_a_source_brings_the_sources_it_reads() -> None:
    assert needed_sources(["commoncrawl"]) == ["commoncrawl", "wikipedia"]
    assert needed_sources(["stackexchange", "github"]) == ["github", "stackexchange"]


def test_a_missing_module_is_one_line_naming_it() -> None:
    with pytest.raises(RealTextError) as caught:
        source_module("nosuchsource")
    assert (
        str(caught.value) == "realtext: no module realtext.nosuchsource (realtext/nosuchsource.py)"
    )


def module(*packages: Package) -> ModuleType:
    found = ModuleType("fake")
    found.PACKAGES = list(packages)
    return found


def test_a_package_two_sources_name_is_fetched_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fetched = []

    def fake_fetch(package: Package, cache: Path) -> Path:
        fetched.append(package)
        return cache / package.folder

    monkeypatch.setattr(realtext_main, "fetch", fake_fetch)
    doc = Package("deb", "python3.11-doc")
    modules = {"a": module(doc, Package("wheel", "x", "1")), "b": module(doc)}
    folders = fetch_packages(modules, tmp_path)
    assert fetched == [doc, Package("wheel", "x", "1")]
    assert folders == {
        "a": {"python3.11-doc": tmp_path / "deb-python3.11-doc", "x": tmp_path / "wheel-x"},
        "b": {"python3.11-doc": tmp_path / "deb-python3.11-doc"},
    }


def test_two_versions_of_one_package_are_refused() -> None:
    modules = {"a": module(Package("sdist", "idna", "3.4")), "b": module(Package("sdist", "idna"))}
    with pytest.raises(
        RealTextError, match="b asks for sdist idna, another source for sdist idna 3.4"
    ):
        fetch_packages(modules, Path("unused"))


def test_inputs_are_built_afresh_and_reused_with_keep(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(realtext_main, "BUILD", tmp_path)
    built = []

    def build_inputs(packages: dict[str, Path], inputs: Path) -> dict:
        built.append(sorted(p.name for p in inputs.iterdir()))  # what is there before
        (inputs / "export.jsonl").write_text("{}\n")
        return {"inputs": [str(inputs / "*.jsonl")]}

    source = module()
    source.build_inputs = build_inputs
    (tmp_path / "inputs" / "github").mkdir(parents=True)
    (tmp_path / "inputs" / "github" / "stale.jsonl").write_text("{}\n")
    sections = realtext_main.build_sections({"github": source}, {"github": {}}, keep=False)
    assert built == [[]]  # the stale file went first
    assert sections == {"github": {"inputs": [str(tmp_path / "inputs" / "github" / "*.jsonl")]}}
    (tmp_path / "manifest.yaml").write_text(yaml.safe_dump({"sources": sections}))
    assert realtext_main.build_sections({"github": source}, {"github": {}}, keep=True) == sections
    assert len(built) == 1  # reused, not built again
