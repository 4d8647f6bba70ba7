"""Attention kernels, document masking, RoPE and RMSNorm numerics."""

import math

import pytest
import torch

from model import ModelConfig, Transformer, document_positions
from model.attention import AttentionMask, attend, packed_lengths, resolve_backend, xformers_ops
from model.layers import RMSNorm
from model.rope import Rotary, apply_rope, rope_tables

CONFIG = ModelConfig(dim=64, n_heads=4, n_layers=2, vocab_size=101, max_seq_len=64)


def _model() -> Transformer:
    torch.manual_seed(3)
    model = Transformer(CONFIG).eval()
    with torch.no_grad():  # peaked attention, so masking errors would show
        for layer in model.layers:
            layer.attention.wq.weight.normal_(0.0, 0.3)
            layer.attention.wk.weight.normal_(0.0, 0.3)
    return model


def test_a_document_gives_the_same_outputs_whether_or_not_another_precedes_it() -> None:
    model = _model()
    gen = torch.Generator().manual_seed(0)
    first = torch.randint(3, 101, (17,), generator=gen)
    second = torch.randint(3, 101, (23,), generator=gen)
    alone = second[None]
    packed = torch.cat([first, second])[None]
    packed_docs = torch.cat([torch.zeros(17, dtype=torch.long), torch.ones(23, dtype=torch.long)])[
        None
    ]
    with torch.no_grad():
        expected = model(alone, torch.zeros_like(alone))
        masked = model(packed, packed_docs)[:, 17:]
        unmasked = model(packed)[:, 17:]
    torch.testing.assert_close(masked, expected, atol=1e-5, rtol=0)
    # Without document masking the first document leaks into the second.
    assert (unmasked - expected).abs().max() > 1e-2


def test_document_mask_of_a_single_document_is_plain_causal_attention() -> None:
    model = _model()
    tokens = torch.randint(0, 101, (2, 40), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        torch.testing.assert_close(
            model(tokens, torch.zeros_like(tokens)), model(tokens), atol=1e-5, rtol=0
        )


def test_document_positions_restart_at_each_document() -> None:
    docs = torch.tensor([[0, 0, 1, 1, 1, 2], [5, 5, 5, 5, 6, 6]])
    assert document_positions(docs).tolist() == [[0, 1, 0, 1, 2, 0], [0, 1, 2, 3, 0, 1]]


def test_packed_lengths_split_documents_and_rows() -> None:
    assert packed_lengths(torch.tensor([[0, 0, 1], [1, 1, 1]])) == [2, 1, 3]
    assert packed_lengths(torch.tensor([[3, 3, 3, 3]])) == [4]
    assert packed_lengths(torch.tensor([[0, 1, 1, 2], [0, 0, 0, 0]])) == [1, 2, 1, 4]


def test_sdpa_dense_mask_matches_a_reference_softmax() -> None:
    gen = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(2, 9, 3, 8, generator=gen) for _ in range(3))
    docs = torch.tensor([[0, 0, 0, 1, 1, 1, 1, 2, 2], [0] * 9])
    out = attend(q, k, v, AttentionMask(docs), "sdpa")
    scores = torch.einsum("bqhd,bkhd->bhqk", q, k) / math.sqrt(8)
    allowed = (docs[:, :, None] == docs[:, None, :]) & torch.ones(9, 9, dtype=torch.bool).tril()
    scores = scores.masked_fill(~allowed[:, None], float("-inf"))
    expected = torch.einsum("bhqk,bkhd->bqhd", scores.float().softmax(-1), v)
    torch.testing.assert_close(out, expected, atol=1e-6, rtol=0)


def test_backend_choice_on_cpu() -> None:
    assert resolve_backend("auto", torch.device("cpu")) == "sdpa"
    with pytest.raises(ValueError, match="unknown attention backend"):
        resolve_backend("flash", torch.device("cpu"))
    with pytest.raises(RuntimeError, match="xformers"):
        resolve_backend("xformers", torch.device("cpu"))


@pytest.mark.skipif(
    not torch.cuda.is_available() or xformers_ops() is None, reason="needs CUDA and xformers"
)
def test_xformers_and_sdpa_agree_in_bf16() -> None:
    torch.manual_seed(0)
    model = Transformer(
        ModelConfig(dim=256, n_heads=4, n_layers=2, vocab_size=512, max_seq_len=256)
    ).cuda()
    tokens = torch.randint(0, 512, (2, 256), device="cuda")
    docs = (torch.arange(256, device="cuda") // 100).expand(2, 256).contiguous()
    for document_ids in (None, docs):
        results = {}
        for backend in ("sdpa", "xformers"):
            model.zero_grad()
            model.set_attention_backend(backend)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                logits = model(tokens, document_ids)
            logits.float().logsumexp(-1).mean().backward()
            results[backend] = (logits.float(), model.layers[0].attention.wq.weight.grad.clone())
        torch.testing.assert_close(results["sdpa"][0], results["xformers"][0], atol=3e-2, rtol=3e-2)
        torch.testing.assert_close(results["sdpa"][1], results["xformers"][1], atol=3e-2, rtol=5e-2)


def test_rope_equals_the_reference_complex_rotation() -> None:
    head_dim, t = 16, 12
    x = torch.randn(2, t, 3, head_dim, generator=torch.Generator().manual_seed(2))
    cos, sin = rope_tables(head_dim, 32, 10000.0)
    ours = apply_rope(x, Rotary(cos[None, :t, None], sin[None, :t, None]))
    # Meta's code: adjacent pairs as complex numbers times polar(1, pos * theta^(-2j/d)).
    freqs = 1.0 / (10000.0 ** (torch.arange(0, head_dim, 2)[: head_dim // 2].float() / head_dim))
    freqs_cis = torch.polar(
        torch.ones(t, head_dim // 2), torch.outer(torch.arange(t).float(), freqs)
    )
    xc = torch.view_as_complex(x.float().reshape(2, t, 3, -1, 2))
    reference = torch.view_as_real(xc * freqs_cis[None, :, None]).flatten(3)
    torch.testing.assert_close(ours, reference, atol=1e-6, rtol=0)


def test_rmsnorm_statistics_are_float32_for_bfloat16_input() -> None:
    norm = RMSNorm(64, eps=1e-6)
    x = (torch.randn(4, 64, generator=torch.Generator().manual_seed(0)) * 30).bfloat16()
    out = norm(x)
    assert out.dtype == torch.float32  # bf16 activations times the fp32 weight
    x32 = x.float()
    expected = (x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + 1e-6)).bfloat16().float()
    torch.testing.assert_close(out, expected, atol=0, rtol=0)
