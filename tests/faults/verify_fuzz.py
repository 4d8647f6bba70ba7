"""Single-byte and single-bit flips of a shard directory, each checked with `fleece verify`.

python -m tests.faults.verify_fuzz [--flips N] [--seed S] [--directory DIR]

Five kinds of damage, N of each, at random positions:

- shard: one byte of a shard changed. Verify must name the shard.
- resigned-shard: the same, with the manifest's sha256 and checksum recomputed to match, as a
  careless tool would. Verify must report it, unless the shard still reads back to exactly
  the same rows (a flip in padding): provably harmless; or one valid token id became another
  valid one with all framing intact (or an id string changed): no rule but the sha256 can
  see that, and those are counted as uncheckable.
- manifest: one byte of manifest.json changed. Verify must report it, unless the JSON parses
  to the same value (a whitespace change): harmless.
- resigned-manifest: the same, with the checksum recomputed. Verify must report it unless the
  flip only touched a field nothing in the directory can contradict (the code version, a
  source's text bytes, an upstream stage's parameter in run_manifest): those are counted.

- truncated: a shard cut at a random length, its sha256 and size resigned. Verify must
  name the shard, unless only the stream's optional 8-byte end marker went (same rows).

Any exception out of verify is a crash, and a segfault kills this process: the caller runs it
as a subprocess and checks the exit status. Prints one JSON line of figures; exit 1 on any
failure. Without --directory it builds a small directory (two shards, a real tokenizer).
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import random
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from pipeline.shards.format import BOS_ID, EOS_ID, MANIFEST_NAME, ShardReader, file_sha256
from pipeline.shards.manifest import CHECKSUM_FIELD, manifest_checksum
from pipeline.shards.verify import verify_directory
from tests.trainer.trainer_corpus import markov_documents, write_shards
from tokenizer.config import TokenizerConfig
from tokenizer.sample_text import synthetic_documents
from tokenizer.train import train_model

# Fields of the manifest that nothing in a shard directory can contradict once the checksum
# is recomputed: provenance, and statistics of the text before encoding (fnmatch patterns).
UNCHECKABLE = ("code_version", "mixture.*.bytes", "mixture.*.source_documents", "run_manifest.*")
# run_manifest fields the mix copied into the manifest: these are compared, so a flip of one
# must be reported. (The vocabulary is the tokenizer model's, checked against that file; the
# ratios are compared through the shares they give, which are scale-free: 1.0 -> 3.0 for
# the only source changes nothing; max_epochs is a bound the mixture must keep, so only a
# flip that the recorded epochs then break is seen.)
CROSS_CHECKED = (
    "run_manifest.seed",
    "run_manifest.shards.split_seed",
    "run_manifest.shards.tolerance",
    "run_manifest.shards.token_target",
)


def build_directory(root: Path) -> Path:
    """A small shard directory as the mix writes it: 2 train shards + 1 val, a real model."""
    config = TokenizerConfig(vocab_size=400, character_coverage=0.9995, num_threads=1)
    texts = ("".join(c for c in d if c.isascii()) for d in synthetic_documents(200, seed=4))
    model, _ = train_model((("c4", t) for t in texts), config, seed=0)
    (root / "tokenizer.model").write_bytes(model)
    return Path(
        write_shards(
            str(root / "shards"),
            markov_documents(24, 400, seed=1, max_len=60),
            markov_documents(6, 400, seed=2, max_len=60),
            400,
            tokenizer=str(root / "tokenizer.model"),
        )
    )


def _rows(path: Path) -> Any:
    with ShardReader(str(path)) as reader:
        return reader.tokens.tolist(), reader.offsets.tolist(), reader.sources(), reader.ids()


def _flip(data: bytes, rng: random.Random) -> tuple[bytes, int]:
    position = rng.randrange(len(data))
    out = bytearray(data)
    if rng.random() < 0.5:
        out[position] ^= 1 << rng.randrange(8)
    else:
        out[position] = rng.choice([b for b in range(256) if b != data[position]])
    return bytes(out), position


def _paths(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf path (`mixture.c4.bytes`, `shards.0.sha256`) -> value of a JSON value."""
    if isinstance(value, dict | list) and value:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        out: dict[str, Any] = {}
        for key, item in items:
            out.update(_paths(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


def changed_paths(before: Any, after: Any) -> list[str]:
    old, new = _paths(before), _paths(after)
    missing = object()
    return sorted(p for p in set(old) | set(new) if old.get(p, missing) != new.get(p, missing))


def _uncheckable(path: str) -> bool:
    if any(fnmatch.fnmatchcase(path, pattern) for pattern in CROSS_CHECKED):
        return False
    return any(fnmatch.fnmatchcase(path, pattern) for pattern in UNCHECKABLE)


class Fuzz:
    def __init__(self, directory: Path, seed: int) -> None:
        self.directory = directory
        self.rng = random.Random(seed)
        self.manifest_bytes = (directory / MANIFEST_NAME).read_bytes()
        self.manifest = json.loads(self.manifest_bytes)
        self.shards = sorted(p.name for p in directory.glob("*.arrow"))
        self.originals = {name: (directory / name).read_bytes() for name in self.shards}
        self.rows = {name: _rows(directory / name) for name in self.shards}
        self.figures: dict[str, dict[str, int]] = {}
        self.failures: list[str] = []

    def _count(self, kind: str, outcome: str) -> None:
        self.figures.setdefault(kind, {}).setdefault(outcome, 0)
        self.figures[kind][outcome] += 1

    def _verify(self, kind: str, detail: str) -> list[str] | None:
        try:
            return verify_directory(str(self.directory))[0]
        except Exception:  # noqa: BLE001 - a crash is what this harness looks for
            self._count(kind, "crash")
            self.failures.append(f"{kind} {detail}: verify raised\n{traceback.format_exc()}")
            return None

    def _restore(self) -> None:
        (self.directory / MANIFEST_NAME).write_bytes(self.manifest_bytes)
        for name, data in self.originals.items():
            (self.directory / name).write_bytes(data)

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest[CHECKSUM_FIELD] = manifest_checksum(manifest)
        (self.directory / MANIFEST_NAME).write_text(json.dumps(manifest, indent=1))

    def shard(self, resign: bool) -> None:
        kind = "resigned-shard" if resign else "shard"
        name = self.rng.choice(self.shards)
        flipped, position = _flip(self.originals[name], self.rng)
        (self.directory / name).write_bytes(flipped)
        if resign:
            manifest = json.loads(self.manifest_bytes)
            for entry in manifest["shards"]:
                if entry["file"] == name:
                    entry["sha256"] = file_sha256(str(self.directory / name))
            self._write_manifest(manifest)
        problems = self._verify(kind, f"{name}@{position}")
        if problems is None:
            return
        if any(p.startswith(f"{name}:") for p in problems):
            self._count(kind, "reported")
        elif problems:
            self._count(kind, "failed")
            self.failures.append(f"{kind} {name}@{position}: reported without naming the shard")
        elif resign and _rows(self.directory / name) == self.rows[name]:
            self._count(kind, "harmless")
        elif resign and self._same_structure(name):
            # A valid token (or id character) replaced by another valid one: every structural
            # rule still holds, and only the sha256 the resigning replaced could see it.
            self._count(kind, "uncheckable")
        else:
            self._count(kind, "failed")
            self.failures.append(f"{kind} {name}@{position}: not reported, rows differ")

    def truncate(self) -> None:
        """A shard cut short (a copy interrupted), with the manifest resigned to its new hash
        and size, so only the structural checks stand between it and the trainer."""
        name = self.rng.choice(self.shards)
        length = self.rng.randrange(len(self.originals[name]))
        (self.directory / name).write_bytes(self.originals[name][:length])
        manifest = json.loads(self.manifest_bytes)
        for entry in manifest["shards"]:
            if entry["file"] == name:
                entry["sha256"] = file_sha256(str(self.directory / name))
                entry["bytes"] = length
        self._write_manifest(manifest)
        problems = self._verify("truncated", f"{name}[:{length}]")
        if problems is None:
            return
        if any(p.startswith(f"{name}:") for p in problems):
            self._count("truncated", "reported")
        elif not problems and _rows(self.directory / name) == self.rows[name]:
            # only the stream's optional end-of-stream marker was cut: the same rows
            self._count("truncated", "harmless")
        else:
            self._count("truncated", "failed")
            self.failures.append(f"truncated {name}[:{length}]: not reported")

    def _same_structure(self, name: str) -> bool:
        tokens, offsets, sources, ids = _rows(self.directory / name)
        old_tokens, old_offsets, old_sources, old_ids = self.rows[name]
        if offsets != old_offsets or sources != old_sources or len(ids) != len(old_ids):
            return False
        special = (BOS_ID, EOS_ID)
        return all(
            (old in special) == (new in special)
            for old, new in zip(old_tokens, tokens, strict=True)
        )

    def manifest_flip(self, resign: bool) -> None:
        kind = "resigned-manifest" if resign else "manifest"
        flipped, position = _flip(self.manifest_bytes, self.rng)
        (self.directory / MANIFEST_NAME).write_bytes(flipped)
        try:
            parsed: Any = json.loads(flipped)
        except ValueError:
            parsed = None
        if resign and isinstance(parsed, dict):
            self._write_manifest(parsed)
        problems = self._verify(kind, f"@{position}")
        if problems is None:
            return
        if problems:
            self._count(kind, "reported")
            return
        changed = [] if parsed is None else changed_paths(self.manifest, parsed)
        changed = [p for p in changed if p != CHECKSUM_FIELD]
        if not changed:
            self._count(kind, "harmless")
        elif resign and all(_uncheckable(p) for p in changed):
            self._count(kind, "uncheckable")
        else:
            self._count(kind, "failed")
            self.failures.append(f"{kind} @{position}: not reported, changed {changed}")

    def run(self, flips: int) -> None:
        for _ in range(flips):
            for step in (
                lambda: self.shard(False),
                lambda: self.shard(True),
                lambda: self.manifest_flip(False),
                lambda: self.manifest_flip(True),
                self.truncate,
            ):
                step()
                self._restore()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flips", type=int, default=1000, help="flips of each kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--directory", help="a shard directory to fuzz (copied first)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fleece-fuzz-") as scratch:
        root = Path(scratch)
        if args.directory:
            directory = root / "shards"
            shutil.copytree(args.directory, directory)
        else:
            directory = build_directory(root)
        baseline = verify_directory(str(directory))[0]
        if baseline:
            print(f"{directory}: does not verify before any flip: {baseline}", file=sys.stderr)
            return 1
        fuzz = Fuzz(directory, args.seed)
        start = time.perf_counter()
        fuzz.run(args.flips)
        seconds = time.perf_counter() - start
    for failure in fuzz.failures[:10]:
        print(failure, file=sys.stderr)
    print(
        json.dumps(
            {
                "bench": "verify_fuzz",
                "flips_per_kind": args.flips,
                "seed": args.seed,
                "outcomes": fuzz.figures,
                "failures": len(fuzz.failures),
                "seconds": round(seconds, 1),
            },
            sort_keys=True,
        )
    )
    return 1 if fuzz.failures else 0


if __name__ == "__main__":
    sys.exit(main())
