"""Documents from a question and its answers, the order of answers, sites and their choice."""

from __future__ import annotations

import json

import pytest

from pipeline.counters import Tally
from pipeline.sources.stackexchange.posts import Post
from pipeline.sources.stackexchange.rules import (
    by_score,
    document_text,
    entry_of,
    question_document,
)
from pipeline.sources.stackexchange.sites import Site, choose_sites, site_of

COOKING = Site("cooking", "cooking.stackexchange.com")


def post(post_id: int, kind: int, score: int, body: str, parent: int | None = None,
         offset: int = 0) -> Post:  # fmt: skip
    return Post(post_id, kind, parent, score, "How?" if kind == 1 else "", body,
                "<a><b-c>" if kind == 1 else "", "CC BY-SA 4.0", None, 1, offset)  # fmt: skip


def entries(*posts: Post) -> list:
    return [entry_of(p, 0, False) for p in posts]


def test_answers_go_by_numeric_score_which_a_string_sort_gets_wrong() -> None:
    scores = {11: "10", 12: "9", 13: "-1"}
    answers = entries(*(post(i, 2, int(s), f"<p>a{i}</p>", 1) for i, s in scores.items()))
    assert [a.id for a in by_score(answers)] == [11, 12, 13]
    as_strings = sorted(scores, key=lambda i: scores[i], reverse=True)  # RedPajama v1's sort
    assert as_strings == [12, 11, 13]  # "9" > "10" > "-1"


def test_equal_scores_keep_the_older_answer_first() -> None:
    answers = entries(post(30, 2, 5, "x", 1), post(20, 2, 5, "y", 1), post(40, 2, 7, "z", 1))
    assert [a.id for a in by_score(answers)] == [40, 20, 30]


def test_the_document_template_and_meta() -> None:
    tally = Tally()
    doc, dropped = question_document(COOKING, entries(
        post(1, 1, 3, "<p>Why &amp; how?</p>"),
        post(5, 2, -1, "<p>Low.</p>", 1), post(4, 2, 9, "<p>High.</p>", 1),
        post(7, 2, 10, "<p>Best.</p>", 1),
    ), tally)  # fmt: skip
    assert dropped == [] and doc is not None
    assert doc.text == "How?\n\nWhy & how?\n\nAnswer:\nBest.\n\nAnswer:\nHigh.\n\nAnswer:\nLow."
    assert doc.id == "stackexchange/cooking/1"
    assert doc.url == "https://cooking.stackexchange.com/questions/1"
    meta = json.loads(doc.row()["meta"])
    assert meta["answer_ids"] == [7, 4, 5] and meta["answer_scores"] == [10, 9, -1]
    assert meta["site"] == "cooking" and meta["score"] == 3 and meta["tags"] == ["a", "b-c"]
    assert meta["license"] == "CC BY-SA 4.0" and meta["licenses"] == ["CC BY-SA 4.0"]


def test_answers_without_their_question_are_orphans() -> None:
    tally = Tally()
    doc, dropped = question_document(COOKING, entries(post(8, 2, 1, "<p>lost</p>", 99)), tally)
    assert doc is None and [(d.id, r) for d, r in dropped] == [
        ("stackexchange/cooking/8", "orphan_answer")
    ]
    assert tally["dropped.orphan_answer"] == 1


def test_a_post_given_twice_is_kept_once_the_first_copy() -> None:
    tally = Tally()
    first = post(1, 1, 3, "<p>first</p>", offset=10)
    again = post(1, 1, 3, "<p>again</p>", offset=5)  # earlier in its file, but a later file
    copies = [entry_of(again, 1, False), entry_of(first, 0, False), *entries(post(2, 2, 1, "a", 1))]
    doc, _ = question_document(COOKING, copies, tally)
    assert doc is not None and "first" in doc.text and "again" not in doc.text
    assert tally["dropped.duplicate"] == 1


def test_document_text_leaves_out_empty_parts() -> None:
    assert document_text("", "body", ["a"]) == "body\n\nAnswer:\na"
    assert document_text("T", "", []) == "T"


@pytest.mark.parametrize(
    ("path", "site"),
    [
        ("in/cooking.stackexchange.com/Posts.xml", ("cooking", "cooking.stackexchange.com")),
        ("gs://b/cooking.stackexchange.com.7z", ("cooking", "cooking.stackexchange.com")),
        ("in/stackoverflow.com-Posts.7z", ("stackoverflow", "stackoverflow.com")),
        ("in/math.meta.stackexchange.com.7z", ("math.meta", "math.meta.stackexchange.com")),
        ("in/ru.stackoverflow.com/Posts.xml", ("ru.stackoverflow", "ru.stackoverflow.com")),
        ("in/mathoverflow.net.7z", ("mathoverflow", "mathoverflow.net")),
        ("in/Cooking/Posts.xml", ("cooking", "cooking.stackexchange.com")),
    ],
)
def test_the_site_comes_from_the_folder_or_archive_name(path: str, site: tuple) -> None:
    assert site_of(path) == Site(*site)


def test_the_largest_sites_are_kept_unless_a_list_is_given() -> None:
    posts = {"cooking": 98, "gardening": 70, "bicycles": 45, "astronomy": 14, "beer": 45}
    assert choose_sites(posts, [], 2) == {"cooking", "gardening"}
    assert choose_sites(posts, [], 4) == {
        "cooking",
        "gardening",
        "beer",
        "bicycles",
    }  # ties by name
    assert choose_sites(posts, ["astronomy"], 2) == {"astronomy"}
