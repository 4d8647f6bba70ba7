"""Activation checkpointing changes memory, never gradients; selective mode keeps every
matmul output, so no matmul is recomputed in the backward pass."""

import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from model import ModelConfig, Transformer

CONFIG = ModelConfig(dim=64, n_heads=4, n_layers=2, vocab_size=97, max_seq_len=32)


class CountMatmuls(TorchDispatchMode):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.silu = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        if func in (
            torch.ops.aten.mm.default,
            torch.ops.aten.bmm.default,
            torch.ops.aten.addmm.default,
        ):
            self.count += 1
        if func is torch.ops.aten.silu.default:
            self.silu += 1
        return func(*args, **(kwargs or {}))


def _gradients_and_backward_matmuls(mode: str, document_ids: torch.Tensor | None):
    torch.manual_seed(0)
    model = Transformer(CONFIG)
    model.set_activation_checkpointing(mode)
    tokens = torch.randint(0, 97, (2, 32), generator=torch.Generator().manual_seed(1))
    loss = torch.nn.functional.cross_entropy(
        model(tokens, document_ids).flatten(0, 1), tokens.flatten()
    )
    counter = CountMatmuls()
    with counter:
        loss.backward()
    return {n: p.grad for n, p in model.named_parameters()}, (counter.count, counter.silu)


@pytest.mark.parametrize("masked", [False, True])
def test_checkpointing_modes_give_identical_gradients(masked: bool) -> None:
    docs = (torch.arange(32) // 10).expand(2, 32) if masked else None
    reference, plain = _gradients_and_backward_matmuls("none", docs)
    selective_grads, selective = _gradients_and_backward_matmuls("selective", docs)
    full_grads, full = _gradients_and_backward_matmuls("full", docs)
    for name, grad in reference.items():
        torch.testing.assert_close(selective_grads[name], grad, atol=0, rtol=0)
        torch.testing.assert_close(full_grads[name], grad, atol=0, rtol=0)
    assert selective[0] == plain[0]  # matmul outputs were saved, none recomputed
    assert plain[1] == 0 and selective[1] == CONFIG.n_layers  # ...but SiLU was recomputed
    assert full[0] > plain[0]  # full checkpointing recomputes the block's matmuls too


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="activation checkpointing mode 'some'"):
        Transformer(CONFIG).set_activation_checkpointing("some")
