"""The Wikipedia-reference classifier (LLaMA, §2): fastText, pages Wikipedia cites against
the rest, and the measures of it on a held-out part."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

import fasttext

from pipeline.documents import stable_hash

POSITIVE = "__label__wiki"
NEGATIVE = "__label__cc"


def classifier_text(text: str) -> str:
    """A page as the classifier reads it: one lower-case line, white space collapsed."""
    return " ".join(text.lower().split())


def is_held_out(doc_id: str, seed: int, share: float) -> bool:
    """Whether a page is kept out of training (a seeded hash of its id)."""
    return stable_hash(doc_id, f"refclf-held-out{seed}") < int(share * (1 << 64))


def negative_rank(doc_id: str, seed: int) -> int:
    """The order negatives are drawn in: the n smallest ranks form a seeded sample."""
    return stable_hash(doc_id, f"refclf-negative{seed}")


def train_classifier(
    examples: Iterable[tuple[str, str]], path: str, *, epoch: int, lr: float,
    word_ngrams: int, dim: int, bucket: int, seed: int, work_dir: str,
) -> int:  # fmt: skip
    """Train on (label, text) examples and save the model at `path`; the size the saved file
    must have. One thread and a fixed seed: fastText's multi-threaded training is not
    deterministic."""
    data = os.path.join(work_dir, "train.txt")
    with open(data, "w", encoding="utf-8") as out:
        for label, text in examples:
            out.write(f"{label} {classifier_text(text)}\n")
    model = fasttext.train_supervised(
        input=data, epoch=epoch, lr=lr, wordNgrams=word_ngrams, dim=dim, bucket=bucket,
        thread=1, seed=seed, verbose=0, minCount=1,
    )  # fmt: skip
    model.save_model(path)
    return saved_size(model)


# What fastText's save_model writes (fasttext.cc saveModel): the magic number and version
# (int32 each), the arguments (12 int32 and a double), the dictionary (3 int32 and 2 int64
# counts, then each word or label, NUL-terminated, with its int64 count and int8 type), then
# the input and the output matrix (a quantized flag byte, two int64 dimensions, float32s).
_HEADER_BYTES = 2 * 4 + 12 * 4 + 8 + 3 * 4 + 2 * 8
_ENTRY_BYTES = 1 + 8 + 1  # the NUL, the count, the type
_MATRIX_HEADER_BYTES = 1 + 2 * 8


def saved_size(model: fasttext.FastText._FastText) -> int:
    """The bytes save_model writes for `model` (not quantized). Its file carries neither a
    length nor a checksum: load_model of a short file reads garbage lengths (a model cut at
    1,000 bytes made it allocate 10 GB) and one cut short by a byte may load, so the size
    is checked before the file is loaded back."""
    words = [*model.get_words(), *model.get_labels()]
    rows_in, dim = model.get_input_matrix().shape
    rows_out, _ = model.get_output_matrix().shape
    return (
        _HEADER_BYTES
        + sum(len(word.encode("utf-8")) + _ENTRY_BYTES for word in words)
        + 2 * _MATRIX_HEADER_BYTES
        + 4 * dim * (rows_in + rows_out)
    )


class ReferenceClassifier:
    """`probability(text)`: how likely Wikipedia would cite the page."""

    def __init__(self, path: str) -> None:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no reference classifier here")
        try:
            self.model = fasttext.load_model(path)
        except ValueError as error:
            raise ValueError(f"{path}: not a fastText model of this version: {error}") from None
        if POSITIVE not in self.model.get_labels():
            raise ValueError(f"{path}: a fastText model without the label {POSITIVE}")

    def probability(self, text: str) -> float:
        labels, scores = self.model.predict(classifier_text(text), k=2)
        for label, score in zip(labels, scores, strict=True):
            if label == POSITIVE:
                return round(min(1.0, float(score)), 4)
        return 0.0


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """Area under the ROC curve: the chance a positive outscores a negative, ties counted
    half (the Mann-Whitney rank sum, O(n log n))."""
    if not positives or not negatives:
        return float("nan")
    ranked = sorted([(score, 1) for score in positives] + [(score, 0) for score in negatives])
    rank_sum, index = 0.0, 0
    while index < len(ranked):
        end = index
        while end < len(ranked) and ranked[end][0] == ranked[index][0]:
            end += 1
        average = (index + 1 + end) / 2  # ranks index+1 .. end share their mean
        rank_sum += average * sum(flag for _, flag in ranked[index:end])
        index = end
    count = len(positives)
    return (rank_sum - count * (count + 1) / 2) / (count * len(negatives))


def precision_recall(
    positives: Sequence[float], negatives: Sequence[float], threshold: float
) -> tuple[float, float]:
    """(precision, recall) of calling a page a reference when its probability ≥ threshold."""
    true = sum(p >= threshold for p in positives)
    false = sum(n >= threshold for n in negatives)
    precision = true / (true + false) if true + false else 0.0
    return precision, (true / len(positives) if positives else 0.0)
