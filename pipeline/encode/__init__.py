"""The `encode` stage: documents to token ids (config.py holds its settings and schema)."""
