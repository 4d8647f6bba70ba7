"""The run manifest: one typed dataclass per section, composed here.

Every default lives here or in the config module of the stage that owns it (each source's
config, named by its declaration, `encode/config.py`, `shards/config.py`, `tokenizer/config.py`);
a manifest YAML only overrides. Unknown keys, wrong types and values out of bounds fail
before anything runs, naming the key path and, for an unknown key, the closest one
(`sources.wikipedia.languges: unknown key (did you mean languages?)`); the loader is the one
the trainer uses too (`settings`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import tempfile

from pipeline.encode.config import EncodeConfig
from pipeline.environment import environment_error
from pipeline.registry import sources
from pipeline.shards.config import ShardsConfig
from settings import SEED_MAX, ConfigError, check_paths, load_yaml, param
from tokenizer.config import TokenizerConfig

# The DirectRunner's running modes (apache_beam.options.pipeline_options.DirectOptions).
DIRECT_RUNNING_MODES = ("in_memory", "multi_threading", "multi_processing")


@dataclasses.dataclass
class RunnerConfig:
    beam_args: list[str] = param(
        [],
        "Beam pipeline flags passed unchanged, e.g. ['--runner=DataflowRunner', '--project=p']; "
        "flags given on the command line come after these and win",
    )
    direct_num_workers: int = param(
        0, "DirectRunner worker processes (0 = all cores)", min=0, max=4096
    )
    direct_running_mode: str = param(
        "multi_processing",
        "DirectRunner mode: multi_processing, multi_threading or in_memory",
        choices=DIRECT_RUNNING_MODES,
    )


@dataclasses.dataclass
class SampleConfig:
    enabled: bool = param(False, "generate the synthetic sample inputs as the first stage")
    scale: int = param(1, "sample size multiplier (1 = a few MB)", min=1, max=100_000)
    seed: int = param(0, "seed of the synthetic sample", min=0, max=SEED_MAX)
    out: str = param("{run_dir}/inputs", "where the sample inputs are written", path="folder")


def sources_config() -> type:
    """The `sources` section: one field per declared source, in source order, holding that
    source's config dataclass (pipeline/registry.py finds the declarations)."""
    fields = [(spec.name, spec.config, param(spec.config(), spec.summary)) for spec in sources()]
    section = dataclasses.make_dataclass("SourcesConfig", fields)
    section.__module__ = __name__  # pickles by name, as a written dataclass does
    return section


SourcesConfig = sources_config()


@dataclasses.dataclass
class RunConfig:
    run_dir: str = param(
        "runs/default",
        "all stage outputs go under this directory (any Beam path)",
        path="folder",
    )
    seed: int = param(
        0,
        "seed of every random choice in the run (SentencePiece takes 0 to 2**32-1)",
        min=0,
        max=SEED_MAX,
    )
    runner: RunnerConfig = param(RunnerConfig(), "how Beam pipelines run")
    sample: SampleConfig = param(SampleConfig(), "synthetic sample inputs (for trying fleece)")
    sources: SourcesConfig = param(SourcesConfig(), "per-source inputs and cleaning parameters")
    tokenizer: TokenizerConfig = param(TokenizerConfig(), "SentencePiece BPE training")
    encode: EncodeConfig = param(EncodeConfig(), "token encoding of documents")
    shards: ShardsConfig = param(ShardsConfig(), "mixture, validation split and token shards")

    def resolve(self, path: str) -> str:
        """A manifest path with `{run_dir}` substituted; local relative paths made absolute so
        that worker processes (which may run elsewhere) see the same files."""
        path = path.replace("{run_dir}", self.run_dir)
        if "://" in path:
            return path
        return os.path.abspath(path)

    def validate(self) -> None:
        if not self.run_dir.strip():
            raise ConfigError("run_dir: is empty: name the folder the stage outputs go to")
        check_paths(self, self.resolve)


def load_manifest_text(text: str, origin: str = "<manifest>") -> RunConfig:
    return load_yaml(RunConfig, text, origin)


def load_manifest(path: str) -> RunConfig:
    """Read and validate a run manifest (a local path or any Beam filesystem path)."""
    # lazy: Beam; `fleece config` and `fleece verify` import this module without it
    from pipeline.io import read_text

    try:
        text = read_text(path)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: manifest not found") from exc
    return load_manifest_text(text, path)


# Kernel filesystems: a folder made there holds no data (and /proc takes none).
SYSTEM_FOLDERS = ("/proc", "/sys", "/dev")


def run_dir_problem(run: RunConfig) -> str | None:
    """One line naming `run_dir` when its folder cannot be made or written, found by making
    it and a file in it as a stage would; None when it can, and on an object store (whose
    client tells at the first write). What the check made is removed again when it fails,
    so a refused run leaves no folder behind."""
    path = run.resolve(run.run_dir).removeprefix("file://")
    if "://" in path:
        return None
    real = os.path.realpath(path)
    for system in SYSTEM_FOLDERS:
        if real == system or real.startswith(system + "/"):
            return f"run_dir: {path}: is under {system}, a kernel filesystem, not storage"
    made = _missing_folders(path)
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".fleece-write-check-"):
            pass
    except OSError as exc:
        for folder in made:  # innermost first
            with contextlib.suppress(OSError):
                os.rmdir(folder)
        reason = environment_error(exc, path) or f"{path}: cannot be made ({exc.strerror})"
        return f"run_dir: {reason}"
    return None


def _missing_folders(path: str) -> list[str]:
    """The folders of `path` that do not exist yet, innermost first."""
    missing = []
    while path and not os.path.lexists(path):
        missing.append(path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing
