"""The compact LLaMA trainer: loader, loop, checkpoints, parallelism, metrics, commands.

Nothing is imported here, so `trainer.cli` loads without torch (`fleece --help` stays fast).
"""
