"""The sources of the mixture, one package each. Each package's `SOURCE` (a
`pipeline.declaration.SourceSpec`) says everything the rest of fleece knows about it;
`pipeline/registry.py` finds every package here, so adding a source is adding a package.
A package holds its `config.py` (no Beam), the reader of its format, its rules and its
stage modules."""
