"""Signals that need a model file: language ID (fastText lid.176) and perplexity
(SentencePiece + KenLM), loaded once per worker by the steps that use them.

A signal scores; a step of the source that reads it decides (dolma's taggers and mixer), so
a new threshold costs no recompute. A model one source trains and alone reads (the
commoncrawl reference classifier) stays in that source's package.
"""
