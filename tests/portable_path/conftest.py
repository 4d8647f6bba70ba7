"""The portable path in tests: an S3 API server (moto's) and Beam's external worker pool,
each started once per test module. Run as root (as CI is), the pool for S3 runs runs as
another user from the built wheel (portable/pool.py), so a DoFn that opens a launcher-local
path fails; otherwise, and for runs on local disk, it runs as this user from this
checkout's environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from portable.pool import build_wheel, external_pool, worker_image, worker_user
from portable.store import S3Server, free_port, s3_server, stop, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


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


@pytest.fixture(scope="module")
def wheel_pool(tmp_path_factory: pytest.TempPathFactory, local_pool: str) -> Iterator[str]:
    """The pool as another user, importing fleece from this checkout's wheel, when the tests
    run as root; the local pool otherwise."""
    if os.geteuid() != 0:
        yield local_pool
        return
    work = tmp_path_factory.mktemp("wheel")
    image = worker_image(build_wheel(ROOT, work / "wheel"))
    home = image.parent / f"home-{os.getpid()}"  # where the worker user can reach it
    with external_pool(image, worker_user(), home, work / "pool.log") as address:
        yield address
