"""Deterministic synthetic inputs for all seven sources, in their real formats, with ground truth.

`write_sample(out_dir, scale, seed)` writes the files and returns the ground truth that it also
saves as `out_dir/ground_truth.json` (its keys are documented in `pipeline.sample.truth`).
"""

from pipeline.sample.write import write_sample

__all__ = ["write_sample"]
