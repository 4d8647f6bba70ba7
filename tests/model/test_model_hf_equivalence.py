"""With converted weights our logits equal transformers' LlamaForCausalLM (pins RoPE,
RMSNorm and SwiGLU); the conversion round-trips."""

import pytest
import torch

from model import ModelConfig, Transformer
from model.hf_convert import from_hf_state_dict, hf_config_kwargs, to_hf_state_dict

transformers = pytest.importorskip("transformers")

CONFIG = ModelConfig(dim=128, n_heads=4, n_layers=2, vocab_size=384, max_seq_len=96)


def _pair() -> tuple[Transformer, object]:
    torch.manual_seed(0)
    ours = Transformer(CONFIG).eval()
    # Norm weights are ones at init: randomise them so RMSNorm's weight is exercised. Small
    # initial wq/wk make attention nearly uniform, hiding RoPE: enlarge them so scores peak.
    with torch.no_grad():
        for name, param in ours.named_parameters():
            if name.endswith("norm.weight"):
                param.uniform_(0.5, 1.5)
            if name.endswith(("wq.weight", "wk.weight")):
                param.normal_(0.0, 0.25)
    hf = transformers.LlamaForCausalLM(transformers.LlamaConfig(**hf_config_kwargs(CONFIG))).eval()
    hf.load_state_dict(to_hf_state_dict(ours.state_dict(), CONFIG), strict=True)
    return ours, hf


def test_logits_equal_hugging_face_in_fp32() -> None:
    ours, hf = _pair()
    tokens = torch.randint(
        0, CONFIG.vocab_size, (3, 80), generator=torch.Generator().manual_seed(1)
    )
    with torch.no_grad():
        expected = hf(tokens).logits
        actual = ours(tokens)
    assert actual.shape == expected.shape == (3, 80, CONFIG.vocab_size)
    torch.testing.assert_close(actual, expected, atol=1e-4, rtol=0)


def test_without_the_rope_permutation_logits_differ() -> None:
    ours, hf = _pair()
    state = to_hf_state_dict(ours.state_dict(), CONFIG)
    for name in list(state):
        if name.endswith(("q_proj.weight", "k_proj.weight")):
            state[name] = ours.state_dict()[
                name.replace("model.", "")
                .replace("self_attn.q_proj", "attention.wq")
                .replace("self_attn.k_proj", "attention.wk")
            ]
    hf.load_state_dict(state)
    tokens = torch.randint(
        0, CONFIG.vocab_size, (1, 40), generator=torch.Generator().manual_seed(2)
    )
    with torch.no_grad():
        assert (ours(tokens) - hf(tokens).logits).abs().max() > 0.1


def test_conversion_round_trips_exactly() -> None:
    ours, hf = _pair()
    back = from_hf_state_dict(hf.state_dict(), CONFIG)
    for name, tensor in ours.state_dict().items():
        assert torch.equal(back[name], tensor), name
    with pytest.raises(KeyError, match="lacks"):
        to_hf_state_dict({}, CONFIG)
