"""An S3 API server on localhost: moto's server, in a process of its own, with one bucket.
fleece talks to it through Beam's S3 filesystem exactly as to AWS or a MinIO cluster: only
the endpoint and the credentials differ, given as Beam's --s3_* flags."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ACCESS_KEY = "fleece"
SECRET_KEY = "fleece-secret"
REGION = "us-east-1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 60) -> None:
    """Return once something listens on `port`; an error if `process` exits first or nothing
    listens within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with status {process.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("localhost", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"{what}: nothing listens on port {port} after {timeout:.0f} s")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    bucket: str

    @property
    def beam_flags(self) -> list[str]:
        """The flags that point Beam's S3 filesystem (and so fleece) at this server."""
        return [
            f"--s3_endpoint_url={self.endpoint}",
            f"--s3_access_key_id={ACCESS_KEY}",
            f"--s3_secret_access_key={SECRET_KEY}",
            f"--s3_region_name={REGION}",
        ]

    def url(self, key: str = "") -> str:
        return f"s3://{self.bucket}/{key}"

    def client(self) -> Any:
        import boto3  # lazy: a test dependency (moto brings it), imported only to talk to it

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def keys(self, prefix: str) -> list[str]:
        client, found = self.client(), []
        for page in client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        ):
            found += [item["Key"] for item in page.get("Contents", [])]
        return sorted(found)

    def download(self, prefix: str, target: Path) -> int:
        """Every object under `prefix` written below `target` (its path after the prefix);
        how many."""
        client, keys = self.client(), self.keys(prefix)
        for key in keys:
            path = target / key[len(prefix) :].lstrip("/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(client.get_object(Bucket=self.bucket, Key=key)["Body"].read())
        return len(keys)


@contextlib.contextmanager
def s3_server(bucket: str = "fleece", log: Path | None = None) -> Iterator[S3Server]:
    """moto's S3 server on a free port of localhost with `bucket` made, for the block."""
    port = free_port()
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=out,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    try:
        wait_for_port(port, process, "the S3 server (moto)")
        server = S3Server(f"http://127.0.0.1:{port}", bucket)
        server.client().create_bucket(Bucket=bucket)
        yield server
    finally:
        stop(process)
        if log is not None:
            out.close()
