"""The figures: a table on stdout and bench/out/ingest.json; what every benchmark shares
(its arguments, the context of its run, the machine line, the JSON file)."""

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.databases import PG_ADMIN_URL, Databases, postgres_version
from bench.phases import Measurement

OUT_DIR = Path(__file__).resolve().parent / "out"
COLUMNS = ("phase", "database", "procs", "messages", "seconds", "emails/s", "target", "", "load")


def bench_parser(name: str, description: str | None, *, quick: str) -> argparse.ArgumentParser:
    """A benchmark's arguments, starting with the two every one understands: --quick (`quick`
    says what it measures then) and --keep."""
    parser = argparse.ArgumentParser(
        prog=f"python -m bench {name}",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help=quick)
    parser.add_argument("--keep", action="store_true", help="keep temp dirs and databases")
    return parser


def conclude(
    rows: Sequence[Any],
    context: dict[str, Any],
    file: str,
    print_report: Callable[[Any, dict[str, Any]], None],
    write_json: Callable[[Any, dict[str, Any], str], Path],
) -> int:
    """The end of a benchmark's run: its report, its JSON file, its exit status (1 when a row
    failed its check)."""
    print_report(rows, context)
    path = write_json(rows, context, file)
    say(f"\n  results written to {path}")
    return 1 if any(row.failed for row in rows) else 0


def say(text: str) -> None:
    print(text, flush=True)


def set_up(name: str, pg_name: str) -> tuple[Path, Databases, str | None]:
    """A run's temporary directory, its databases, and PostgreSQL's version (None when it is
    unreachable: said, and its phases skipped)."""
    workdir = Path(tempfile.mkdtemp(prefix=f"comptoir-bench-{name}-"))
    return workdir, Databases(workdir, pg_name=pg_name), reachable_postgres()


def reachable_postgres() -> str | None:
    """PostgreSQL's version, or None (said: its phases are skipped)."""
    version = postgres_version()
    if version is None:
        say(f"PostgreSQL unreachable at {PG_ADMIN_URL}: PostgreSQL phases skipped.")
    return version


def result_file(name: str, *, quick: bool, count: int, chosen: int | None) -> str:
    """The JSON file of a run: NAME.json, NAME-quick.json, or NAME-COUNT.json for a count
    chosen on the command line (not to overwrite the standard run's figures)."""
    if chosen:
        return f"{name}-{count}.json"
    return f"{name}-quick.json" if quick else f"{name}.json"


def row(m: Measurement) -> tuple[str, ...]:
    target = f">= {m.target:.0f}" if m.target is not None else ""
    return (
        m.phase,
        m.database,
        str(m.processes),
        f"{m.messages:,}",
        f"{m.seconds:.2f}",
        f"{m.rate:,.0f}",
        target,
        m.verdict,
        f"{m.load:.1f}",
    )


def table(measurements: list[Measurement]) -> str:
    return format_table(COLUMNS, [row(m) for m in measurements], numeric={2, 3, 4, 5, 8})


def format_table(columns: tuple[str, ...], body: list[tuple[str, ...]], numeric: set[int]) -> str:
    """Aligned columns under a rule; the `numeric` columns (by index) right-aligned."""
    rows = [columns, *body]
    widths = [max(len(r[i]) for r in rows) for i in range(len(columns))]

    def line(cells: tuple[str, ...]) -> str:
        parts = [
            c.rjust(w) if i in numeric else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(rows[0]), rule, *(line(r) for r in rows[1:])])


def find(measurements: list[Measurement], phase: str, db: str, procs: int) -> Measurement | None:
    for m in measurements:
        if m.phase == phase and m.database == db and m.processes == procs:
            return m
    return None


def ratios(measurements: list[Measurement]) -> dict[str, float]:
    """Two processes over one, and end to end over the parse-only ceiling."""
    result = {}
    parse = find(measurements, "parse-only", "-", 1)
    for db in ("sqlite", "postgresql"):
        one = find(measurements, "ingest", db, 1)
        two = find(measurements, "ingest", db, 2)
        if one and two and one.rate:
            result[f"{db}: 2 processes / 1 process"] = two.rate / one.rate
        if one and parse and parse.rate:
            result[f"{db}: 1-process ingest / parse-only"] = one.rate / parse.rate
    return result


def checks(measurements: list[Measurement]) -> list[str]:
    return [f"{m.phase} {m.database} x{m.processes}: {m.check}" for m in measurements if m.check]


def run_context(postgresql: str | None, quick: bool, **settings: Any) -> dict[str, Any]:
    """What every benchmark's JSON starts with: the machine, the run's settings, the load."""
    return {
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "postgresql": postgresql,
        "quick": quick,
        **settings,
        "load_at_start": round(os.getloadavg()[0], 2),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def parse_args(
    parser: argparse.ArgumentParser, argv: list[str], known_only: bool
) -> argparse.Namespace:
    """known_only: ignore the options of other benchmarks (`python -m bench` runs them all)."""
    return parser.parse_known_args(argv)[0] if known_only else parser.parse_args(argv)


def machine_line(context: dict[str, Any]) -> str:
    return (
        f"\n  machine: {context['cpus']} CPU(s), PostgreSQL {context['postgresql']}; load ="
        " 1-minute load average at the end of each phase (figures on shared cores are noisy)."
    )


def save_json(name: str, data: dict[str, Any]) -> Path:
    """bench/out/<name>, pretty-printed."""
    OUT_DIR.mkdir(exist_ok=True)
    path = OUT_DIR / name
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def print_report(measurements: list[Measurement], context: dict[str, Any]) -> None:
    print()
    print(table(measurements))
    print()
    for name, value in ratios(measurements).items():
        print(f"  {name}: {value:.2f}")
    print()
    for line in checks(measurements):
        print(f"  check {line}")
    if context.get("pg_options"):
        print(f"  PostgreSQL ingest workers ran with OPTIONS {context['pg_options']}")
    print(machine_line(context))


def write_json(measurements: list[Measurement], context: dict[str, Any], name: str) -> Path:
    data = {
        **context,
        "results": [
            {**asdict(m), "emails_per_second": round(m.rate, 1), "verdict": m.verdict}
            for m in measurements
        ],
        "ratios": {k: round(v, 3) for k, v in ratios(measurements).items()},
    }
    return save_json(name, data)
