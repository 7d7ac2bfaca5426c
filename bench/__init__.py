"""Benchmarks of the load paths and the transforms; figures in bench/RESULTS.md."""
