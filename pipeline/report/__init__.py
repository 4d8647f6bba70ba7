"""The corpus report as a page: statistics.py reads what the stages recorded (their
`_stats.json`, the shards' `manifest.json`, a training run's `metrics.jsonl`), samples.py
draws a few documents per source, plots.py draws the figures with matplotlib (imported only
here) and html.py puts them in one self-contained HTML file; cli.py is `fleece report`, which
prints LLaMA's Table 1 (pipeline/shards/report.py) and draws the page only when asked."""
