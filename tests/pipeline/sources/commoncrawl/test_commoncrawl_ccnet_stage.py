"""The CommonCrawl stages (lm, ccnet, refclf, commoncrawl) on the sample, measured against
its ground truth."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipeline.documents import read_documents
from pipeline.readers.wet import WetPage, read_wet
from pipeline.sample.commoncrawl import FAMILY_OF_LINE
from pipeline.text.normalize import dedup_form
from tests.faults.conftest import fleece, sample_manifest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("ccnet")
    manifest = sample_manifest(root / "m.yaml", root / "run")
    result = fleece("corpus", "--manifest", str(manifest), "--only",
                    "sample,wikipedia,lm,ccnet,refclf,commoncrawl", "--keep-dropped")  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    run = root / "run"
    truth = json.loads((run / "inputs" / "ground_truth.json").read_text())["commoncrawl"]
    kept = {r["id"]: r for p in sorted((run / "ccnet").glob("part-*.parquet")) for r in read_documents(str(p))}  # fmt: skip
    dropped = {r["id"]: r for p in sorted((run / "ccnet" / "dropped").glob("*.parquet")) for r in read_documents(str(p))}  # fmt: skip
    selected = {r["id"]: r for r in read_documents(str(run / "commoncrawl" / "part-*.parquet"))}
    final_drops = {r["id"]: r for r in read_documents(str(run / "commoncrawl" / "dropped" / "*.parquet"))}  # fmt: skip
    return {"run": run, "truth": truth, "kept": kept, "dropped": dropped, "output": result.stdout,
            "manifest": manifest, "selected": selected, "final_drops": final_drops}  # fmt: skip


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


def test_no_kept_page_holds_a_line_without_letter_or_digit(built: dict) -> None:
    """The navigation site's pages carry lines such as "«", "|" and "•" under their title
    and at their end, as the Python docs' pages do: every one goes, counted, and the page
    ends in its own words."""
    truth, kept = built["truth"], built["kept"]
    site = [d for d in truth["navigation_site"]["pages"] if d in kept]
    assert len(site) >= 10
    for doc in kept.values():
        for line in doc["text"].split("\n"):
            assert any(ch.isalnum() for ch in line), (doc["id"], line)
    for doc_id in site:
        planted = truth["pages"][doc_id]["navigation_lines"]
        assert json.loads(kept[doc_id]["meta"])["lines_punctuation_only"] == len(planted)
    counters = json.loads((built["run"] / "ccnet" / "_stats.json").read_text())["counters"]
    removed = sum(len(truth["pages"][d]["navigation_lines"]) for d in site)
    assert counters["lines.punctuation_only"] >= removed


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


def test_the_reference_classifier_ranks_held_out_cited_pages_first(built: dict) -> None:
    from pipeline.sources.commoncrawl.reference import (
        ReferenceClassifier,
        auc,
        is_held_out,
        negative_rank,
    )

    config = yaml_manifest(built)["sources"]["commoncrawl"]["reference_classifier"]
    share, seed = config["held_out"], config.get("seed", 0)
    model = ReferenceClassifier(str(built["run"] / "refclf" / "model.bin"))
    cited = set(built["truth"]["cited_by_wikipedia"])
    kept = built["kept"]
    positives = [d for d in sorted(kept) if d in cited]
    # the negatives the stage drew: as many others, by seeded rank
    others = sorted((d for d in kept if d not in cited), key=lambda d: negative_rank(d, seed))
    held_positive = [d for d in positives if is_held_out(d, seed, share)]
    held_negative = [d for d in others[: len(positives)] if is_held_out(d, seed, share)]
    assert len(held_positive) >= 10 and len(held_negative) >= 10
    score = auc(
        [model.probability(kept[d]["text"]) for d in held_positive],
        [model.probability(kept[d]["text"]) for d in held_negative],
    )
    figures = json.loads((built["run"] / "refclf" / "_stats.json").read_text())["figures"]
    assert score >= 0.8 and figures["held_out.auc"] == round(score, 4)


def yaml_manifest(built: dict) -> dict:
    return yaml.safe_load(Path(built["manifest"]).read_text())


def test_commoncrawl_keeps_head_and_middle_references_with_their_signals(built: dict) -> None:
    selected, truth = built["selected"], built["truth"]
    assert len(selected) >= 40
    for doc in selected.values():
        meta = json.loads(doc["meta"])
        assert {"digest", "language", "lang_score", "perplexity", "bucket", "wiki_prob"} <= set(
            meta
        )
        assert meta["bucket"] in ("head", "middle") and meta["wiki_prob"] >= 0.5
        assert meta["language"] == doc["language"] == "en"
    # what the filters are for: no junk gets through, and most cited pages do
    junk = set(truth["gibberish"]) | set(truth["word_salad"]) | set(truth["non_english"])
    assert not junk & set(selected)
    cited = [d for d in truth["cited_by_wikipedia"] if d in built["kept"]]
    assert sum(d in selected for d in cited) / len(cited) >= 0.9
    shop = [d for d, p in truth["pages"].items() if p["kind"] == "web"]
    assert sum(d in selected for d in shop) / len(shop) <= 0.05


def test_word_salad_lands_in_the_tail(built: dict) -> None:
    drops = built["final_drops"]
    salad = [d for d in built["truth"]["word_salad"] if d in built["kept"]]
    assert salad and all(drops[d]["reason"] == "tail" for d in salad)
    assert all(json.loads(drops[d]["meta"])["bucket"] == "tail" for d in salad)


def test_keep_dropped_gives_every_page_once_with_its_reason(built: dict) -> None:
    selected, drops = built["selected"], built["final_drops"]
    assert set(selected) | set(drops) == set(built["truth"]["pages"])
    assert not set(selected) & set(drops)
    reasons = {row["reason"] for row in drops.values()}
    assert {"duplicate", "short", "language", "tail", "not_reference"} <= reasons


def test_the_cutoffs_used_are_the_run_percentiles_and_recorded(built: dict) -> None:
    stage_dir = built["run"] / "commoncrawl"
    cutoffs = json.loads((stage_dir / "cutoffs.json").read_text())
    figures = json.loads((stage_dir / "_stats.json").read_text())["figures"]
    head, middle = cutoffs["en"]
    assert figures["cutoffs.en.head"] == round(head, 4)
    assert figures["cutoffs.en.middle"] == round(middle, 4)
    scores = sorted(
        json.loads(d["meta"])["perplexity"] for d in built["kept"].values() if d["language"] == "en"
    )
    at_or_below = [sum(s <= c for s in scores) / len(scores) for c in (head, middle)]
    assert 0.30 <= at_or_below[0] < 0.33 and 0.60 <= at_or_below[1] < 0.63


def test_new_cutoffs_rerun_commoncrawl_alone_and_a_rerun_is_byte_identical(
    built: dict, tmp_path: Path
) -> None:
    stage_dir = built["run"] / "commoncrawl"
    before = {p.name: p.read_bytes() for p in sorted(stage_dir.glob("part-*.parquet"))}
    only = "sample,wikipedia,lm,ccnet,refclf,commoncrawl"
    manifest = yaml_manifest(built)
    manifest["sources"]["commoncrawl"]["keep"] = {"cutoffs": {"en": [8.0, 10.0]}}
    changed = tmp_path / "m.yaml"
    changed.write_text(yaml.safe_dump(manifest))
    result = fleece("corpus", "--manifest", str(changed), "--only", only)
    assert result.returncode == 0, result.stderr[-3000:]
    for stage in ("sample", "wikipedia", "lm", "ccnet", "refclf"):
        assert f"{stage}: complete" in result.stdout, result.stdout
    assert "commoncrawl: running (inputs or parameters changed" in result.stdout
    assert json.loads((stage_dir / "cutoffs.json").read_text()) == {"en": [8.0, 10.0]}
    for doc in read_documents(str(stage_dir / "part-*.parquet")):
        assert json.loads(doc["meta"])["perplexity"] <= 10.0
    # back to the original manifest: the same bytes as the first build
    result = fleece("corpus", "--manifest", str(built["manifest"]), "--only", only)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {p.name: p.read_bytes() for p in sorted(stage_dir.glob("part-*.parquet"))} == before


def test_a_damaged_classifier_stops_commoncrawl_before_any_page(built: dict) -> None:
    import os

    model = built["run"] / "refclf" / "model.bin"
    original, stat = model.read_bytes(), model.stat()
    try:  # bit rot: the same size and time, so only the content can tell
        model.write_bytes(b"\x00" * len(original))
        os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        result = fleece("commoncrawl", "--manifest", str(built["manifest"]), "--force")
    finally:
        model.write_bytes(original)
        os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    # the model's checksum refuses it before any loading (it would fail to load too)
    assert "output file model.bin changed after the stage finished (checksum" in line
    assert "Traceback" not in result.stderr


# last: a stage that cannot run leaves no output, so this removes refclf/
def test_too_few_positives_stops_naming_the_keys_to_set(built: dict, tmp_path: Path) -> None:
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


# these two remove ccnet/ and lm/ (a stage that cannot run leaves no output): they go last
def test_a_file_that_is_not_a_language_id_model_stops_ccnet(built: dict, tmp_path: Path) -> None:
    manifest = yaml_manifest(built)
    bogus = tmp_path / "lid.176.bin"
    bogus.write_bytes(b"not a model")
    manifest["sources"]["commoncrawl"]["ccnet"] = {"lid_model": str(bogus)}
    changed = tmp_path / "m.yaml"
    changed.write_text(yaml.safe_dump(manifest))
    result = fleece("ccnet", "--manifest", str(changed))
    assert result.returncode == 1
    assert f"{bogus}: not a fastText model" in result.stderr.strip().splitlines()[-1]
    assert "ccnet: running" in result.stdout and "ccnet: done" not in result.stdout


def test_a_corrupt_ready_language_model_stops_lm_naming_the_key(
    built: dict, tmp_path: Path
) -> None:
    import shutil

    manifest = yaml_manifest(built)
    pieces = tmp_path / "en.sp.model"
    shutil.copy(built["run"] / "lm" / "en.sp.model", pieces)
    kenlm = tmp_path / "en.arpa.bin"
    kenlm.write_bytes(b"mmap lm http://kheafield.com/code format version 5\x00garbage")
    manifest["sources"]["commoncrawl"]["lm"]["ready"] = {
        "en": {"sentencepiece": str(pieces), "kenlm": str(kenlm)}
    }
    changed = tmp_path / "m.yaml"
    changed.write_text(yaml.safe_dump(manifest))
    result = fleece("lm", "--manifest", str(changed))
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert "sources.commoncrawl.lm.ready.en" in line and f"{kenlm}: not a KenLM model" in line
