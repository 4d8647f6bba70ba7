"""GitHub on real source trees: PyPI sdists as rows of a BigQuery github_repos export.

Each sdist is one repository: every text file of its tree is a row {"repo_name", "path",
"content", "license", "size"} (binary files are left out, as the export's `content` is
null for them), under the licence the project declares, in the BigQuery licence names.
The trees hold what a repository holds: Python, C (markupsafe's speedups), reStructuredText
and Markdown docs, licence files (LICENSE.txt, LICENSE.rst, LICENSE.md), packaging files,
licence header comments. chardet (LGPL-2.1) is a repository whose rows must all go for
their licence, and pip vendors idna 3.4 unchanged: the same files in two repositories, a
real duplicate that must be kept once, under the smaller id.

checks(): rows read and kept, dropped per reason, whether every row under a licence not on
the list and every duplicate went (and the copy kept is the one of the smallest id), and
what happened to the licence files (all must go: `licence_files_kept` empty) and leading
copyright comments.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.sources.github.config import GithubConfig
from realtext import outputs
from realtext.download import Package

# package -> (repository name, BigQuery licence name of the project)
REPOSITORIES = {
    Package("sdist", "click", "8.1.7"): ("pallets/click", "bsd-3-clause"),
    Package("sdist", "markupsafe", "2.1.5"): ("pallets/markupsafe", "bsd-3-clause"),
    Package("sdist", "attrs", "23.2.0"): ("python-attrs/attrs", "mit"),
    Package("sdist", "idna", "3.4"): ("kjd/idna", "bsd-3-clause"),
    Package("sdist", "pip", "24.0"): ("pypa/pip", "mit"),  # vendors idna 3.4
    Package("sdist", "chardet", "5.2.0"): ("chardet/chardet", "lgpl-2.1"),
}
PACKAGES = list(REPOSITORIES)
STAGE = "github"
LICENCE_FILE_STEMS = ("license", "licence", "copying", "copyright", "unlicense", "notice")
HEAD_LINES = 30  # where a licence header comment would be
COPYRIGHT_COMMENT = re.compile(r"\s*(#|//|/\*|\*|--|;|<!--).*copyright", re.IGNORECASE)


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict[str, Any]:
    """One gzipped JSONL export per repository under `inputs`; the github section."""
    for package, (repo_name, licence) in REPOSITORIES.items():
        rows = tree_rows(sdist_root(packages[package.name]), repo_name, licence)
        name = repo_name.replace("/", "__") + ".jsonl.gz"
        with gzip.open(inputs / name, "wt", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return {"inputs": [str(inputs / "*.jsonl.gz")]}


def sdist_root(extracted: Path) -> Path:
    """The one top folder an sdist unpacks to (`<name>-<version>/`)."""
    (root,) = [path for path in extracted.iterdir() if path.is_dir()]
    return root


def tree_rows(root: Path, repo_name: str, licence: str) -> Iterator[dict[str, Any]]:
    """The export rows of the text files under `root`, in path order."""
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()
        try:
            content = data.decode("utf-8")
        except UnicodeDecodeError:
            continue  # a binary file: the export has no content for it
        yield {
            "repo_name": repo_name,
            "path": path.relative_to(root).as_posix(),
            "content": content,
            "license": licence,
            "size": len(data),
        }


def input_rows(inputs: Path) -> list[dict[str, Any]]:
    rows = []
    for export in sorted(inputs.glob("*.jsonl.gz")):
        with gzip.open(export, "rt", encoding="utf-8") as lines:
            rows += [json.loads(line) for line in lines]
    return rows


def row_id(row: dict[str, Any]) -> str:
    return f"github/{row['repo_name']}/{row['path']}"


def is_licence_file(path: str) -> bool:
    return path.rsplit("/", 1)[-1].lower().startswith(LICENCE_FILE_STEMS)


def duplicate_groups(rows: list[dict[str, Any]]) -> list[list[str]]:
    """The ids of the rows sharing one content, smallest first, for each content held by
    more than one row."""
    by_content: dict[bytes, list[str]] = defaultdict(list)
    for row in rows:
        digest = hashlib.blake2b(row["content"].encode("utf-8"), digest_size=16).digest()
        by_content[digest].append(row_id(row))
    return [sorted(ids) for ids in by_content.values() if len(ids) > 1]


def checks(run_dir: Path, inputs: Path) -> dict[str, Any]:
    rows = input_rows(inputs)
    kept = {doc["id"]: doc for doc in outputs.kept(run_dir, STAGE)}
    reasons = {row["id"]: row["reason"] for row in outputs.dropped(run_dir, STAGE)}
    permitted = set(GithubConfig().licenses)
    unlisted = [row_id(r) for r in rows if r["license"] not in permitted]
    licence_files = [row_id(r) for r in rows if is_licence_file(r["path"])]
    # a copy competes for the one place only while it passes the rules: the smallest id
    # of those is kept, the others go as duplicates (a copy under an unlisted licence goes
    # for that, and does not stop the next copy from being kept)
    groups = [
        [i for i in ids if reasons.get(i, "duplicate") == "duplicate"]
        for ids in duplicate_groups(rows)
    ]
    groups = [ids for ids in groups if len(ids) > 1]
    copies = [i for ids in groups for i in ids[1:]]
    kept_not_smallest = [ids for ids in groups if any(i in kept for i in ids[1:])]
    return {
        "rows": len(rows),
        "kept": len(kept),
        "unaccounted": sum(1 for r in rows if row_id(r) not in kept and row_id(r) not in reasons),
        "dropped": dict(sorted(Counter(reasons.values()).items())),
        "unlisted_licence_rows": len(unlisted),
        "unlisted_licence_rows_kept": sum(1 for i in unlisted if i in kept),
        "licence_files": len(licence_files),
        "licence_files_kept": sorted(i for i in licence_files if i in kept),
        "duplicate_groups": len(groups),
        "duplicate_copies": len(copies),
        "duplicate_copies_kept": sum(1 for i in copies if i in kept),
        "duplicate_groups_kept_not_smallest": len(kept_not_smallest),
        "copyright_in_head_kept": sum(1 for doc in kept.values() if copyright_in_head(doc)),
        "languages_kept": dict(
            sorted(Counter(str(doc["meta"].get("language")) for doc in kept.values()).items())
        ),
    }


def copyright_in_head(doc: dict[str, Any]) -> bool:
    """Whether one of a kept file's first lines is a comment that says "copyright": a
    licence header the stage left (a docstring or a `__copyright__` is no header)."""
    return any(COPYRIGHT_COMMENT.match(line) for line in doc["text"].splitlines()[:HEAD_LINES])
