"""Django-side steps of `bench supervision`: `python -m bench.supervision_worker MODE …`.

Started by bench.supervision with DATABASE_URL (or COMPTOIR_DATA_DIR) set on the data set.

  measure          every function of bench.supervision_calls, --calls times each (after one
                   warm-up call): server time p50/p95, SQL time and queries per call, and
                   the EXPLAIN of each distinct query slower than 20 ms; then the XLSX export
                   (a week, then a month: rows/s and the process's peak RSS)
  refresh NAME     --threads supervisors (superviseur1..N), each a thread with its own
                   connection, calling the function NAME (a CALLS name) every --interval
                   seconds for --duration seconds, the first call at a random offset; says
                   "ready", starts on "go" (bench.worker.wait_for_go)

--anchor is the instant the functions are given as `now` (the data set's anchor). Each prints
one line `RESULT {json}` (bench.worker.RESULT).
"""

import argparse
import json
import os
import random
import resource
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.worker import RESULT, setup_django, wait_for_go


def percentile(values: list[float], p: int) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[p - 1]


def measure_one(call: Any, context: Any, calls: int) -> dict[str, Any]:
    from bench import supervision_calls as sc

    try:
        function = sc.load(call.target)
    except sc.NotAvailable as exc:
        return {"name": call.name, "status": "not available yet", "detail": str(exc)}
    try:
        call.run(function, context)  # warm-up: caches, the first connection
    except sc.NotAvailable as exc:
        return {"name": call.name, "status": "not available yet", "detail": str(exc)}
    except Exception as exc:
        return {"name": call.name, "status": "FAILED", "detail": f"{type(exc).__name__}: {exc}"}
    reset = load_reset(call.reset)
    times: list[float] = []
    sql_ms: list[float] = []
    queries: list[int] = []
    slow: dict[str, tuple[Any, float]] = {}
    for _ in range(calls):
        reset()
        with sc.captured() as capture:
            started = time.perf_counter()
            call.run(function, context)
            times.append((time.perf_counter() - started) * 1000)
        sql_ms.append(sum(q.ms for q in capture.queries))
        queries.append(len(capture.queries))
        for query in capture.queries:
            if query.ms > sc.EXPLAIN_MS and query.ms > slow.get(query.sql, (None, 0.0))[1]:
                slow[query.sql] = (query, query.ms)
    return {
        "name": call.name,
        "status": "ok",
        "calls": calls,
        "ms": {f"p{p}": round(percentile(times, p), 2) for p in (50, 95)},
        "sql_ms_p50": round(percentile(sql_ms, 50), 2),
        "queries_per_call": max(queries),
        "slow_queries": [
            {"ms": round(ms, 1), "sql": q.sql, "plan": sc.explain(q)} for q, ms in slow.values()
        ],
    }


def load_reset(target: str) -> Any:
    from bench import supervision_calls as sc

    try:
        return sc.load(target) if target else lambda: None
    except sc.NotAvailable:
        return lambda: None


EXPORT = "export: XLSX of processings"


def rss_mib() -> float:
    """The process's peak resident memory so far (Linux: ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def export_once(export: Any, context: Any, days: int) -> dict[str, Any]:
    """One XLSX export of the last `days` days into a file: rows, seconds, bytes, and the
    process's peak RSS after it (tracemalloc made a month's export several minutes long)."""
    start = context.now - (context.now - context.month_start) * days / 30
    path = Path(f"/tmp/bench-supervision-export-{os.getpid()}-{days}.xlsx")
    started = time.perf_counter()
    try:
        with path.open("wb") as out:
            rows = export(context.admin, start, context.now, out)
        seconds = time.perf_counter() - started
        return {"rows": rows, "seconds": seconds, "bytes": path.stat().st_size}
    finally:
        path.unlink(missing_ok=True)


def measure_export(context: Any) -> dict[str, Any]:
    """The XLSX export for a week, then for the month: rows/s, and the process's peak RSS
    before and after each; flat memory = the month's peak no higher than the week's."""
    from bench import supervision_calls as sc

    results = []
    try:
        for days in (7, 30):
            before = rss_mib()
            timed = export_once(sc.load(sc.XLSX_EXPORT), context, days)
            rate = round(timed["rows"] / timed["seconds"]) if timed["seconds"] else None
            results.append({"days": days, "rows": timed["rows"],
                            "seconds": round(timed["seconds"], 2), "rows_per_second": rate,
                            "rss_before_mib": round(before, 1),
                            "peak_mib": round(rss_mib(), 1), "bytes": timed["bytes"]})  # fmt: skip
    except sc.NotAvailable as exc:
        return {"name": EXPORT, "status": "not available yet", "detail": str(exc)}
    except Exception as exc:
        return {"name": EXPORT, "status": "FAILED", "detail": f"{type(exc).__name__}: {exc}"}
    return {"name": EXPORT, "status": "ok", "runs": results}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    from bench import supervision_calls as sc

    context = sc.context(datetime.fromisoformat(args.anchor))
    calls = list(sc.CALLS)
    results = []
    try:
        calls += sc.report_calls()
    except sc.NotAvailable as exc:
        results.append({"name": "reports", "status": "not available yet", "detail": str(exc)})
    for call in calls:
        results.append(measure_one(call, context, args.calls))
        print(
            f"measured {call.name}: {results[-1].get('ms', results[-1]['status'])}",
            file=sys.stderr,
            flush=True,
        )
    results.append(measure_export(context))
    return {"functions": results}


class Refresher(threading.Thread):
    """One supervisor's board, refreshed every `interval` seconds."""

    def __init__(self, login: str, call: Any, args: argparse.Namespace, go: threading.Event):
        super().__init__(name=login, daemon=True)
        self.login, self.call, self.args, self.go = login, call, args, go
        self.ready = threading.Event()
        self.times: list[float] = []
        self.errors: list[str] = []

    def run(self) -> None:
        from django.db import connection

        try:
            self.work()
        except Exception as exc:  # reported, never silent
            self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
            self.ready.set()
        finally:
            connection.close()

    def work(self) -> None:
        from bench import supervision_calls as sc
        from comptoir.tenancy.models import User

        function = sc.load(self.call.target)
        context = sc.context(datetime.fromisoformat(self.args.anchor))
        context.supervisor = User.objects.get(domain=context.campaign.domain, login=self.login)
        self.ready.set()
        self.go.wait()
        rng = random.Random(self.login)
        tick = time.perf_counter() + rng.uniform(0, self.args.interval)
        deadline = time.perf_counter() + self.args.duration
        while True:
            time.sleep(max(0.0, tick - time.perf_counter()))
            if time.perf_counter() >= deadline:
                break
            started = time.perf_counter()
            try:
                self.call.run(function, context)
            except Exception as exc:
                self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
            self.times.append((time.perf_counter() - started) * 1000)
            tick += self.args.interval


def refresh(args: argparse.Namespace) -> dict[str, Any]:
    from bench import supervision_calls as sc

    name = args.what
    if name == "auto":  # the real board once it exists, else the stand-in
        try:
            sc.load("comptoir.supervision.board:campaign_board")
            name = "board: campaign_board, a supervisor"
        except sc.NotAvailable:
            name = "dummy board (grouped counts), a supervisor"
    call = next(c for c in sc.CALLS if c.name == name)
    go = threading.Event()
    threads = [Refresher(f"superviseur{i}", call, args, go) for i in range(1, args.threads + 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.ready.wait()
    cpu = time.process_time()
    wait_for_go()
    go.set()
    for thread in threads:
        thread.join()
    times = [t for thread in threads for t in thread.times]
    return {
        "function": call.name,
        "calls": len(times),
        "ms": {f"p{p}": round(percentile(times, p), 2) for p in (50, 95, 99)},
        "errors": [e for t in threads for e in t.errors][:5],
        "cpu_seconds": round(time.process_time() - cpu, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.supervision_worker")
    parser.add_argument("mode", choices=["measure", "refresh"])
    parser.add_argument("what", nargs="?", default="", help="refresh: the function's name")
    parser.add_argument("--anchor", required=True, help="ISO instant given as now")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--duration", type=float, default=30.0)
    args = parser.parse_args()
    setup_django()
    result = measure(args) if args.mode == "measure" else refresh(args)
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
