"""Fixtures of the Wikipedia tests."""

from __future__ import annotations

import bz2

import pytest


@pytest.fixture
def write_dump(tmp_path):
    """write_dump(name, xml_text_or_bytes, compress=True) -> path of the file written."""

    def write(name: str, content: str | bytes, compress: bool = True, encoding: str = "utf-8"):
        data = content.encode(encoding) if isinstance(content, str) else content
        path = tmp_path / name
        path.write_bytes(bz2.compress(data) if compress else data)
        return path

    return write
