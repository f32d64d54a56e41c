"""The benchmark-neutral part of a run: what every benchmark's run shares."""
