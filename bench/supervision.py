"""The supervision benchmark (issue 13): `python -m bench supervision [options]`.

On the data set of bench.dataset (PostgreSQL, 10^6 tickets, 2.5·10^6 messages, 20 campaigns,
200 agents, a month of processings; --quick 10^5), built by SQL once and kept with --keep:

  functions   the supervisors' functions (bench.supervision_calls: the board, the reports, the
              XLSX export; "not available yet" until they exist, a stand-in board meanwhile),
              --calls times each: server time p50/p95, and the EXPLAIN of any query > 20 ms
  play alone  --agents agents of the campaign service-client (bench.play_worker, paced: a pause
              of 0-2 s after each qualify) for --duration seconds, a feeder keeping the queue
  play + N    the same while N supervisors (--supervisors, 20) each refresh a board every
              --interval seconds (3): the real campaign_board once it exists, else the
              stand-in (grouped counts on tickets and today's processings)

Measured: claim_next_ticket's p50/p95/p99 alone and with the supervisors (target: within noise),
the refreshers' own server time. Each run plays on a copy of the data set
(comptoir_bench_sup_run, CREATE DATABASE … TEMPLATE), so the kept data set stays as built.
--sqlite also builds the SQLite data set (10^5 tickets; --quick 10^4) and measures the
functions there. Results: a table on stdout, bench/out/supervision.json.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import dataset
from bench.databases import (
    PG_ADMIN_URL,
    SetupError,
    Target,
    base_env,
    pg_drop,
    pg_url,
    postgres_version,
)
from bench.dataset_people import play_logins
from bench.phases import PhaseError, read_result, start_worker, wait_ready
from bench.report import format_table, machine_line, parse_args, run_context, save_json

RUN_DB = "comptoir_bench_sup_run"
PLAY = [sys.executable, "-m", "bench.play_worker"]
WORKER = [sys.executable, "-m", "bench.supervision_worker"]
THINK_MS = 1000.0
STAND_IN = "dummy board (grouped counts), a supervisor"
REAL_BOARD = "board: campaign_board, a supervisor"


def say(text: str) -> None:
    print(text, flush=True)


def copy_for_run(data: dataset.DataSet) -> float:
    """A copy of the data set to play on (file copy: faster than WAL for a big database)."""
    import psycopg
    from psycopg import sql

    started = time.perf_counter()
    pg_drop(RUN_DB)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {} STRATEGY FILE_COPY").format(
                sql.Identifier(RUN_DB), sql.Identifier(data.name)
            )
        )
    return time.perf_counter() - started


def run_target(workdir: Path, phase: str) -> Target:
    data_dir = workdir / phase.replace(" ", "-")
    data_dir.mkdir(parents=True, exist_ok=True)
    return Target("postgresql", data_dir, base_env(data_dir, pg_url(RUN_DB)))


def measure_functions(data: dataset.DataSet, workdir: Path, calls: int) -> Any:
    target = Target(data.kind, workdir, data.env)
    anchor = data.meta["anchor"]
    log = workdir / f"measure-{data.kind}.log"
    process = start_worker(
        [*WORKER, "measure", "--anchor", anchor, "--calls", str(calls)], target, log
    )
    return read_result(process, log)["functions"]


def play_phase(workdir: Path, name: str, args: argparse.Namespace, anchor: str,
               refresher: str | None) -> dict[str, Any]:  # fmt: skip
    """The agents (and the feeder, and the refreshers), started together for --duration."""
    target = run_target(workdir, name)
    duration = str(args.duration)
    where = ["--domain", "bench", "--campaign", "service-client", "--duration", duration]
    logins = play_logins(args.agents)
    per = -(-len(logins) // args.processes)
    started = [(start_worker([*PLAY, "feed", *where], target, target.data_dir / "feed.log"),
                target.data_dir / "feed.log")]  # fmt: skip
    for p in range(args.processes):
        chunk = ",".join(logins[p * per : (p + 1) * per])
        log = target.data_dir / f"agents-{p}.log"
        command = [*PLAY, "agents", chunk, *where, "--think-ms", str(THINK_MS)]
        started.append((start_worker(command, target, log), log))
    if refresher:
        log = target.data_dir / "refresh.log"
        command = [*WORKER, "refresh", refresher, "--anchor", anchor, "--duration", duration]
        command += ["--threads", str(args.supervisors), "--interval", str(args.interval)]
        started.append((start_worker(command, target, log), log))
    for process, log in started:
        wait_ready(process, log)
    for process, _log in started:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    results = [read_result(process, log) for process, log in started]
    return summarise(name, results[1 : 1 + args.processes], results[1 + args.processes :])


def summarise(
    name: str, agents: list[dict[str, Any]], refreshers: list[dict[str, Any]]
) -> dict[str, Any]:
    everyone = [a for r in agents for a in r["agents"]]
    claims = sorted(x for a in everyone for x in a["claims"])
    served = [t for a in everyone for t in a["served"]]
    ran = [a for a in everyone if a["start"]] or everyone
    wall = max(a["end"] for a in ran) - min(a["start"] for a in ran)
    problems = [f"{a['login']}: {a['failed']}" for a in everyone if a["failed"]]
    problems += [e for a in everyone for e in a["errors"]][:3]
    if len(served) != len(set(served)):
        problems.append(f"{len(served) - len(set(served))} ticket(s) served twice")
    empty = sum(a["empty"] for a in everyone)
    if empty:
        problems.append(f"{empty} 'no ticket' answers")
    row = {
        "phase": name, "claims": len(claims), "seconds": round(wall, 1),
        "claims_per_second": round(len(served) / wall, 1) if wall else 0.0,
        "claim_ms": {f"p{p}": round(percentile(claims, p), 2) for p in (50, 95, 99)},
        "problems": problems, "load": round(__import__("os").getloadavg()[0], 2),
    }  # fmt: skip
    if refreshers:
        row["refreshers"] = refreshers[0]
        problems += refreshers[0]["errors"]
    return row


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1]


BOARD_P95_MS, REPORT_MS = 50.0, 1000.0


def function_rows(functions: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for f in functions:
        if f["status"] != "ok" or "ms" not in f:
            runs = f.get("runs")
            if runs:  # the export
                for r in runs:
                    text = (
                        f"{r['rows']:,} rows, {r['rows_per_second']:,}/s, peak RSS "
                        f"{r.get('rss_before_mib', '?')} -> {r['peak_mib']} MiB"
                    )
                    rows.append((f"{f['name']}, {r['days']} days", "ok", "", "", "", "", text))
                continue
            rows.append((f["name"], f["status"], "", "", "", "", ""))
            continue
        target = f"p95 < {BOARD_P95_MS:.0f}" if f["name"].startswith("board:") else ""
        if target:
            target += " PASS" if f["ms"]["p95"] < BOARD_P95_MS else " BELOW"
        rows.append((f["name"], "ok", f"{f['ms']['p50']:.1f}", f"{f['ms']['p95']:.1f}",
                     f"{f['sql_ms_p50']:.1f}", str(f["queries_per_call"]), target))  # fmt: skip
    reports = [f for f in functions if f["name"].startswith("report:") and f["status"] == "ok"]
    # full_report computes every figure once: it is the page's time; the figures' sum else.
    whole = [f for f in reports if f["name"].endswith(".full_report")]
    if reports:
        total = sum(f["ms"]["p95"] for f in whole or reports)
        verdict = "PASS" if total < REPORT_MS else "BELOW"
        rows.append(("reports: every figure, a month, one campaign", "ok", "", f"{total:.0f}",
                     "", "", f"< {REPORT_MS:.0f} {verdict}"))  # fmt: skip
    return rows


def print_functions(title: str, functions: list[dict[str, Any]]) -> None:
    say(f"\n  {title}")
    columns = ("function", "status", "p50 ms", "p95 ms", "SQL p50", "queries", "target")
    say(format_table(columns, function_rows(functions), numeric={2, 3, 4, 5}))
    for f in functions:
        if f["status"] not in ("ok",):
            say(f"    {f['name']}: {f.get('detail', '')}")
        for slow in f.get("slow_queries", []):
            say(f"\n    {f['name']}: a query of {slow['ms']} ms:\n      {slow['sql'][:600]}")
            for line in slow["plan"]:
                say(f"      | {line}")


def print_play(rows: list[dict[str, Any]]) -> None:
    columns = ("phase", "claims", "claims/s", "p50 ms", "p95 ms", "p99 ms", "refreshes",
               "refresh p50", "refresh p95", "load")  # fmt: skip
    body: list[tuple[str, ...]] = []
    for r in rows:
        fresh = r.get("refreshers", {})
        body.append((r["phase"], f"{r['claims']:,}", f"{r['claims_per_second']:.1f}",
                     f"{r['claim_ms']['p50']:.1f}", f"{r['claim_ms']['p95']:.1f}",
                     f"{r['claim_ms']['p99']:.1f}", str(fresh.get("calls", "")),
                     f"{fresh['ms']['p50']:.1f}" if fresh else "",
                     f"{fresh['ms']['p95']:.1f}" if fresh else "", f"{r['load']:.1f}"))  # fmt: skip
    say("\n" + format_table(columns, body, numeric=set(range(1, 10))))
    for r in rows:
        if r.get("refreshers"):
            say(f"  {r['phase']}: refreshers called {r['refreshers']['function']!r}")
        say(
            f"  check {r['phase']}: {'; '.join(r['problems']) or 'ok: none served twice, no error'}"
        )
    if len(rows) == 2 and rows[0]["claim_ms"]["p99"]:
        ratio = rows[1]["claim_ms"]["p99"] / rows[0]["claim_ms"]["p99"]
        say(f"  claim p99 with the supervisors / alone: {ratio:.2f}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench supervision", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="10^5 tickets, 10 s phases")
    parser.add_argument("--keep", action="store_true", help="keep the data set for later runs")
    parser.add_argument("--tickets", type=int, help="the data set's size (10^6; quick 10^5)")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--sqlite", action="store_true", help="also SQLite (10^5; quick 10^4)")
    parser.add_argument("--duration", type=float, help="seconds per play phase (30; quick 10)")
    parser.add_argument("--agents", type=int, default=20, help="agents playing (20, at most 40)")
    parser.add_argument("--processes", type=int, default=2, help="processes for the agents (2)")
    parser.add_argument("--supervisors", type=int, default=20, help="refreshing supervisors (20)")
    parser.add_argument("--interval", type=float, default=3.0, help="seconds between refreshes")
    parser.add_argument("--calls", type=int, default=50, help="calls per measured function (50)")
    parser.add_argument("--no-play", action="store_true", help="measure the functions only")
    return parser


def run_postgresql(args: argparse.Namespace, workdir: Path, out: dict[str, Any]) -> bool:
    existed = bool(dataset.usable(dataset.read_meta("postgresql", args.tickets), args.tickets))
    data = dataset.ensure("postgresql", args.tickets, rebuild=args.rebuild)
    out["dataset"] = {"description": dataset.describe(data), "meta": data.meta,
                      "build_seconds": data.build_seconds, "bytes": data.size_bytes(),
                      "tables": dataset.table_sizes(data)}  # fmt: skip
    say(f"  data set: {out['dataset']['description']}")
    anchor = data.meta["anchor"]
    try:
        out["functions"] = measure_functions(data, workdir, args.calls)
        print_functions(f"functions on PostgreSQL, now = {anchor}", out["functions"])
        if not args.no_play:
            say(f"\n  copying the data set for play: {copy_for_run(data):.0f} s")
            rows = [play_phase(workdir, "play alone", args, anchor, None)]
            say(f"  play alone: claim p99 {rows[0]['claim_ms']['p99']:.1f} ms")
            rows.append(
                play_phase(workdir, f"play + {args.supervisors} boards", args, anchor, "auto")
            )
            out["play"] = rows
            print_play(rows)
    finally:
        pg_drop(RUN_DB)
        if data.built_now and not existed and not args.keep:
            say(f"  dropping {data.name} (--keep keeps it for the next run)")
            dataset.drop(data)
    failed = any(f["status"] == "FAILED" for f in out["functions"])
    return not failed and not any(r["problems"] for r in out.get("play", []))


def run_sqlite(args: argparse.Namespace, workdir: Path, out: dict[str, Any]) -> bool:
    tickets = dataset.default_size("sqlite", args.quick)
    data = dataset.ensure("sqlite", tickets, rebuild=args.rebuild)
    out["sqlite_dataset"] = {
        "description": dataset.describe(data), "meta": data.meta,
        "build_seconds": data.build_seconds, "bytes": data.size_bytes(),
    }  # fmt: skip
    say(f"  data set: {out['sqlite_dataset']['description']}")
    out["sqlite_functions"] = measure_functions(data, workdir, args.calls)
    print_functions("functions on SQLite", out["sqlite_functions"])
    if data.built_now and not args.keep:
        dataset.drop(data)
    return not any(f["status"] == "FAILED" for f in out["sqlite_functions"])


def main(argv: list[str], known_only: bool = False) -> int:
    args = parse_args(build_parser(), argv, known_only)
    args.tickets = args.tickets or (
        dataset.QUICK_TICKETS if args.quick else dataset.DEFAULT_TICKETS
    )
    args.duration = args.duration or (10.0 if args.quick else 30.0)
    args.agents = min(args.agents, 40)
    pg = postgres_version()
    context = run_context(pg, args.quick, tickets=args.tickets, agents=args.agents,
                          supervisors=args.supervisors, interval=args.interval,
                          duration_seconds=args.duration, calls=args.calls)  # fmt: skip
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-sup-"))
    ok = True
    try:
        if pg is None:
            say(f"PostgreSQL unreachable at {PG_ADMIN_URL}: its part is skipped.")
        else:
            ok = run_postgresql(args, workdir, context)
        if args.sqlite:
            ok = run_sqlite(args, workdir, context) and ok
    except (SetupError, PhaseError, subprocess.SubprocessError) as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    say(machine_line(context))
    path = save_json("supervision-quick.json" if args.quick else "supervision.json", context)
    say(f"\n  results written to {path}")
    return 0 if ok else 1
