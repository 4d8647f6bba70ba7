"""Map weights between this model (Meta's layout and names) and Hugging Face's Llama.

Meta's RoPE rotates adjacent pairs (x0, x1), (x2, x3), ... of a head; HF's `rotate_half`
rotates (x_j, x_{j+D/2}). Permuting the output rows of wq and wk inside each head —
Meta's row 2j goes to HF row j, row 2j+1 to row j + D/2 — makes HF's rotation compute
exactly Meta's (this is the permutation in HF's `convert_llama_weights_to_hf.py`).
Attention scores are unchanged because q and k are permuted alike. No transformers import:
the caller builds `LlamaConfig(**hf_config_kwargs(config))` itself.
"""

from __future__ import annotations

import torch

from model.config import ModelConfig


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


def _name_map(config: ModelConfig) -> dict[str, str]:
    names = {
        "tok_embeddings.weight": "model.embed_tokens.weight",
        "norm.weight": "model.norm.weight",
        "output.weight": "lm_head.weight",
    }
    for i in range(config.n_layers):
        names.update(_layer_names(i))
    return names


def _is_query_or_key(name: str) -> bool:
    return name.endswith(("attention.wq.weight", "attention.wk.weight"))


def to_hf_state_dict(
    state_dict: dict[str, torch.Tensor], config: ModelConfig
) -> dict[str, torch.Tensor]:
    """Our (Meta-named) state dict -> a `LlamaForCausalLM` state dict."""
    names = _name_map(config)
    missing = sorted(set(names) - set(state_dict))
    if missing:
        raise KeyError(f"state dict lacks {len(missing)} weights, e.g. {missing[:3]}")
    out = {}
    for ours, hf in names.items():
        weight = state_dict[ours]
        out[hf] = _to_rotate_half(weight, config.n_heads) if _is_query_or_key(ours) else weight
    return out


def from_hf_state_dict(
    state_dict: dict[str, torch.Tensor], config: ModelConfig
) -> dict[str, torch.Tensor]:
    """A `LlamaForCausalLM` state dict -> ours (the inverse of `to_hf_state_dict`)."""
    out = {}
    for ours, hf in _name_map(config).items():
        if hf not in state_dict:
            raise KeyError(f"Hugging Face state dict lacks {hf!r}")
        weight = state_dict[hf]
        out[ours] = _to_interleaved(weight, config.n_heads) if _is_query_or_key(ours) else weight
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
