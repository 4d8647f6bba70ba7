"""The portable path in tests: an S3 API server (moto's) and Beam's external worker pool,
each started once per test module. The pool runs as this user from this checkout's
environment; `make corpus-portable` runs it as another user from the built wheel
(portable/pool.py), with the launcher's folders closed to it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portable.store import S3Server, free_port, s3_server, stop, wait_for_port


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    pytest.importorskip("moto")
    log = tmp_path_factory.mktemp("s3") / "s3-server.log"
    with s3_server(log=log) as server:
        yield server


@pytest.fixture(scope="module")
def local_pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The pool as this user, with this interpreter first on PATH (the pool starts each
    worker as `python -c ...`): for runs whose run directory is local."""
    log = tmp_path_factory.mktemp("pool") / "pool.log"
    port = free_port()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "apache_beam.runners.worker.worker_pool_main",
             f"--service_port={port}"],
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PATH": path},
        )  # fmt: skip
    try:
        wait_for_port(port, process, f"the worker pool (log {log})")
        yield f"localhost:{port}"
    finally:
        stop(process)
