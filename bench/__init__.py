"""Benchmarks, each runnable as `python -m bench.<name>` (bench.generate: the data generator)."""
