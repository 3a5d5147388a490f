"""Benchmarks, run by `make bench` (`python -m bench`): bench/ingest.py and bench/outbox.py."""
