"""Training one language's models as cc_net did: SentencePiece unigram on the language's
Wikipedia text in its language-model form, then a KenLM 5-gram on the pieces.

KenLM's estimator (`lmplz`) and `build_binary` are the programs `make install` builds next
to the Python interpreter; memory is always bounded (`-S`), and `--discount_fallback` lets
small corpora train. SentencePiece trains with a soft vocabulary limit, so a language with
little text gets the vocabulary its text supports instead of an error.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass

import kenlm
import sentencepiece as spm

from pipeline.environment import error_in_output
from pipeline.harness.read_back import read_back
from pipeline.text.normalize import lm_form

log = logging.getLogger("fleece")


def kenlm_program(name: str) -> str:
    """Path of lmplz or build_binary: beside the interpreter (make install), else on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), name)
    found = beside if os.access(beside, os.X_OK) else shutil.which(name)
    if not found:
        raise FileNotFoundError(
            f"{name}: KenLM's program is not installed (run `make install`, which builds it)"
        )
    return found


@dataclass(frozen=True)
class TrainedModels:
    sentencepiece: str  # path of <lang>.sp.model
    kenlm: str  # path of <lang>.arpa.bin
    vocab_size: int


def write_lm_text(documents: Iterable[str], path: str, max_documents: int) -> tuple[int, int]:
    """The documents' lines in language-model form, one per line; (documents, characters)."""
    count = characters = 0
    with open(path, "w", encoding="utf-8") as out:
        for text in documents:
            if count >= max_documents:
                break
            count += 1
            for line in text.split("\n"):
                line = lm_form(line)
                if line:
                    out.write(line + "\n")
                    characters += len(line)
    return count, characters


def train_models(
    text_path: str,
    out_dir: str,
    language: str,
    *,
    vocab_size: int,
    memory: str,
    work_dir: str,
) -> TrainedModels:
    """Train `<out_dir>/<language>.sp.model` and `<language>.arpa.bin` from the text that
    write_lm_text wrote at `text_path`."""
    os.makedirs(work_dir, exist_ok=True)
    model_path = os.path.join(out_dir, f"{language}.sp.model")
    model = io.BytesIO()
    with open(text_path, encoding="utf-8") as lines:
        # from an iterator into memory: a model trained from a file records that file's path
        spm.SentencePieceTrainer.train(
            sentence_iterator=(line.rstrip("\n") for line in lines),
            model_writer=model,
            model_type="unigram",
            vocab_size=vocab_size,
            hard_vocab_limit=False,
            character_coverage=0.9995,
            num_threads=1,  # one thread and the whole input (no sampling): deterministic
            minloglevel=2,
        )
    with open(model_path, "wb") as out:
        out.write(model.getvalue())
    pieces = read_back(model_path, load_sentencepiece, len(model.getvalue()))
    pieces_path = os.path.join(work_dir, f"{language}.pieces")
    with (
        open(text_path, encoding="utf-8") as lines,
        open(pieces_path, "w", encoding="utf-8") as out,
    ):
        for line in lines:
            out.write(" ".join(pieces.EncodeAsPieces(line.rstrip("\n"))) + "\n")
    arpa = os.path.join(work_dir, f"{language}.arpa")
    with open(pieces_path, "rb") as source, open(arpa, "wb") as sink:
        _run([kenlm_program("lmplz"), "-o", "5", "-S", memory, "--discount_fallback"],
             stdin=source, stdout=sink)  # fmt: skip
    binary = os.path.join(out_dir, f"{language}.arpa.bin")
    _run([kenlm_program("build_binary"), arpa, binary])
    # no size to expect: KenLM refuses a binary shorter than the tables its header lists
    read_back(binary, kenlm.Model)
    return TrainedModels(model_path, binary, pieces.GetPieceSize())


def load_sentencepiece(path: str) -> spm.SentencePieceProcessor:
    pieces = spm.SentencePieceProcessor()
    pieces.Load(path)
    return pieces


def _run(command: list[str], **streams: object) -> None:
    """Run one of KenLM's programs. What it writes on standard error goes to the stage's log
    (pipeline/harness/logs.py); a failure is one line: the disk failure it reports, or its
    last lines."""
    program = os.path.basename(command[0])
    result = subprocess.run(command, stderr=subprocess.PIPE, **streams)  # type: ignore[call-overload]
    output = result.stderr.decode("utf-8", "replace").strip()
    if output:
        log.info("%s says:\n%s", program, output)
    if result.returncode:
        failure = RuntimeError(f"{program} failed: {' / '.join(output.splitlines()[-3:])}")
        reported = error_in_output(output)
        if reported is not None:
            raise reported from failure
        raise failure
