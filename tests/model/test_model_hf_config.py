"""A Hugging Face Llama config.json reads back as the ModelConfig it describes, and what the
model lacks is refused naming the field."""

import pytest

from model import PRESETS, ModelConfig
from model.hf_convert import UnsupportedConfig, hf_config_kwargs, model_config_from_hf

transformers = pytest.importorskip("transformers")


def _as_config_json(config: ModelConfig) -> dict[str, object]:
    """What transformers itself writes for this shape (5.x: rope_parameters, no rope_theta)."""
    hf = transformers.LlamaConfig(**hf_config_kwargs(config))
    return hf.to_dict()


@pytest.mark.parametrize("name", ["7B", "13B", "65B", "tiny", "nano"])
def test_the_presets_read_back_from_transformers_config(name: str) -> None:
    config = PRESETS[name]
    assert model_config_from_hf(_as_config_json(config)) == config


def test_transformers_4_fields_read_too() -> None:
    data = {"model_type": "llama", **hf_config_kwargs(PRESETS["tiny"]), "rope_theta": 5e5}
    assert model_config_from_hf(data) == PRESETS["tiny"].replace(rope_theta=5e5)


def test_an_intermediate_size_off_the_256_rule_is_kept() -> None:
    """Mistral-7B-like 14336 for dim 4096 (LLaMA's rule gives 11008): kept exactly."""
    data = {**_as_config_json(PRESETS["7B"]), "intermediate_size": 14336}
    assert model_config_from_hf(data).ffn_dim == 14336
    with pytest.raises(UnsupportedConfig, match=r"^intermediate_size is 8000, below"):
        model_config_from_hf({**data, "intermediate_size": 8000})


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("rope_parameters", {"rope_type": "llama3", "rope_theta": 5e5, "factor": 8.0}),
        ("head_dim", 64),
        ("bos_token_id", 128000),
        ("eos_token_id", 0),
        ("hidden_size", None),
    ],
)
def test_other_settings_are_refused_naming_the_field(field: str, value: object) -> None:
    data = {**_as_config_json(PRESETS["nano"]), field: value}
    with pytest.raises(UnsupportedConfig, match=f"^{field}"):
        model_config_from_hf(data)
