"""The Wikipedia stage with its input and output on s3:// (a moto server on localhost). Every
stage on the portable path is tests/portable_path/; both at once, `make corpus-portable`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from portable.store import s3_server as s3_server_of
from tests.helpers import run_fleece, tree_digest, write_manifest
from tests.pipeline.sources.wikipedia.dumps import article, dump_xml, page_xml

pytestmark = pytest.mark.slow


@pytest.fixture
def dumps(tmp_path, write_dump):
    pages = [article(i) for i in range(1, 40)]
    pages.insert(5, page_xml(900, "Redirect", "#REDIRECT [[Good 1]]", redirect="Good 1"))
    pages.insert(9, page_xml(901, "Broken", "t").replace("</revision>", ""))
    write_dump("enwiki-a.xml.bz2", dump_xml("en", pages))
    write_dump("dewiki-b.xml.bz2", dump_xml("de", [article(i) for i in range(100, 130)]))
    return tmp_path


def run_wikipedia(run_dir: str, inputs: str, manifest: Path, *beam_args: str) -> None:
    write_manifest(manifest, {"run_dir": run_dir, "sources": {"wikipedia": {"inputs": [inputs]}}})
    run_fleece("wikipedia", "--manifest", str(manifest), *beam_args)


@pytest.fixture
def s3_server(tmp_path):
    pytest.importorskip("moto")
    with s3_server_of(log=tmp_path / "s3-server.log") as server:
        yield server.endpoint, server.client()


def test_s3_input_and_output(dumps, tmp_path, s3_server):
    endpoint, client = s3_server
    for path in sorted(dumps.glob("*.bz2")):
        client.put_object(Bucket="fleece", Key=f"dumps/{path.name}", Body=path.read_bytes())
    s3_flags = [
        f"--s3_endpoint_url={endpoint}",
        "--s3_access_key_id=test",
        "--s3_secret_access_key=test",
        "--s3_region_name=us-east-1",
    ]
    run_wikipedia("s3://fleece/run", "s3://fleece/dumps/*.bz2", tmp_path / "s3.yaml", *s3_flags)
    run_wikipedia(str(tmp_path / "local"), str(dumps / "*.bz2"), tmp_path / "l.yaml")

    local = tree_digest(tmp_path / "local/wikipedia")
    listed = client.list_objects_v2(Bucket="fleece", Prefix="run/wikipedia/")["Contents"]
    remote = {obj["Key"][len("run/wikipedia/") :]: obj["Key"] for obj in listed}
    assert set(remote) == set(local) | {"_SUCCESS"}  # (tree_digest leaves _SUCCESS out)
    success = json.loads(
        client.get_object(Bucket="fleece", Key="run/wikipedia/_SUCCESS")["Body"].read()
    )
    assert sorted(path for path, *_ in success["outputs"]) == sorted(local)
    # each file's checksum is the store's own (S3's ETag), read without reading the file
    assert all(checksum.startswith("etag:") for *_, checksum in success["outputs"])
    for name, key in remote.items():
        if name == "_SUCCESS" or name.startswith("errors/"):
            continue  # these name the run's own paths (s3://... versus /tmp/...)
        body = client.get_object(Bucket="fleece", Key=key)["Body"].read()
        assert __import__("hashlib").sha256(body).hexdigest() == local[name], name
