"""The stage harness, one concern a module: the stage model and its context (stage.py),
fingerprints and `_SUCCESS` (completion.py), the Beam launcher (beam.py), running stages in
order (running.py), the click wiring (commands.py) and what every source stage shares
(source.py)."""
