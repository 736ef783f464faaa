"""Benchmarks (`make bench`); never run by CI. Each prints medians from one run."""
