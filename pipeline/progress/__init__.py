"""Progress of a running stage, shown while it runs.

On the DirectRunner a pipeline runs synchronously and Beam's metrics arrive only when it
ends, so they cannot say how far it is. Instead, the code that reads and writes (every
input file goes through `records.read_records`, every Parquet part through
`documents.PartWriter` or `WriteParts`) appends small JSON records to a side channel: a
local folder named by the environment variable `FLEECE_PROGRESS`, which the launcher sets
for the stage's duration and Beam's worker processes inherit. The launcher reads the folder
every half second, folds the records into one snapshot (files and bytes read of the total,
the phase: reading, grouping, writing) and shows it: rewritten in place on a terminal,
once a minute at most in a log.

`channel` is the workers' side (cheap, and a no-op when the variable is unset, as on a
remote runner); `state` folds records into a snapshot; `display` is the launcher's thread.
"""

from pipeline.progress.channel import (
    note_documents_read,
    note_file,
    note_part,
    note_phase,
    note_rows_written,
)

__all__ = ["note_documents_read", "note_file", "note_part", "note_phase", "note_rows_written"]
