"""``make bench``: the import pipeline measured against its floor and against a plain script (docs/bench.md)."""
