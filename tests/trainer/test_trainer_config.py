"""Training configs: typed, every key documented, errors name the key path."""

from __future__ import annotations

import dataclasses
import os

import pytest
import yaml

from model import ModelConfig, Transformer, count_parameters, preset
from trainer.config import ConfigError, TrainConfig, defaults_yaml, load_config
from trainer.loop import resolve_model_config
from trainer.optim import learning_rate, parameter_groups

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _write(tmp_path, text: str) -> str:
    path = tmp_path / "c.yaml"
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("optim:\n  lrr: 0.1\n", "optim.lrr: unknown key"),
        ("bogus: 1\n", "bogus: unknown key"),
        ("steps: ten\n", "steps: expected an integer, got string 'ten'"),
        ("steps: 1.5\n", "steps: expected an integer, got number 1.5"),
        ("data:\n  document_mask: 1\n", "data.document_mask: expected true or false"),
        (
            "parallel:\n  data_parallel: zero3\n",
            "parallel.data_parallel: 'zero3' is not one of 'ddp', 'fsdp'",
        ),
        ("model: 7B\n", "model: expected a mapping"),
        ("optim:\n  lr: 1e-3\n", "optim.lr: expected a number, got string '1e-3'"),
        # nothing that would train nothing, divide by zero or diverge at once gets through
        ("steps: -1\n", "steps: must be at least 1, got -1"),
        ("steps: 0\n", "steps: must be at least 1, got 0"),
        ("batch:\n  global_tokens: 0\n", "batch.global_tokens: must be at least 1, got 0"),
        ("batch:\n  micro_batch_size: 0\n", "batch.micro_batch_size: must be at least 1"),
        ("data:\n  seq_len: 0\n", "data.seq_len: must be at least 1, got 0"),
        ("optim:\n  lr: 0\n", "optim.lr: must be above 0, got 0.0"),
        ("optim:\n  beta2: 1\n", "optim.beta2: must be below 1, got 1.0"),
        ("optim:\n  min_lr_ratio: 1.5\n", "optim.min_lr_ratio: must be at most 1, got 1.5"),
        ("model:\n  dim: 0\n", "model.dim: must be at least 1, got 0"),
        ("checkpoint:\n  keep: -2\n", "checkpoint.keep: must be at least 0, got -2"),
    ],
)
def test_errors_name_the_file_and_key(tmp_path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_config(path)
    assert message in str(error.value) and path in str(error.value)


def test_overrides_and_types(tmp_path) -> None:
    config = load_config(
        _write(tmp_path, "steps: 5\noptim:\n  lr: 1.0e-3\n"),
        ["steps=7", "model.dim=96", "optim.lr=2"],
    )
    assert config.steps == 7 and config.model.dim == 96
    assert config.optim.lr == 2.0 and isinstance(config.optim.lr, float)
    with pytest.raises(ConfigError, match="model.width: unknown key"):
        load_config(None, ["model.width=3"])


def test_every_option_has_help_and_appears_in_the_defaults() -> None:
    text = defaults_yaml()
    assert yaml.safe_load(text) == TrainConfig().to_dict()  # the printed defaults load back

    def walk(cls: type) -> None:
        for f in dataclasses.fields(cls):
            assert f.metadata.get("help"), f"{cls.__name__}.{f.name} has no help"
            default = (
                f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            )
            if dataclasses.is_dataclass(default):
                walk(type(default))

    walk(TrainConfig)


def test_the_7b_config_has_table_2_hyper_parameters() -> None:
    config = load_config(os.path.join(REPO, "manifests", "train-7b.yaml"))
    model = resolve_model_config(config.model, 32000, config.data.seq_len)
    assert round(count_parameters(model) / 1e9, 2) == 6.74
    assert (model.dim, model.n_heads, model.n_layers, model.max_seq_len) == (4096, 32, 32, 2048)
    o = config.optim
    assert (
        o.lr,
        o.beta1,
        o.beta2,
        o.weight_decay,
        o.grad_clip,
        o.warmup_steps,
        o.min_lr_ratio,
    ) == (3e-4, 0.9, 0.95, 0.1, 1.0, 2000, 0.1)
    assert config.batch.global_tokens == 4 * 1024 * 1024
    assert 0.99e12 < config.steps * config.batch.global_tokens < 1.01e12  # 1.0T tokens


@pytest.mark.parametrize("name", ["train-tiny.yaml", "train-100m.yaml", "train-1b.yaml"])
def test_other_configs_load(name: str) -> None:
    config = load_config(os.path.join(REPO, "manifests", name))
    assert config.batch.global_tokens % config.data.seq_len == 0
    preset(config.model.preset)


def test_tiny_config_reads_the_sample_shards() -> None:
    config = load_config(os.path.join(REPO, "manifests", "train-tiny.yaml"))
    assert config.data.shards == "runs/sample/shards"


def test_vocabulary_comes_from_the_shards() -> None:
    config = load_config(None)
    assert resolve_model_config(config.model, 517, 64).vocab_size == 517
    with pytest.raises(ValueError, match="smaller than the shards' vocab_size"):
        resolve_model_config(load_config(None, ["model.vocab_size=100"]).model, 517, 64)


def test_schedule_warms_up_linearly_then_cosine_to_ten_percent() -> None:
    optim = load_config(None, ["optim.warmup_steps=10", "optim.lr=1.0"]).optim
    lrs = [learning_rate(s, optim, total_steps=110) for s in range(130)]
    assert lrs[:10] == pytest.approx([(s + 1) / 10 for s in range(10)])
    assert lrs[10] == pytest.approx(1.0)
    assert lrs[60] == pytest.approx(0.55)  # half-way down the cosine: (1 + 0.1) / 2
    assert lrs[110] == pytest.approx(0.1) and lrs[129] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:], strict=False))


def test_no_weight_decay_on_norms_and_token_embeddings() -> None:
    model = Transformer(ModelConfig(dim=32, n_heads=2, n_layers=1, vocab_size=50, max_seq_len=8))
    decay, no_decay = parameter_groups(model, 0.1)
    names = {id(p): n for n, p in model.named_parameters()}
    assert sorted(names[id(p)] for p in no_decay["params"]) == [
        "layers.0.attention_norm.weight",
        "layers.0.ffn_norm.weight",
        "norm.weight",
        "tok_embeddings.weight",
    ]
    assert (
        "output.weight" in {names[id(p)] for p in decay["params"]} and decay["weight_decay"] == 0.1
    )
