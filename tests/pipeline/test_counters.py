"""The counter names and the one-line summary the console prints after a stage."""

from __future__ import annotations

from pipeline import counters


def test_per_name_families_fold_into_one_figure_and_the_rest_stay() -> None:
    counts = {
        "read": 10,
        "kept": 8,
        counters.unknown_template("navbox alabama"): 3,
        counters.unknown_template("eqm"): 12,
        counters.macros_skipped("in_group"): 2,
    }
    assert counters.folded(counts) == {
        "read": 10,
        "kept": 8,
        "templates.unknown": 15,
        "macros.skipped.in_group": 2,
    }


def test_utf8_size_counts_bytes_not_characters() -> None:
    assert counters.utf8_size("Köln 日本") == len("Köln 日本".encode()) == 12
    assert counters.utf8_size("\ud800") == 3  # a lone surrogate from a JSON escape: no crash
