"""Benchmarks, run by `make bench` (`python -m bench`). See bench/ingest.py."""
