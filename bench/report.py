"""The figures: a table on stdout and bench/out/ingest.json; what every benchmark shares
(its arguments, the context of its run, the machine line, the JSON file)."""

import argparse
import json
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bench.phases import Measurement

OUT_DIR = Path(__file__).resolve().parent / "out"
COLUMNS = ("phase", "database", "procs", "messages", "seconds", "emails/s", "target", "", "load")


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
