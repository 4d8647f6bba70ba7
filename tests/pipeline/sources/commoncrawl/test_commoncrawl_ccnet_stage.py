"""The lm and ccnet stages on the sample, measured against its ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.documents import read_documents
from pipeline.sample.commoncrawl import FAMILY_OF_LINE
from pipeline.sources.commoncrawl.wet import WetPage, read_wet
from pipeline.text.normalize import dedup_form
from tests.faults.conftest import fleece, sample_manifest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("ccnet")
    manifest = sample_manifest(root / "m.yaml", root / "run")
    result = fleece("corpus", "--manifest", str(manifest), "--only",
                    "sample,wikipedia,lm,ccnet,refclf", "--keep-dropped")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    truth = json.loads((run / "inputs" / "ground_truth.json").read_text())["commoncrawl"]
    kept = {r["id"]: r for p in sorted((run / "ccnet").glob("part-*.parquet")) for r in read_documents(str(p))}  # fmt: skip
    dropped = {r["id"]: r for p in sorted((run / "ccnet" / "dropped").glob("*.parquet")) for r in read_documents(str(p))}  # fmt: skip
    return {"run": run, "truth": truth, "kept": kept, "dropped": dropped, "output": result.stdout,
            "manifest": manifest}  # fmt: skip


def test_every_page_is_kept_or_dropped_with_a_reason(built: dict) -> None:
    assert set(built["kept"]) | set(built["dropped"]) == set(built["truth"]["pages"])
    assert not set(built["kept"]) & set(built["dropped"])
    for doc in built["kept"].values():
        meta = json.loads(doc["meta"])
        assert {"digest", "dump", "lang_score", "perplexity", "lines_removed"} <= set(meta)
        assert doc["id"] == f"commoncrawl/{meta['dump']}/{doc['id'].rsplit('/', 1)[1]}"


def test_language_id_drops_non_english_and_keeps_english(built: dict) -> None:
    truth, kept = built["truth"], built["kept"]
    non_english = [d for d in truth["non_english"] if d not in truth["duplicate_pages"]]
    assert sum(d not in kept for d in non_english) / len(non_english) >= 0.95
    english = [d for d, p in truth["pages"].items() if p["kind"] in ("web", "reference")
               and d not in truth["duplicate_pages"]]  # fmt: skip
    assert sum(d in kept for d in english) / len(english) >= 0.95
    assert not set(truth["gibberish"]) & set(kept)


def test_planted_boilerplate_goes_and_ordinary_lines_stay(built: dict) -> None:
    originals = {}
    for path in sorted((built["run"] / "inputs" / "commoncrawl").glob("*.wet.gz")):
        with open(path, "rb") as stream:
            for item in read_wet(stream, str(path), 64 << 20):
                if isinstance(item, WetPage):
                    originals[f"commoncrawl/{item.dump}/{item.record_id}"] = item.text
    planted = {dedup_form(v) for v in FAMILY_OF_LINE}
    # an ordinary line is one no other page (of another digest) has: lines such as
    # "mike_87 wrote:" recur across pages and go, as cc_net wants
    pages_of: dict[str, set[str]] = {}
    digests = {d: p["digest"] for d, p in built["truth"]["pages"].items()}
    for doc_id, text in originals.items():
        for line in text.split("\n"):
            pages_of.setdefault(dedup_form(line), set()).add(digests[doc_id])
    boilerplate = removed = ordinary = ordinary_kept = 0
    for doc_id, doc in built["kept"].items():
        kept_lines = set(doc["text"].split("\n"))
        for line in originals[doc_id].split("\n"):
            form = dedup_form(line)
            if form in planted:
                boilerplate += 1
                removed += line not in kept_lines
            elif form and len(pages_of[form]) == 1:
                ordinary += 1
                ordinary_kept += line in kept_lines
    assert boilerplate > 100 and removed / boilerplate >= 0.95  # variants in digits, case, marks
    assert ordinary_kept / ordinary >= 0.95


def test_every_duplicate_group_is_kept_once_by_its_smallest_id(built: dict) -> None:
    kept, dropped = built["kept"], built["dropped"]
    for group in built["truth"]["duplicate_groups"]:
        survivors = [d for d in group if d in kept or dropped[d]["reason"] != "duplicate"]
        assert survivors == [min(group)], group


def test_word_salad_scores_above_the_sixtieth_percentile(built: dict) -> None:
    kept, truth = built["kept"], built["truth"]
    scores = sorted(json.loads(d["meta"])["perplexity"] for d in kept.values())
    p60 = scores[int(0.6 * len(scores))]
    salad = [json.loads(kept[d]["meta"])["perplexity"] for d in truth["word_salad"] if d in kept]
    assert salad and min(salad) > p60, (min(salad), p60)


def test_the_console_names_the_planted_corrupt_record(built: dict) -> None:
    corrupt = built["truth"]["corrupt_records"][0]
    assert (
        f"record #{corrupt['record']} at byte {corrupt['offset']}: corrupt_member"
        in built["output"]
    )


def test_the_reference_classifier_finds_the_cited_pages_and_is_measured(built: dict) -> None:
    from pipeline.sources.commoncrawl.reference import ReferenceClassifier

    stats = json.loads((built["run"] / "refclf" / "_stats.json").read_text())
    cited_kept = [d for d in built["truth"]["cited_by_wikipedia"] if d in built["kept"]]
    assert stats["counters"]["positives.cited"] == len(cited_kept) >= 10
    assert stats["counters"]["negatives"] == len(cited_kept)
    figures = stats["figures"]
    assert set(figures) == {"held_out.auc", "held_out.precision", "held_out.recall"}
    assert all(0.0 <= value <= 1.0 for value in figures.values())
    model = ReferenceClassifier(str(built["run"] / "refclf" / "model.bin"))
    cited = [model.probability(built["kept"][d]["text"]) for d in cited_kept]
    others = [model.probability(t["text"]) for d, t in built["kept"].items() if d not in cited_kept]
    assert sum(cited) / len(cited) > sum(others) / len(others)


def test_too_few_positives_stops_naming_the_keys_to_set(built: dict, tmp_path: Path) -> None:
    import yaml

    manifest = yaml.safe_load(Path(built["manifest"]).read_text())
    manifest["sources"]["commoncrawl"]["reference_classifier"] = {"min_positives": 100000}
    changed = tmp_path / "m.yaml"
    changed.write_text(yaml.safe_dump(manifest))
    result = fleece("refclf", "--manifest", str(changed))
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert "fewer than sources.commoncrawl.reference_classifier.min_positives=100000" in line
    assert (
        "reference_classifier.positives" in line and "reference_classifier.enabled: false" in line
    )
