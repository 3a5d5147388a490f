"""`python -m bench ingest --profile`: where one-process ingest spends its time.

Runs the one-process ingest phase again under cProfile with an SQL statement counter, prints
the top functions and statements, and keeps the profile in bench/out/ for snakeviz/pstats.
"""

import io
import pstats
from collections.abc import Callable
from pathlib import Path

from bench.databases import Databases
from bench.phases import combine, run_side_by_side
from bench.report import OUT_DIR


def print_stats(path: Path, sort: str, limit: int) -> None:
    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer)
    stats.strip_dirs().sort_stats(sort).print_stats(limit)
    text = buffer.getvalue()
    print(text[text.find("   ncalls") :].rstrip())


def profile_ingest(
    dbs: Databases,
    kind: str,
    corpus: Path,
    command: Callable[..., list[str]],
    mode: str = "ingest",
) -> None:
    """mode: ingest (ingest_email per message) or deliver (the SMTP listener's work)."""
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"{mode}-{kind}.prof"
    target = dbs.fresh(kind)
    extra = ("--profile", str(out), "--queries")
    measurement = combine(mode, kind, run_side_by_side(mode, [corpus], target, extra))
    n = measurement.messages
    print(
        f"\nprofile: one-process {mode} on {kind}, {n:,} messages in {measurement.seconds:.2f} s"
        f" under cProfile ({measurement.rate:,.0f}/s; profiling slows it down)"
    )
    print(f"\n-- SQL statements per message ({kind}) --")
    total_count = sum(q["count"] for q in measurement.queries.values())
    total_time = sum(q["seconds"] for q in measurement.queries.values())
    print(f"{total_count / n:.1f} statements per message, {1000 * total_time / n:.2f} ms/message")
    for shape, q in measurement.queries.items():
        print(f"{q['count'] / n:6.2f}  {1000 * q['seconds'] / n:6.3f} ms  {shape}")
    print(f"\n-- top functions by own time ({out}) --")
    print_stats(out, "tottime", 30)
    print("\n-- top functions by cumulative time --")
    print_stats(out, "cumulative", 45)
