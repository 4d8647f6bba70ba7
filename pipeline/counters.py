"""The counters every stage writes to its `_stats.json`: one meaning each, defined here.

A stage's declaration (pipeline/declaration.py, `StageSpec.read_unit`) says what one record
is for it: a WET record, a `<page>` of a dump, a JSONL row, a book, a tarball member, a row
of Posts.xml. Every count below is in that unit unless its line says otherwise.

Records, the funnel: every record read ends in exactly one of kept, dropped.*, errors.*
and merged.*, so `read = kept + Σ dropped.* + Σ errors.* + Σ merged.*`, which the harness
checks as it writes `_stats.json` (pipeline/harness/funnel.py):
  read                 records met in the inputs, those that could not be parsed too
  kept                 documents written (one per record kept)
  dropped.<reason>     a record read and parsed but lost for a reason (a rule, a dedup);
                       the reasons a source can give are in its declaration
  errors.<reason>      a record (or a whole file) lost because it could not be read: a
                       corrupt gzip member, malformed JSON, a record over the size cap; each
                       also a row of <stage>/errors/ naming the file and the position
  merged.<reason>      a record written inside another's document, not as one of its own
                       (`merged.answer`: a StackExchange answer in its question's)
  warnings.<reason>    something noted that loses no record: on a record still kept (its
                       bytes read as cp1252, `decoded_fallback`) or on a container whose
                       records were read (a tarball cut between members, `truncated_tar`)
Sizes:
  bytes.read           UTF-8 bytes of the text parsed from the inputs: WET page bodies,
                       wikitext, JSONL `content`/`text`, book texts, the .tex files of the
                       papers cleaned, post titles and bodies (HTML as stored); so that it
                       compares with bytes.kept
  bytes.stored         bytes of the input files as stored (compressed where they are): what
                       the disk and the network carry
  bytes.kept           UTF-8 bytes of the text of the documents written
  files.read           input files opened
Measures, each with its unit in its name: `lines.<reason>` (lines removed from kept
documents), `pairs.*` (candidate and confirmed near-duplicate pairs), `<metric>.<source>` per
source (`tokens.wikipedia`: tokens), `<metric>.<language>` per language (`documents.en`),
`templates.unknown.<name>` (templates the Wikipedia cleaner dropped without knowing them,
per name: thousands of names on a real dump, so the console folds them into one figure and
the report shows the top 50), `macros.skipped.<reason>` (LaTeX definitions not expanded).
Histogram bins `hist.<name>.<bin>` (pipeline/histograms.py) go to a section of their own;
thresholds a stage applied (cutoffs, min_wiki_prob, min_jaccard) are not counters but
`figures` (StageContext.figures), which the report reads.

Beam reports a counter as committed (what the runner kept after retries) or, on runners that
report only that, attempted; the harness takes the committed value when there is one
(pipeline/harness/beam.py).

Pure functions take a `Count` (`count(name, n)`), so tests see the figures without Beam:
pass a `Tally`; a stage passes `BeamCounters(stage)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from apache_beam.metrics import Metrics

from pipeline import histograms

READ = "read"
KEPT = "kept"
BYTES_READ = "bytes.read"
BYTES_STORED = "bytes.stored"
BYTES_KEPT = "bytes.kept"
FILES_READ = "files.read"

Count = Callable[[str, int], None]


def dropped(reason: str) -> str:
    return f"dropped.{reason}"


def errors(reason: str) -> str:
    return f"errors.{reason}"


def merged(reason: str) -> str:
    return f"merged.{reason}"


def warnings(reason: str) -> str:
    return f"warnings.{reason}"


def per_source(metric: str, source: str) -> str:
    return f"{metric}.{source}"


UNKNOWN_TEMPLATES = "templates.unknown."
PER_NAME_FAMILIES = (UNKNOWN_TEMPLATES,)  # counters keyed by a name read from the input


def unknown_template(name: str) -> str:
    return f"{UNKNOWN_TEMPLATES}{name}"


def macros_skipped(reason: str) -> str:
    return f"macros.skipped.{reason}"


def folded(counts: dict[str, int]) -> dict[str, int]:
    """`counts` with each per-name family summed into one entry (`templates.unknown`), for
    a one-line summary that stays one line on a real dump."""
    out: dict[str, int] = {}
    for name, n in counts.items():
        family = next((f for f in PER_NAME_FAMILIES if name.startswith(f)), None)
        key = name if family is None else family.rstrip(".")
        out[key] = out.get(key, 0) + n
    return out


def utf8_size(text: str) -> int:
    """The UTF-8 bytes of `text`, as bytes.read and bytes.kept count them."""
    return len(text.encode("utf-8", "surrogatepass"))


def count_kept(text: str, count: Count, language: str | None = None) -> None:
    """A document written: `kept`, its text's UTF-8 bytes, and its length and language in
    the histograms the report draws."""
    count(KEPT, 1)
    count(BYTES_KEPT, utf8_size(text))
    histograms.count_document(text, language, count)


class Tally(Counter):
    """Counts in a plain Counter (tests, plain-Python stages): `tally(name, n)`."""

    def __call__(self, name: str, n: int = 1) -> None:
        self[name] += n


class BeamCounters:
    """Counts into Beam metrics of namespace `stage`; picklable, so a DoFn can hold one.
    Metric objects are created once per name per worker."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._metrics: dict[str, Any] = {}

    def __call__(self, name: str, n: int = 1) -> None:
        metric = self._metrics.get(name)
        if metric is None:
            metric = self._metrics[name] = Metrics.counter(self.stage, name)
        metric.inc(n)

    def __getstate__(self) -> dict[str, Any]:
        return {"stage": self.stage, "_metrics": {}}
