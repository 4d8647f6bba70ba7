"""The external worker pool of the portable path, as a cluster would run it: another user, in
a folder of its own, importing fleece from the built wheel in an interpreter of its own, with
the launcher's folders closed to it. A DoFn that opens a launcher-local path, or imports the
checkout instead of the wheel, fails here instead of passing by luck.

The worker image is a virtual environment outside the checkout: the launcher's installed
packages (hard links, so the same versions of Beam, pyarrow and the models they ship: a
worker's Beam must be the launcher's), less the editable install of this checkout and the
packages the pipeline never imports (torch), plus the wheel. Pool workers receive no pipeline
options: what a DoFn needs to reach the object store it carries (pipeline/io.py, StoreFn).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from portable.store import free_port, stop, wait_for_port

WORKER_USER = "fleece-worker"
# Outside the checkout and every home: the worker user must reach it, the launcher's
# folders stay closed.
IMAGE_ROOT = Path("/var/tmp/fleece-portable")
# Installed for the trainer or the tests; no stage imports them (lint-imports checks torch)
LEFT_OUT = ("torch", "nvidia", "triton", "transformers", "selenium", "sympy", "moto")


def build_wheel(checkout: Path, out: Path) -> Path:
    """The wheel of `checkout`, built into `out` (emptied first)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(out), str(checkout)],
        check=True,
    )  # fmt: skip
    (wheel,) = sorted(out.glob("fleece-*.whl"))
    return wheel


def open_to_others(path: Path) -> bool:
    """Whether another user can reach and run `path` (every folder above it searchable)."""
    path = path.resolve()
    if not path.stat().st_mode & stat.S_IXOTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in path.parents)


def worker_python() -> Path:
    """An interpreter of the launcher's Python version that another user can run: the
    launcher's own base interpreter, or the system's of the same minor version (a pyenv
    build under /root is closed to other users)."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [Path(sys._base_executable), Path(f"/usr/bin/python{version}")]
    for candidate in candidates:
        if candidate.exists() and open_to_others(candidate):
            return candidate
    raise RuntimeError(
        f"no Python {version} that another user can run (tried "
        + ", ".join(map(str, candidates))
        + "): install Debian's python3 of that version"
    )


def left_out(name: str) -> bool:
    """Whether the worker image leaves out this entry of the launcher's site-packages: this
    checkout's editable install (the workers import the wheel), the packages no stage
    imports."""
    stem = name.split("-")[0].split(".")[0].lower()
    return name.startswith(("__editable__", "fleece-")) or stem in LEFT_OUT


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another filesystem
        shutil.copy2(source, target)


def worker_image(wheel: Path, root: Path = IMAGE_ROOT) -> Path:
    """The virtual environment the pool's workers run in (made once per wheel)."""
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()[:12]
    image = root / f"image-{digest}"
    if (image / ".ready").exists():
        return image
    root.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    for old in root.glob("image-*"):  # an older wheel's (hard links: little space, many inodes)
        shutil.rmtree(old, ignore_errors=True)
    subprocess.run([str(worker_python()), "-m", "venv", "--without-pip", str(image)], check=True)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = image / "lib" / version / "site-packages"
    launcher_site = Path(sysconfig.get_paths()["purelib"])
    for entry in sorted(launcher_site.iterdir()):
        if left_out(entry.name):
            continue
        if entry.is_dir():
            shutil.copytree(entry, site / entry.name, copy_function=_link_or_copy, symlinks=True)
        else:
            _link_or_copy(str(entry), str(site / entry.name))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-compile", "--target", str(site), str(wheel)],
        check=True,
    )  # fmt: skip
    for folder, dirs, _ in os.walk(image):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
    (image / ".ready").write_text(wheel.name + "\n")
    return image


def worker_user(name: str = WORKER_USER) -> pwd.struct_passwd:
    """The user the pool runs as, made (a system user, no login) when missing."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        pass
    if os.geteuid() != 0:
        raise RuntimeError(f"user {name} does not exist and only root can add it")
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home", "--shell",
         "/usr/sbin/nologin", name],
        check=True,
    )  # fmt: skip
    return pwd.getpwnam(name)


@contextlib.contextmanager
def closed_to_others(paths: list[Path]) -> Iterator[None]:
    """For the block, each folder of `paths` has mode 0700 (its old mode restored after)."""
    saved = {path: stat.S_IMODE(path.stat().st_mode) for path in paths}
    try:
        for path in paths:
            path.chmod(0o700)
        yield
    finally:
        for path, mode in saved.items():
            path.chmod(mode)


@contextlib.contextmanager
def worker_pool(python: Path, env: dict[str, str], log: Path, **popen: Any) -> Iterator[str]:
    """Beam's worker pool (`worker_pool_main`) run by `python` with environment `env` (the
    pool starts each worker as `python -c`: `python`'s folder must lead its PATH), logging
    to `log`, `popen` passed on (cwd, user); yields the address for `--environment_config`."""
    port = free_port()
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [str(python), "-m", "apache_beam.runners.worker.worker_pool_main",
             f"--service_port={port}"],
            env=env, stdout=out, stderr=subprocess.STDOUT, **popen,
        )  # fmt: skip
    try:
        wait_for_port(port, process, f"the worker pool (log {log})")
        yield f"localhost:{port}"
    finally:
        stop(process)


@contextlib.contextmanager
def external_pool(image: Path, user: pwd.struct_passwd, home: Path, log: Path) -> Iterator[str]:
    """The worker pool as `user`, in `home` (its own TMPDIR below), with the image's
    interpreter and nothing of the launcher's environment."""
    shutil.rmtree(home, ignore_errors=True)
    (home / "tmp").mkdir(parents=True)
    for path in (home, home / "tmp"):
        os.chown(path, user.pw_uid, user.pw_gid)
        path.chmod(0o700)
    env = {
        "PATH": f"{image / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(home / "tmp"),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    try:
        with worker_pool(
            image / "bin" / "python", env, log,
            cwd=home, user=user.pw_uid, group=user.pw_gid, extra_groups=[],
        ) as address:  # fmt: skip
            yield address
    finally:
        shutil.rmtree(home, ignore_errors=True)


def portable_flags(pool: str) -> list[str]:
    """The flags that run a stage on Beam's portable path against the pool at `pool`: the
    job planned in this process (`embed`), each fused stage sent to a worker of the pool."""
    return [
        "--runner=PortableRunner",
        "--job_endpoint=embed",
        "--environment_type=EXTERNAL",
        f"--environment_config={pool}",
    ]
