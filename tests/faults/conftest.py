"""What the fault tests share: the sample manifest in a run directory of the test's own, a
`fleece` process killed with its whole process group, and small or read-only filesystems
(a real tmpfs where this machine lets us mount one)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FLEECE = str(Path(sys.executable).with_name("fleece"))


def sample_manifest(path: Path, run_dir: Path, **changes: object) -> Path:
    """manifests/sample.yaml with its run_dir (and any top-level sections) replaced."""
    manifest = yaml.safe_load((ROOT / "manifests" / "sample.yaml").read_text())
    manifest["run_dir"] = str(run_dir)
    manifest.update(changes)
    path.write_text(yaml.safe_dump(manifest, sort_keys=False))
    return path


def fleece(*args: str, cwd: Path = ROOT, timeout: float = 600) -> subprocess.CompletedProcess:
    """`fleece ARGS` in a fresh process (the installed console script)."""
    return subprocess.run([FLEECE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def kill_when(
    args: list[str], ready: Callable[[], bool], delay: float, timeout: float = 300
) -> str:
    """Start `fleece ARGS` in its own process group; `delay` seconds after `ready()` first
    holds (polled every millisecond or two), SIGKILL the whole group, Beam's workers too.
    Returns what it printed."""
    process = subprocess.Popen(
        [FLEECE, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen: list[str] = []
    reader = threading.Thread(target=lambda: seen.extend(process.stdout), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    try:
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                reader.join(5)
                pytest.fail(f"`fleece {' '.join(args)}` ended before the kill:\n{''.join(seen)}")
            time.sleep(0.001)
        time.sleep(delay)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    reader.join(5)
    return "".join(seen)


def _mount(target: Path, options: str) -> bool:
    target.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, f"fleece-{uuid.uuid4().hex[:8]}", str(target)],
        capture_output=True,
    )
    return result.returncode == 0


def _unmount(target: Path) -> None:
    subprocess.run(["umount", "-l", str(target)], capture_output=True)


def _tmpfs(target: Path, options: str) -> Iterator[Path]:
    if not _mount(target, options):
        pytest.skip("cannot mount a tmpfs here (needs root with CAP_SYS_ADMIN)")
    yield target
    _unmount(target)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB tmpfs: writes past it fail with ENOSPC (skipped where mounts are denied)."""
    yield from _tmpfs(tmp_path / "small-disk", "size=1m")


@pytest.fixture
def read_only_disk(tmp_path: Path) -> Iterator[Path]:
    """A real read-only tmpfs (root ignores mode 0555, not a read-only mount)."""
    yield from _tmpfs(tmp_path / "read-only-disk", "size=1m,ro")


@pytest.fixture(scope="session")
def reference(sample_run: Path) -> dict[str, str]:
    """Digest of an uninterrupted build of the sample corpus (the one each test worker
    builds, so the modules can run on different workers)."""
    # lazy: stage_runs imports this module's helpers (fleece, kill_when, sample_manifest)
    from tests.faults.stage_runs import run_digest

    return run_digest(sample_run)
