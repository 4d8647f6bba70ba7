"""WET files as Common Crawl writes them: gzip, one member per WARC/1.0 record.

A file starts with a `warcinfo` record, then one `conversion` record per page with
WARC-Target-URI, WARC-Date, WARC-Record-ID, WARC-Refers-To, WARC-Block-Digest (sha1, base32),
Content-Type text/plain and Content-Length. Post-2020 dumps add
WARC-Identified-Content-Language before Content-Type.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import random

from pipeline.sample.seeding import uuid_from


def block_digest(payload: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def record_bytes(headers: list[tuple[str, str]], payload: bytes) -> bytes:
    head = "WARC/1.0\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers)
    return head.encode("utf-8") + b"\r\n" + payload + b"\r\n\r\n"


def member(data: bytes) -> bytes:
    """One gzip member with no timestamp or file name in its header."""
    return gzip.compress(data, compresslevel=6, mtime=0)


class WetWriter:
    """Streams records to one .warc.wet.gz file and remembers where each one starts."""

    def __init__(
        self, path: str, filename: str, dump: str, rng: random.Random, post_2020: bool
    ) -> None:
        self.out = open(path, "wb")  # closed by close()
        self.rng = rng
        self.dump = dump
        self.post_2020 = post_2020
        self.offset = 0
        self.records = 0
        year = int(dump[:4])
        self.date_prefix = f"{year}-{'07' if year < 2020 else '01'}"
        info = (
            "Software-Info: ia-web-commons.1.1.9-SNAPSHOT-20190710094424\r\n"
            f"Extracted-Date: {self.date()}\r\n"
            "robots: checked via crawler-commons 1.1-SNAPSHOT "
            "(https://github.com/crawler-commons/crawler-commons)\r\n"
            f"isPartOf: CC-MAIN-{dump}\r\n"
            "operator: Common Crawl Admin (info@commoncrawl.org)\r\n"
            f"description: Wide crawl of the web for CC-MAIN-{dump} (fleece sample)\r\n"
            "publisher: Common Crawl\r\n"
        ).encode()
        self.write_record(
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Date", self.date()),
                ("WARC-Filename", filename),
                ("WARC-Record-ID", f"<urn:uuid:{uuid_from(rng)}>"),
                ("Content-Type", "application/warc-fields"),
                ("Content-Length", str(len(info))),
            ],
            info,
        )

    def date(self) -> str:
        rng = self.rng
        return (
            f"{self.date_prefix}-{rng.randrange(10, 29)}T{rng.randrange(10, 24)}:"
            f"{rng.randrange(10, 60)}:{rng.randrange(10, 60)}Z"
        )

    def write_record(self, headers: list[tuple[str, str]], payload: bytes) -> tuple[int, int]:
        """Write one record; return (record index in the file, byte offset of its member)."""
        return self.write_member(member(record_bytes(headers, payload)))

    def write_member(self, data: bytes) -> tuple[int, int]:
        index, offset = self.records, self.offset
        self.out.write(data)
        self.offset += len(data)
        self.records += 1
        return index, offset

    def conversion(self, url: str, text: str, languages: str | None) -> dict:
        """Write a page; return its record id (uuid), digest, index and offset."""
        payload = text.encode("utf-8")
        record_id = uuid_from(self.rng)
        digest = block_digest(payload)
        headers = [
            ("WARC-Type", "conversion"),
            ("WARC-Target-URI", url),
            ("WARC-Date", self.date()),
            ("WARC-Record-ID", f"<urn:uuid:{record_id}>"),
            ("WARC-Refers-To", f"<urn:uuid:{uuid_from(self.rng)}>"),
            ("WARC-Block-Digest", digest),
        ]
        if self.post_2020 and languages:
            headers.append(("WARC-Identified-Content-Language", languages))
        headers += [("Content-Type", "text/plain"), ("Content-Length", str(len(payload)))]
        index, offset = self.write_record(headers, payload)
        return {"record_id": record_id, "digest": digest, "record": index, "offset": offset}

    def truncated_conversion(self, url: str, text: str) -> dict:
        """A page whose gzip member is cut in half: the corrupt record."""
        payload = text.encode("utf-8")
        record_id = uuid_from(self.rng)
        data = member(
            record_bytes(
                [
                    ("WARC-Type", "conversion"),
                    ("WARC-Target-URI", url),
                    ("WARC-Date", self.date()),
                    ("WARC-Record-ID", f"<urn:uuid:{record_id}>"),
                    ("WARC-Block-Digest", block_digest(payload)),
                    ("Content-Type", "text/plain"),
                    ("Content-Length", str(len(payload))),
                ],
                payload,
            )
        )
        index, offset = self.write_member(data[: len(data) // 2])
        return {
            "record_id": record_id,
            "record": index,
            "offset": offset,
            "next_offset": self.offset,
        }

    def close(self) -> None:
        self.out.close()
