"""Wikipedia: MediaWiki XML exports (dump.py), wikitext cleaning (clean.py), the stage."""
