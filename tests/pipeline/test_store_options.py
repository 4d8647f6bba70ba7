"""What a DoFn carries to a worker that receives no pipeline options: the object store's
options and a test's fault (pipeline/io.py StoreFn, pipeline/fault_switch.py)."""

from __future__ import annotations

import pickle

import pytest
from apache_beam.io.filesystems import FileSystems

from pipeline import fault_switch, io
from pipeline.harness.beam import filesystem_options, set_filesystem_options


class ReadFn(io.StoreFn):
    def process(self, path: str):
        yield path


@pytest.fixture(autouse=True)
def no_store_options():
    yield
    io.use_store_options({})


def test_only_the_filesystems_flags_are_kept():
    flags = ["--runner=PortableRunner", "--direct_num_workers=2", "--s3_endpoint_url=http://h:1",
             "--s3_access_key_id=k", "--s3_disable_ssl"]  # fmt: skip
    assert filesystem_options(flags) == {
        "s3_access_key_id": "k",
        "s3_disable_ssl": True,
        "s3_endpoint_url": "http://h:1",
    }


def test_a_dofn_carries_the_launchers_store_options_to_a_fresh_worker():
    set_filesystem_options(["--s3_endpoint_url=http://store:9000", "--s3_region_name=eu-1"])
    shipped = pickle.dumps(ReadFn())
    io.use_store_options({})  # a pool worker: nothing set
    assert FileSystems._pipeline_options.get_all_options(drop_default=True) == {}
    fn = pickle.loads(shipped)
    fn.setup()
    options = FileSystems._pipeline_options.get_all_options(drop_default=True)
    assert options["s3_endpoint_url"] == "http://store:9000"
    assert options["s3_region_name"] == "eu-1"


@pytest.mark.parametrize("spec", ["ReadFn", "ReadFn:x:raise", "ReadFn:1:explode"])
def test_a_bad_fault_spec_is_one_line(spec, tmp_path, monkeypatch):
    monkeypatch.setenv(fault_switch.ENVIRONMENT, spec)
    with pytest.raises(ValueError, match="expected <DoFn class>:<bundle>:raise|kill"):
        fault_switch.arm(str(tmp_path))


def test_a_fault_fires_once_in_its_bundle_only(tmp_path, monkeypatch):
    monkeypatch.setenv(fault_switch.ENVIRONMENT, "ReadFn:2:raise")
    fault_switch.arm(str(tmp_path))
    try:
        first, second = pickle.loads(pickle.dumps(ReadFn())), pickle.loads(pickle.dumps(ReadFn()))
        assert pickle.loads(pickle.dumps(io.FlatMapFiles(len))).fault is None  # another class
    finally:
        monkeypatch.delenv(fault_switch.ENVIRONMENT)
        fault_switch.arm(str(tmp_path))
    first.start_bundle()  # bundle 1: not the one
    with pytest.raises(fault_switch.InjectedFault, match="ReadFn failed in bundle 2"):
        first.start_bundle()
    second.start_bundle()
    second.start_bundle()  # its bundle 2, but the fault fired already (the marker exists)
    assert (tmp_path / ".fault-ReadFn-2-raise").exists()
