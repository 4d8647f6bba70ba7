"""Map weights and settings between this model (Meta's layout and names) and Hugging Face's
Llama.

Meta's RoPE rotates adjacent pairs (x0, x1), (x2, x3), ... of a head; HF's `rotate_half`
rotates (x_j, x_{j+D/2}). Permuting the output rows of wq and wk inside each head —
Meta's row 2j goes to HF row j, row 2j+1 to row j + D/2 — makes HF's rotation compute
exactly Meta's (this is the permutation in HF's `convert_llama_weights_to_hf.py`).
Attention scores are unchanged because q and k are permuted alike, and the permutation only
moves rows, so a round trip gives every weight back bit for bit.

No transformers import: the caller builds `LlamaConfig(**hf_config_kwargs(config))` itself,
or writes the same fields as config.json.
"""

from __future__ import annotations

from collections.abc import Mapping

import torch

from model.config import ModelConfig, ffn_hidden_dim


def _to_rotate_half(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    out_dim, in_dim = weight.shape
    half = out_dim // n_heads // 2
    return weight.view(n_heads, half, 2, in_dim).transpose(1, 2).reshape(out_dim, in_dim)


def _to_interleaved(weight: torch.Tensor, n_heads: int) -> torch.Tensor:
    out_dim, in_dim = weight.shape
    half = out_dim // n_heads // 2
    return weight.view(n_heads, 2, half, in_dim).transpose(1, 2).reshape(out_dim, in_dim)


def _layer_names(i: int) -> dict[str, str]:
    hf = f"model.layers.{i}."
    ours = f"layers.{i}."
    return {
        ours + "attention.wq.weight": hf + "self_attn.q_proj.weight",
        ours + "attention.wk.weight": hf + "self_attn.k_proj.weight",
        ours + "attention.wv.weight": hf + "self_attn.v_proj.weight",
        ours + "attention.wo.weight": hf + "self_attn.o_proj.weight",
        ours + "feed_forward.w1.weight": hf + "mlp.gate_proj.weight",
        ours + "feed_forward.w3.weight": hf + "mlp.up_proj.weight",
        ours + "feed_forward.w2.weight": hf + "mlp.down_proj.weight",
        ours + "attention_norm.weight": hf + "input_layernorm.weight",
        ours + "ffn_norm.weight": hf + "post_attention_layernorm.weight",
    }


def hf_names(config: ModelConfig) -> dict[str, str]:
    """Our weight name -> Hugging Face's, in HF's module order (embedding, blocks, final norm,
    head), which is the order the Hub's shards follow."""
    names = {"tok_embeddings.weight": "model.embed_tokens.weight"}
    for i in range(config.n_layers):
        names.update(_layer_names(i))
    names["norm.weight"] = "model.norm.weight"
    names["output.weight"] = "lm_head.weight"
    return names


def _is_query_or_key(name: str) -> bool:
    return name.endswith(("attention.wq.weight", "attention.wk.weight"))


def to_hf_weight(name: str, weight: torch.Tensor, config: ModelConfig) -> torch.Tensor:
    """Our weight `name` as Hugging Face stores it (q and k rows permuted; a copy, contiguous)."""
    if _is_query_or_key(name):
        return _to_rotate_half(weight, config.n_heads).contiguous()
    return weight.contiguous()


def from_hf_weight(name: str, weight: torch.Tensor, config: ModelConfig) -> torch.Tensor:
    """Hugging Face's tensor for our weight `name`, in our layout (inverse of to_hf_weight)."""
    if _is_query_or_key(name):
        return _to_interleaved(weight, config.n_heads).contiguous()
    return weight.contiguous()


def to_hf_state_dict(
    state_dict: dict[str, torch.Tensor], config: ModelConfig
) -> dict[str, torch.Tensor]:
    """Our (Meta-named) state dict -> a `LlamaForCausalLM` state dict."""
    names = hf_names(config)
    missing = sorted(set(names) - set(state_dict))
    if missing:
        raise KeyError(f"state dict lacks {len(missing)} weights, e.g. {missing[:3]}")
    return {hf: to_hf_weight(ours, state_dict[ours], config) for ours, hf in names.items()}


def from_hf_state_dict(
    state_dict: Mapping[str, torch.Tensor], config: ModelConfig
) -> dict[str, torch.Tensor]:
    """A `LlamaForCausalLM` state dict -> ours (the inverse of `to_hf_state_dict`). Entries
    that are not weights of this shape (e.g. old checkpoints' `rotary_emb.inv_freq`) are
    ignored."""
    out = {}
    for ours, hf in hf_names(config).items():
        if hf not in state_dict:
            raise KeyError(f"Hugging Face state dict lacks {hf!r}")
        out[ours] = from_hf_weight(ours, state_dict[hf], config)
    return out


def hf_config_kwargs(config: ModelConfig) -> dict[str, object]:
    """Keyword arguments for `transformers.LlamaConfig` describing the same model."""
    return {
        "vocab_size": config.vocab_size,
        "hidden_size": config.dim,
        "intermediate_size": config.ffn_dim,
        "num_hidden_layers": config.n_layers,
        "num_attention_heads": config.n_heads,
        "num_key_value_heads": config.n_heads,
        "head_dim": config.head_dim,
        "max_position_embeddings": config.max_seq_len,
        "rms_norm_eps": config.norm_eps,
        "rope_theta": config.rope_theta,
        "tie_word_embeddings": False,
        "attention_bias": False,
        "mlp_bias": False,
        "hidden_act": "silu",
        "bos_token_id": 1,
        "eos_token_id": 2,
    }


class UnsupportedConfig(ValueError):
    """A Hugging Face config field describes something this model does not have; the message
    names the field."""


def _multiple_of(dim: int, intermediate_size: int) -> int | None:
    """A `multiple_of` for which ffn_hidden_dim(dim, multiple_of) == intermediate_size:
    LLaMA's 256 when it fits, else the size itself (rounding 2/3·4·dim up to a multiple of
    the size gives the size once it is at least that); None when the size is below it."""
    if ffn_hidden_dim(dim, 256) == intermediate_size:
        return 256
    return intermediate_size if ffn_hidden_dim(dim, 1) <= intermediate_size else None


def _required_int(hf: Mapping[str, object], name: str) -> int:
    value = hf.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise UnsupportedConfig(f"{name} is {value!r}; expected a positive integer")
    return value


def _rope_theta(hf: Mapping[str, object]) -> float:
    """rope_theta from transformers 4's top-level field or 5's rope_parameters; scaled RoPE
    (rope_scaling, or a rope_type other than default) is refused."""
    if hf.get("rope_scaling") is not None:
        raise UnsupportedConfig(
            f"rope_scaling is {hf['rope_scaling']!r}: fleece's model has only plain RoPE"
        )
    parameters = hf.get("rope_parameters") or {}
    if not isinstance(parameters, Mapping):
        raise UnsupportedConfig(f"rope_parameters is {parameters!r}; expected a mapping")
    rope_type = parameters.get("rope_type", "default")
    if rope_type not in ("default", None):
        raise UnsupportedConfig(
            f"rope_parameters.rope_type is {rope_type!r}: fleece's model has only plain RoPE"
        )
    theta = parameters.get("rope_theta", hf.get("rope_theta", 10000.0))
    if not isinstance(theta, int | float) or theta <= 0:
        raise UnsupportedConfig(f"rope_theta is {theta!r}; expected a positive number")
    return float(theta)


def model_config_from_hf(hf: Mapping[str, object]) -> ModelConfig:
    """The ModelConfig of a Hugging Face Llama config.json (the inverse of hf_config_kwargs).

    Refuses, naming the field, what this model lacks: another architecture, grouped-query
    attention, tied embeddings, scaled RoPE, biases, an activation other than SiLU, a head
    size other than dim / heads, BOS/EOS ids other than fleece's 1 and 2 (every document of
    a corpus is framed with those).
    """
    if hf.get("model_type") != "llama":
        raise UnsupportedConfig(
            f"model_type is {hf.get('model_type')!r}; fleece's model is 'llama'"
        )
    dim = _required_int(hf, "hidden_size")
    heads = _required_int(hf, "num_attention_heads")
    kv_heads = hf.get("num_key_value_heads")
    if kv_heads is not None and kv_heads != heads:
        raise UnsupportedConfig(
            f"num_key_value_heads is {kv_heads}, num_attention_heads {heads}: grouped-query "
            "attention, which fleece's model lacks"
        )
    for name, what in (
        ("tie_word_embeddings", "tied input and output embeddings"),
        ("attention_bias", "biases in attention"),
        ("mlp_bias", "biases in the MLP"),
    ):
        if hf.get(name, False) is not False:
            raise UnsupportedConfig(f"{name} is {hf[name]!r}: {what}, which fleece's model lacks")
    if hf.get("hidden_act", "silu") != "silu":
        raise UnsupportedConfig(
            f"hidden_act is {hf['hidden_act']!r}: fleece's model uses SwiGLU (silu)"
        )
    head_dim = hf.get("head_dim")
    if head_dim is not None and head_dim * heads != dim:
        raise UnsupportedConfig(
            f"head_dim is {head_dim}, not hidden_size / num_attention_heads = {dim // heads}"
        )
    for name, ours in (("bos_token_id", 1), ("eos_token_id", 2)):
        if hf.get(name, ours) != ours:
            raise UnsupportedConfig(
                f"{name} is {hf[name]!r}: fleece frames documents with BOS 1 and EOS 2"
            )
    intermediate = _required_int(hf, "intermediate_size")
    multiple_of = _multiple_of(dim, intermediate)
    if multiple_of is None:
        raise UnsupportedConfig(
            f"intermediate_size is {intermediate}, below fleece's 2/3·4·hidden_size "
            f"= {int(8 * dim / 3)}"
        )
    norm_eps = hf.get("rms_norm_eps", 1e-6)
    if not isinstance(norm_eps, int | float) or norm_eps <= 0:
        raise UnsupportedConfig(f"rms_norm_eps is {norm_eps!r}; expected a positive number")
    try:
        return ModelConfig(
            dim=dim,
            n_layers=_required_int(hf, "num_hidden_layers"),
            n_heads=heads,
            vocab_size=_required_int(hf, "vocab_size"),
            multiple_of=multiple_of,
            norm_eps=float(norm_eps),
            rope_theta=_rope_theta(hf),
            max_seq_len=_required_int(hf, "max_position_embeddings"),
        )
    except UnsupportedConfig:
        raise
    except ValueError as error:  # ModelConfig's own checks (dim divisible by heads...)
        raise UnsupportedConfig(str(error)) from None
