"""Benchmarks: each scenario runs interleaved with its baseline and is reported as a ratio."""
