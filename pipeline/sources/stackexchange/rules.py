"""A question and its answers -> one Document: the template, the order of answers, the meta.

The template (blank lines between the parts; an empty title or body leaves its part out):

    <title>

    <question body as text>

    Answer:
    <best answer as text>

    Answer:
    <next answer as text>

Answers go by numeric score, highest first, ties by the smaller (older) post id. RedPajama
v1 sorted the Score attribute as a string, so "9" came before "10" and "-1" before "-3";
LLaMA asks for "sorted by score (from highest to lowest)". Bodies become text by
`markup.html_to_text` as the rows are read; the stage stages that text (staging.py) and
groups only the numbers `plan_question` decides on, so the grouping carries no text.

Meta: site, question_id, score (the question's), answer_ids and answer_scores (in the
order written), accepted_answer_id (or null), tags, license (the question's ContentLicense)
and licenses (every licence among the question and its answers).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple, Protocol, TypeVar

from pipeline import counters
from pipeline.counters import Count
from pipeline.documents import Document
from pipeline.sources.stackexchange.markup import html_to_text
from pipeline.sources.stackexchange.posts import ANSWER, QUESTION, Post
from pipeline.sources.stackexchange.sites import Site

NAME = "stackexchange"
ANSWER_HEADING = "Answer:"
TAG = re.compile(r"<([^<>]+)>")


class Entry(NamedTuple):
    """What pass 1 stages of one post: its text, not its HTML."""

    type: int
    id: int
    score: int
    title: str
    text: str
    tags: tuple[str, ...]
    license: str
    accepted: int | None
    where: tuple[int, int]  # (file index, byte offset of the row): the first copy wins


def entry_of(post: Post, file_index: int, link_urls: bool) -> Entry:
    return Entry(
        type=post.type,
        id=post.id,
        score=post.score,
        title=" ".join(post.title.split()),
        text=html_to_text(post.body, link_urls),
        tags=tuple(TAG.findall(post.tags)) or tuple(t for t in post.tags.split("|") if t),
        license=post.license,
        accepted=post.accepted,
        where=(file_index, post.offset),
    )


def question_key(post: Post) -> int:
    """The question a post belongs to: its own id, or an answer's ParentId."""
    return post.parent if post.type == ANSWER and post.parent is not None else post.id


def by_score(answers: Iterable[P]) -> list[P]:
    """Highest numeric score first, ties by the smaller id."""
    return sorted(answers, key=lambda a: (-a.score, a.id))


def document_text(title: str, question: str, answers: Iterable[str]) -> str:
    parts = [p for p in (title, question) if p]
    parts += [f"{ANSWER_HEADING}\n{a}" for a in answers]
    return "\n\n".join(parts)


class Ordered(Protocol):
    """What deciding a question's document needs of a post: an Entry, or the stage's Ref."""

    @property
    def type(self) -> int: ...
    @property
    def id(self) -> int: ...
    @property
    def score(self) -> int: ...
    @property
    def where(self) -> tuple[int, int]: ...


P = TypeVar("P", bound=Ordered)


def first_copies(entries: Iterable[P], count: Count) -> list[P]:
    """One entry per post id, the first in input order; later copies (a site given twice)
    count as dropped.duplicate."""
    seen: dict[int, P] = {}
    for entry in sorted(entries, key=lambda e: e.where):
        if entry.id in seen:
            count(counters.dropped("duplicate"), 1)
        else:
            seen[entry.id] = entry
    return list(seen.values())


def plan_question(entries: Iterable[P], count: Count) -> tuple[P | None, list[P]]:
    """(the question or None, its answers in the order written; without a question, the
    orphan answers, counted as dropped.orphan_answer) of every post grouped under one
    question id. Answers with their question are counted as merged.answer."""
    unique = first_copies(entries, count)
    questions = [e for e in unique if e.type == QUESTION]
    answers = by_score(e for e in unique if e.type == ANSWER)
    if not questions:
        count(counters.dropped("orphan_answer"), len(answers))
        return None, answers
    (question,) = questions  # one id, one post: first_copies leaves one
    count(counters.merged("answer"), len(answers))
    return question, answers


def question_document(
    site: Site, entries: Iterable[Entry], count: Count
) -> tuple[Document | None, list[tuple[Document, str]]]:
    """(the question's Document or None, the (document, reason) of what was dropped) of
    every post grouped under one question id: without a question row its answers are
    orphans (dropped.orphan_answer)."""
    question, answers = plan_question(entries, count)
    if question is None:
        return None, [(post_document(site, a), "orphan_answer") for a in answers]
    return document_of(site, question, answers), []


def document_of(site: Site, question: Entry, answers: Sequence[Entry]) -> Document:
    """The Document of a question and its answers, in the order given."""
    return Document(
        id=f"{NAME}/{site.name}/{question.id}",
        source=NAME,
        text=document_text(question.title, question.text, (a.text for a in answers)),
        url=site.question_url(question.id),
        meta={
            "site": site.name,
            "question_id": question.id,
            "score": question.score,
            "answer_ids": [a.id for a in answers],
            "answer_scores": [a.score for a in answers],
            "accepted_answer_id": question.accepted,
            "tags": list(question.tags),
            "license": question.license,
            "licenses": sorted({e.license for e in (question, *answers) if e.license}),
        },
    )


def post_document(site: Site, entry: Entry) -> Document:
    """A post alone as a Document: what --keep-dropped shows of a post that makes none."""
    return Document(
        id=f"{NAME}/{site.name}/{entry.id}",
        source=NAME,
        text=document_text(entry.title, entry.text, ()),
        url=f"https://{site.domain}/q/{entry.id}",
        meta={
            "site": site.name,
            "post_id": entry.id,
            "post_type": entry.type,
            "score": entry.score,
            "license": entry.license,
        },  # fmt: skip
    )
