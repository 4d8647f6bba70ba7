"""Mixing encoded documents into train/val token shards: config, the quota rule, the Beam
stage, and the verify/report commands over the result."""
