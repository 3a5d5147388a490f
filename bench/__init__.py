"""Benchmarks, run by `make bench` (`python -m bench`): bench/ingest.py, bench/outbox.py and
bench/play.py."""
