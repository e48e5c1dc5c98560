"""`make bench`: the load generator's scripts and the benchmark helpers (see ops/bench.py)."""
