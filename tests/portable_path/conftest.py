"""The portable path in tests: an S3 API server (moto's) and Beam's external worker pool,
each started once per test module. The pool runs as this user from this checkout's
environment; `make corpus-portable` runs it as another user from the built wheel
(portable/pool.py), with the launcher's folders closed to it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portable.pool import worker_pool
from portable.store import S3Server, s3_server


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    pytest.importorskip("moto")
    log = tmp_path_factory.mktemp("s3") / "s3-server.log"
    with s3_server(log=log) as server:
        yield server


@pytest.fixture(scope="module")
def local_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pool as this user, with this interpreter first on PATH: for runs whose run
    directory is local."""
    log = tmp_path_factory.mktemp("pool") / "pool.log"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with worker_pool(Path(sys.executable), {**os.environ, "PATH": path}, log) as address:
        yield address
