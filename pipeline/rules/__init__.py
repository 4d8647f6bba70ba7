"""Generic document rules: steps (pipeline.steps' contract) that any source may apply, and
that any source's manifest section can switch on without code (`sources.<name>.rules`).

`document` holds the rules and the table of their names; `config` the Beam-free parameter
dataclasses a source's config.py imports. A rule that reads what only one source has (a
GitHub row's licence, a Wikipedia page's namespace) stays in that source's rules.py.
"""
