"""The `shards` stage and its format: mixing encoded documents into train/val Arrow token
shards (format.py, the only module the trainer imports), the quota rule, the manifest, and
the verify/report commands over the result."""
