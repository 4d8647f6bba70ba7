"""The step contract: plain-Python chains with counted drop reasons, and the Beam wrapper
that routes dropped documents, counts them and sets model steps up once per worker."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from pathlib import Path

import apache_beam as beam
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.testing.util import assert_that, equal_to

from pipeline.counters import Tally
from pipeline.documents import Document
from pipeline.rules.document import MinChars
from pipeline.steps import ApplySteps, Dropped, apply_steps, describe


@dataclass(frozen=True)
class Shout:
    """A transform: upper-cases the text and records a signal."""

    def __call__(self, doc: Document) -> Document:
        return doc.with_text(doc.text.upper()).with_meta(shouted=True)


@dataclass(frozen=True)
class NoDigits:
    def __call__(self, doc: Document) -> Document | Dropped:
        return Dropped("digits") if any(c.isdigit() for c in doc.text) else doc


@dataclass(frozen=True)
class VocabularyScore:
    """A model-backed scorer: its 'model' (a word list in a file) loads in setup()."""

    path: str

    def setup(self) -> None:
        with open(self.path) as f:  # a local test file
            words = set(f.read().split())
        object.__setattr__(self, "_words", words)
        with open(self.path + ".loads", "a") as f:
            f.write("x")

    def __call__(self, doc: Document) -> Document:
        words = doc.text.lower().split()
        known = sum(w in self._words for w in words)  # type: ignore[attr-defined]
        return doc.with_meta(vocabulary=known / max(1, len(words)))


def doc(i: int, text: str) -> Document:
    return Document(id=f"test/{i}", source="wikipedia", text=text)


def test_a_chain_returns_the_document_or_the_first_drop_counted() -> None:
    steps = [NoDigits(), Shout(), MinChars(5)]
    tally = Tally()
    kept = apply_steps(doc(1, "hello world"), steps, tally)
    assert kept.text == "HELLO WORLD" and kept.meta == {"shouted": True}
    assert apply_steps(doc(2, "room 101"), steps, tally) == Dropped("digits")
    assert apply_steps(doc(3, "hey"), steps, tally) == Dropped("short")
    assert tally == {"dropped.digits": 1, "dropped.short": 1}


def test_steps_pickle_show_and_fingerprint_their_parameters() -> None:
    step = MinChars(300)
    assert pickle.loads(pickle.dumps(step)) == step
    assert repr(step) == "MinChars(chars=300, reason='short')"
    assert describe([step, Shout()]) == [
        {"step": "MinChars", "chars": 300, "reason": "short"},
        {"step": "Shout"},
    ]


def test_beam_wrapper_routes_dropped_rows_counts_and_sets_up_once(tmp_path: Path) -> None:
    words = tmp_path / "words.txt"
    words.write_text("the cat sat on mat")
    docs = [doc(1, "the cat sat"), doc(2, "12 cats"), doc(3, "on the mat today")]
    steps = [NoDigits(), VocabularyScore(str(words))]
    options = beam.options.pipeline_options.PipelineOptions(
        ["--direct_running_mode=in_memory", "--direct_num_workers=1"]
    )
    pipeline = beam.Pipeline(options=options)
    kept, dropped = pipeline | beam.Create(docs) | ApplySteps("teststage", steps, keep_dropped=True)
    assert_that(
        kept | "Scores" >> beam.Map(lambda d: (d.id, d.meta["vocabulary"])),
        equal_to([("test/1", 1.0), ("test/3", 0.75)]),
        label="kept",
    )
    assert_that(
        dropped | "Reasons" >> beam.Map(lambda r: (r["id"], r["reason"], r["text"])),
        equal_to([("test/2", "digits", "12 cats")]),
        label="dropped",
    )
    result = pipeline.run()
    result.wait_until_finish()
    counters = result.metrics().query(MetricsFilter().with_namespace("teststage"))["counters"]
    assert {c.key.metric.name: c.committed for c in counters} == {"dropped.digits": 1}
    assert (tmp_path / "words.txt.loads").read_text() == "x"  # one worker, one setup
