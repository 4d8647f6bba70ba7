"""What every source stage shares: its manifest section `sources.<name>`, its inputs, and
the outputs every source writes (documents, and the dropped and error rows)."""

from __future__ import annotations

from typing import Any

import apache_beam as beam

from pipeline import io
from pipeline.config import RunConfig
from pipeline.documents import ERROR_SCHEMA, WriteParts
from pipeline.harness.stage import Stage, StageContext


class SourceStage(Stage):
    """A stage that turns one source's raw inputs into Documents under <run>/<name>/."""

    outputs = {
        "documents": "part-*.parquet",
        "dropped": "dropped/part-*.parquet",
        "errors": "errors/part-*.parquet",
    }

    @property
    def config_key(self) -> str:  # type: ignore[override]
        return f"sources.{self.name}"

    def source_config(self, run: RunConfig) -> Any:
        return getattr(run.sources, self.name)

    def enabled(self, run: RunConfig) -> bool:
        return bool(self.source_config(run).inputs)

    def input_patterns(self, run: RunConfig) -> list[str]:
        return list(self.source_config(run).inputs)

    def parameters(self, run: RunConfig) -> Any:
        return self.source_config(run)

    def input_files(self, ctx: StageContext) -> list[io.InputFile]:
        return io.match_files([ctx.run.resolve(p) for p in self.input_patterns(ctx.run)])


class WriteErrors(beam.PTransform):
    """Error rows (RecordError.row()) as one Parquet part under <stage>/errors/, by record."""

    def __init__(self, out_dir: str) -> None:
        super().__init__()
        self.out_dir = out_dir

    def expand(self, errors: beam.PCollection) -> beam.PCollection:
        return errors | "Write error part" >> WriteParts(
            io.join(self.out_dir, "errors"), ERROR_SCHEMA, 1, key="record"
        )
