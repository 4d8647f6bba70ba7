"""Presets reproduce LLaMA's Table 2; FFN sizes follow the reference rule."""

import pytest
import torch

from model import PRESETS, ModelConfig, Transformer, count_parameters, flops_per_token, preset


@pytest.mark.parametrize(
    ("name", "billions", "ffn"),
    [("7B", 6.74, 11008), ("13B", 13.02, 13824), ("33B", 32.53, 17920), ("65B", 65.29, 22016)],
)
def test_table2_parameter_counts_on_meta_device(name: str, billions: float, ffn: int) -> None:
    with torch.device("meta"):
        model = Transformer(preset(name))
    counted = sum(p.numel() for p in model.parameters())
    assert round(counted / 1e9, 2) == billions
    assert counted == count_parameters(preset(name))
    assert preset(name).ffn_dim == ffn
    assert model.layers[0].feed_forward.w1.weight.shape == (ffn, preset(name).dim)


def test_table2_shapes() -> None:
    shapes = {
        n: (PRESETS[n].dim, PRESETS[n].n_heads, PRESETS[n].n_layers)
        for n in ("7B", "13B", "33B", "65B")
    }
    assert shapes == {
        "7B": (4096, 32, 32),
        "13B": (5120, 40, 40),
        "33B": (6656, 52, 60),
        "65B": (8192, 64, 80),
    }
    assert all(PRESETS[n].norm_eps == 1e-6 and PRESETS[n].rope_theta == 1e4 for n in PRESETS)


def test_no_biases_and_untied_embeddings() -> None:
    model = Transformer(preset("nano"))
    assert not [name for name, _ in model.named_parameters() if name.endswith("bias")]
    assert model.tok_embeddings.weight.data_ptr() != model.output.weight.data_ptr()


def test_bad_shapes_and_names_are_rejected() -> None:
    with pytest.raises(ValueError, match="not divisible by n_heads"):
        ModelConfig(dim=100, n_heads=3)
    with pytest.raises(ValueError, match="unknown model preset 'huge'"):
        preset("huge")


def test_flops_per_token_matches_the_65b_anchor() -> None:
    # research/trainer-anchors.md §1.4: 65B at T=2048 is about 407 GFLOP per token.
    flops = flops_per_token(preset("65B"), 2048)
    assert 400e9 < flops < 410e9
    embedding = 32000 * 8192
    assert flops == 6 * (count_parameters(preset("65B")) - embedding) + 12 * 80 * 8192 * 2048


def test_initialisation_is_seeded_and_scaled() -> None:
    config = ModelConfig(dim=256, n_heads=4, n_layers=4, vocab_size=1000, max_seq_len=64)
    torch.manual_seed(7)
    a = Transformer(config)
    torch.manual_seed(7)
    b = Transformer(config)
    assert all(
        torch.equal(x, y)
        for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True)
    )
    assert abs(a.tok_embeddings.weight.std().item() - 1.0) < 0.02
    assert abs(a.layers[0].attention.wq.weight.std().item() - 0.02) < 0.002
    residual = 0.02 / (2 * 4) ** 0.5
    assert abs(a.layers[0].feed_forward.w2.weight.std().item() - residual) < 0.1 * residual
    assert a.output.weight.abs().max().item() <= 3 * 256**-0.5 + 1e-6
    # Unit-variance initial logits: the initial loss is close to ln(vocab).
    tokens = torch.randint(0, 1000, (2, 64))
    with torch.no_grad():
        logits = a(tokens)
    loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), tokens.flatten())
    assert abs(loss.item() - torch.log(torch.tensor(1000.0)).item()) < 1.0
