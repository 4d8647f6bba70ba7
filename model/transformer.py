"""The LLaMA transformer: pre-norm blocks of attention and SwiGLU, untied embeddings.

Initialisation (the paper and the released code give none; the code loads weights):

* token embeddings ~ N(0, 1): the first RMSNorm rescales them anyway, and unit-variance
  embeddings keep the residual stream well above the small block outputs at the start;
* wq, wk, wv, w1, w3 ~ N(0, 0.02²) truncated at ±3σ (GPT-2/Megatron's 0.02);
* wo, w2 (the projections that write into the residual stream) ~ N(0, (0.02/√(2L))²)
  truncated at ±3σ: 2L residual branches add their variance, so each is scaled down
  with depth (GPT-2's scheme) and the stream's variance does not grow with L;
* output projection ~ N(0, 1/dim) truncated at ±3σ: with unit-RMS normalised input the
  initial logits have unit variance, so the initial loss is ≈ ln(vocab) + 0.5;
* RMSNorm weights = 1.

This is close to torchtitan's LLaMA initialisation (which scales by layer index instead
of total depth). `init_weights` draws from torch's global generator, so seed it first.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from model.attention import Attention, AttentionMask
from model.checkpointing import MODES, checkpointed
from model.config import ModelConfig
from model.layers import FeedForward, RMSNorm
from model.rope import Rotary, rope_tables


def _trunc_normal(weight: torch.Tensor, std: float) -> None:
    nn.init.trunc_normal_(weight, mean=0.0, std=std, a=-3 * std, b=3 * std)


class TransformerBlock(nn.Module):
    """h = x + attention(attention_norm(x)); out = h + feed_forward(ffn_norm(h))."""

    def __init__(self, config: ModelConfig, attention_backend: str = "auto") -> None:
        super().__init__()
        self.attention = Attention(config.dim, config.n_heads, attention_backend)
        self.feed_forward = FeedForward(config.dim, config.ffn_dim)
        self.attention_norm = RMSNorm(config.dim, config.norm_eps)
        self.ffn_norm = RMSNorm(config.dim, config.norm_eps)
        self.activation_checkpointing = "none"

    def forward(self, x: torch.Tensor, rotary: Rotary, mask: AttentionMask) -> torch.Tensor:
        return checkpointed(self.activation_checkpointing, self._forward, x, rotary, mask)

    def _forward(self, x: torch.Tensor, rotary: Rotary, mask: AttentionMask) -> torch.Tensor:
        h = x + self.attention(self.attention_norm(x), rotary, mask)
        return h + self.feed_forward(self.ffn_norm(h))

    def init_weights(self, n_layers: int) -> None:
        residual_std = 0.02 / math.sqrt(2 * n_layers)
        for linear in (self.attention.wq, self.attention.wk, self.attention.wv):
            _trunc_normal(linear.weight, 0.02)
        _trunc_normal(self.attention.wo.weight, residual_std)
        _trunc_normal(self.feed_forward.w1.weight, 0.02)
        _trunc_normal(self.feed_forward.w3.weight, 0.02)
        _trunc_normal(self.feed_forward.w2.weight, residual_std)
        self.attention_norm.reset_parameters()
        self.ffn_norm.reset_parameters()


class Transformer(nn.Module):
    """LLaMA: token ids [B, T] (and optional document ids) -> logits [B, T, vocab].

    Parameter names follow Meta's checkpoints (tok_embeddings, layers.N.attention.wq,
    feed_forward.w1, attention_norm, ffn_norm, norm, output), so Meta weights load as they
    are and `model.hf_convert` maps them to Hugging Face's names.
    """

    def __init__(self, config: ModelConfig, attention_backend: str = "auto") -> None:
        super().__init__()
        self.config = config
        self.tok_embeddings = nn.Embedding(config.vocab_size, config.dim)
        self.layers = nn.ModuleList(
            TransformerBlock(config, attention_backend) for _ in range(config.n_layers)
        )
        self.norm = RMSNorm(config.dim, config.norm_eps)
        self.output = nn.Linear(config.dim, config.vocab_size, bias=False)
        # Not persistent: recomputed on load and after materialising a meta-device model.
        cos, sin = rope_tables(config.head_dim, config.max_seq_len, config.rope_theta)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        if self.output.weight.device.type != "meta":
            self.init_weights()

    @torch.no_grad()
    def init_weights(self) -> None:
        """(Re)initialise every parameter and buffer as described in the module docstring."""
        c = self.config
        cos, sin = rope_tables(c.head_dim, c.max_seq_len, c.rope_theta)
        self.rope_cos.copy_(cos)
        self.rope_sin.copy_(sin)
        nn.init.normal_(self.tok_embeddings.weight, mean=0.0, std=1.0)
        for layer in self.layers:
            layer.init_weights(c.n_layers)
        self.norm.reset_parameters()
        _trunc_normal(self.output.weight, c.dim**-0.5)

    def set_attention_backend(self, backend: str) -> None:
        """ "auto", "sdpa" or "xformers" for every layer."""
        for layer in self.layers:
            layer.attention.backend = backend

    def set_activation_checkpointing(self, mode: str) -> None:
        """ "none", "selective" (save matmul/attention outputs) or "full", per block."""
        if mode not in MODES:
            raise ValueError(f"unknown activation checkpointing mode {mode!r}; choose from {MODES}")
        for layer in self.layers:
            layer.activation_checkpointing = mode

    def forward(
        self, tokens: torch.Tensor, document_ids: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Logits for `tokens` [B, T]. With `document_ids` [B, T] (runs of equal ids mark the
        documents packed in a row), a token attends only within its own document and its
        rotary position restarts at 0 where the document starts, so a document's outputs do
        not depend on what precedes it in the row."""
        t = tokens.shape[1]
        if t > self.config.max_seq_len:
            raise ValueError(f"sequence length {t} exceeds max_seq_len {self.config.max_seq_len}")
        rotary = self._rotary(tokens, document_ids)
        mask = AttentionMask(document_ids)
        h = self.tok_embeddings(tokens)
        for layer in self.layers:
            h = layer(h, rotary, mask)
        return self.output(self.norm(h))

    def _rotary(self, tokens: torch.Tensor, document_ids: torch.Tensor | None) -> Rotary:
        t = tokens.shape[1]
        if document_ids is None:
            return Rotary(self.rope_cos[None, :t, None], self.rope_sin[None, :t, None])
        if document_ids.shape != tokens.shape:
            raise ValueError(
                f"document_ids shape {tuple(document_ids.shape)} != tokens shape {tuple(tokens.shape)}"
            )
        positions = document_positions(document_ids)
        return Rotary(self.rope_cos[positions][:, :, None], self.rope_sin[positions][:, :, None])


def document_positions(document_ids: torch.Tensor) -> torch.Tensor:
    """Position of each token within its document: [[7,7,9,9,9]] -> [[0,1,0,1,2]]."""
    b, t = document_ids.shape
    index = torch.arange(t, device=document_ids.device).expand(b, t)
    starts = torch.ones_like(document_ids, dtype=torch.bool)
    starts[:, 1:] = document_ids[:, 1:] != document_ids[:, :-1]
    last_start = torch.cummax(torch.where(starts, index, torch.zeros_like(index)), dim=1).values
    return index - last_start
