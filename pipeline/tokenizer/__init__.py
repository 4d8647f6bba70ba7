"""The `tokenizer` stage: SentencePiece (top-level `tokenizer` package) trained on a sample
of the run's documents drawn at the mixture ratios."""
