"""Bad records without --strict: counted, kept out of the output, and shown on the console
after the stage (the first five with file and position, in file order, then how many more)."""

from __future__ import annotations

import bz2
from pathlib import Path

from tests.helpers import run_fleece, write_manifest
from tests.pipeline.sources.wikipedia.dumps import article, dump_xml, page_xml


def test_the_console_names_the_first_bad_records_then_counts_the_rest(tmp_path: Path) -> None:
    pages = []
    for i in range(8):
        pages += [article(2 * i + 1), page_xml(2 * i + 2, f"Bad {i}", "BADBYTES")]
    data = dump_xml("en", pages).encode().replace(b"BADBYTES", b"\xff\xfe bad")
    dump = tmp_path / "enwiki-bad.xml.bz2"
    dump.write_bytes(bz2.compress(data))
    manifest = write_manifest(tmp_path / "m.yaml", {
        "run_dir": str(tmp_path / "run"),
        "runner": {"direct_num_workers": 1, "direct_running_mode": "in_memory"},
        "sources": {"wikipedia": {"inputs": [str(dump)]}},
    })  # fmt: skip
    result = run_fleece("wikipedia", "--manifest", str(manifest))
    console = result.output[result.output.index("wikipedia: 8 bad record(s):") :].splitlines()
    shown = console[1:6]
    assert [line.split(": ")[1].split(" at character")[0] for line in shown] == [
        f"page #{2 * i + 2} 'Bad {i}'" for i in range(5)
    ]
    assert all(line.startswith(f"  {dump}: ") and "invalid_encoding" in line for line in shown)
    assert console[6] == f"  and 3 more; see {tmp_path / 'run' / 'wikipedia'}/errors/"
