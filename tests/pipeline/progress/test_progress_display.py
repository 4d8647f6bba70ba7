"""Progress while a real stage runs: redrawn in place on a terminal (a pseudo-terminal here),
a line a minute at most in a log. The clock is the test's: each reading advances it by ten
seconds, so a stage of a few real seconds spans several "minutes"."""

from __future__ import annotations

import io
import os
import pty
import re
import subprocess
import threading
from pathlib import Path

import pytest

from pipeline.config import load_manifest
from pipeline.harness.running import run_stages
from pipeline.harness.stage import find_stage
from pipeline.progress.display import ProgressOptions
from tests.faults.conftest import FLEECE, ROOT, fleece, sample_manifest

pytestmark = pytest.mark.slow  # each test runs a Beam stage

STEP = 10.0  # fake seconds per reading of the clock


class StepClock:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> float:
        self.calls += 1
        return self.calls * STEP


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run whose sample inputs exist (the github stage reads them)."""
    root = tmp_path_factory.mktemp("progress")
    path = sample_manifest(root / "m.yaml", root / "run")
    built = fleece("corpus", "--manifest", str(path), "--only", "sample")
    assert built.returncode == 0, built.stderr[-2000:]
    return path


def run_github(manifest: Path, options: ProgressOptions) -> list[str]:
    echoed: list[str] = []
    run = load_manifest(str(manifest))
    run_stages([find_stage("github")], run, force=True, echo=echoed.append, progress=options)
    return echoed


class Terminal:
    """The master side of a pseudo-terminal, drained by a thread (a full one would block
    the writer); `screen()` replays carriage returns and erase-line codes."""

    def __init__(self) -> None:
        self.master, self.slave = pty.openpty()
        self.data = bytearray()
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # the slave side closed
                return
            if not chunk:
                return
            self.data += chunk

    def close(self) -> str:
        os.close(self.slave)
        self.thread.join(10)
        os.close(self.master)
        return self.data.decode("utf-8")


def screen(raw: str) -> list[str]:
    """The lines a terminal shows after replaying `raw`."""
    lines, current = [], ""
    for token in re.split(r"(\r\n|\n|\r|\x1b\[K)", raw):
        if token in ("\n", "\r\n"):
            lines.append(current)
            current = ""
        elif token in ("\r", "\x1b[K"):  # a redraw is always carriage return + erase line
            current = ""
        else:
            current += token
    return lines + ([current] if current else [])


def test_on_a_terminal_the_line_is_redrawn_in_place_and_cleared_at_the_end(
    manifest: Path,
) -> None:
    terminal = Terminal()
    stream = open(terminal.slave, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    assert stream.isatty()
    clock = StepClock()
    echoed = run_github(manifest, ProgressOptions(stream=stream, clock=clock, poll=0.05))
    stream.close()
    raw = terminal.close()

    redraws = [part for part in raw.split("\r\x1b[K") if part]
    # one at the start, then one per reading of the clock: 10 s apart, past the 2 s refresh
    assert len(redraws) == clock.calls >= 3
    assert all(r.startswith("github: ") and "\n" not in r for r in redraws)
    assert redraws[0] == "github: starting [0s]"
    assert any(re.search(r"\d+/2 files|2 files \(", r) for r in redraws), redraws
    assert redraws[-1].endswith(
        f"[{(clock.calls - 1) * 10 // 60}m{(clock.calls - 1) * 10 % 60:02d}s]"
    )
    assert screen(raw) == []  # nothing is left on the screen: the harness prints "done" next
    assert echoed[0].startswith("github: running") and echoed[1].startswith("github: done")


def test_in_a_log_a_line_a_minute_at_most(manifest: Path) -> None:
    log = io.StringIO()
    clock = StepClock()
    run_github(manifest, ProgressOptions(stream=log, clock=clock, poll=0.05))
    lines = log.getvalue().splitlines()
    elapsed = (clock.calls - 1) * STEP  # the first reading is the start
    assert len(lines) == int(elapsed // 60) >= 1
    assert "\r" not in log.getvalue()
    assert all(re.fullmatch(r"github: .* \[\d+m\d\ds\]", line) for line in lines), lines
    minutes = [int(re.search(r"\[(\d+)m", line).group(1)) for line in lines]
    assert minutes == list(range(1, len(lines) + 1))  # one a minute, never two


def test_the_command_on_a_real_terminal_and_in_a_pipe(manifest: Path) -> None:
    """`fleece github` as a user runs it: on a terminal its progress is drawn and then erased
    before the "done" line; into a pipe (CI), a stage shorter than a minute adds no line."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [FLEECE, "github", "--manifest", str(manifest), "--force"],
        cwd=ROOT, stdin=slave, stdout=slave, stderr=slave, close_fds=True,
    )  # fmt: skip
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert process.wait(300) == 0
    os.close(master)
    raw = b"".join(chunks).decode("utf-8", "replace")
    assert "\r\x1b[Kgithub: starting [0s]" in raw
    # Beam's worker processes log their start-up to the same terminal
    shown = [line for line in screen(raw) if not re.search(r"(WARNING|INFO):", line)]
    assert shown[0].startswith("github: running") and shown[1].startswith("github: done"), shown

    piped = fleece("github", "--manifest", str(manifest), "--force")
    assert piped.returncode == 0
    assert not [line for line in piped.stderr.splitlines() if line.startswith("github: ")]
