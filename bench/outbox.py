"""The outbox benchmark: queued messages/s that `comptoir worker --once` sends to an SMTP sink.

Phases (the workers' on fresh databases, in subprocesses; the sink in a process of its own):
  queue replies       ingest N customer emails (one new ticket each, mail.batch, no automatic
                      reply), then tickets.outbound.reply() on every ticket: replies queued/s
  sink alone          the same N messages, precomposed, sent with smtplib by one and by two
                      client processes (one connection each): the ceiling, which must be well
                      above the target (at least 2x per connection) so that the sink is not
                      what is measured; aiosmtpd is measured beside the lean sink
  worker start-up     `comptoir worker --once` with an empty queue: the fixed cost of a process
  outbox worker x1    one `comptoir worker --once`, timed from start to exit; every message must
                      end `sent`, the sink must count N and see no Message-ID twice
  outbox worker x2    two started together on N fresh queued messages, same checks
PostgreSQL first, then SQLite. Target: 200 messages/s per worker.
"""

import argparse
import concurrent.futures
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench import profiling
from bench.corpus import Shares, build_corpus, write_corpus
from bench.databases import Databases, SetupError, Target
from bench.phases import Checked, PhaseError, judge, result_in, run_released
from bench.report import (
    OUT_DIR,
    bench_parser,
    conclude,
    format_table,
    machine_line,
    parse_args,
    result_file,
    run_context,
    save_json,
    say,
    set_up,
)
from bench.smtp_client import read_envelopes, write_envelopes

TARGET_PER_WORKER = 200.0  # messages/s, from the issue
SINK_MARGIN = 2.0  # the sink alone must manage this many times the target per connection
CORPUS_SEED = 20250306
PG_NAME = "comptoir_bench_outbox"
WORKER = [sys.executable, "-m", "comptoir.cli", "worker", "--once"]
SENT_LOG = re.compile(r"outbox via \S+: (\d+) sent, (\d+) to retry, (\d+) failed")


@dataclass
class Row(Checked):
    phase: str
    database: str
    processes: int
    messages: int
    seconds: float
    startup: float | None = None  # worker rows: the start-up of an idle `worker --once`
    target: float | None = None  # messages/s per process

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds and self.messages else 0.0

    @property
    def per_process(self) -> float:
        return self.rate / self.processes

    @property
    def net_rate(self) -> float | None:
        """Messages/s once started: the start-up of an idle worker taken off the wall time."""
        if self.startup is None or self.seconds <= self.startup:
            return None
        return self.messages / (self.seconds - self.startup)

    @property
    def verdict(self) -> str:
        met = None if self.target is None else self.per_process >= self.target
        return judge(failed=self.failed, met=met)


class Sink:
    """A bench.sink process: its port, its counts, reset between phases."""

    def __init__(self, impl: str) -> None:
        self.impl = impl
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.sink", "--impl", impl],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        word, _space, port = self.read().partition(" ")
        if word != "ready":
            self.close()
            raise SetupError(f"the {impl} SMTP sink did not start")
        self.port = int(port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def command(self, text: str) -> str:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()
        return self.read()

    def reset(self) -> None:
        if self.command("reset") != "ok":
            raise PhaseError("the SMTP sink did not reset")

    def stats(self, ids: Path | None = None) -> dict[str, Any]:
        answer = self.command(f"stats {ids}" if ids else "stats")
        try:
            result: dict[str, Any] = json.loads(answer)
        except ValueError as exc:
            raise PhaseError(
                f"the SMTP sink answered {answer[:200]!r} (exit {self.process.poll()})"
            ) from exc
        return result

    def close(self) -> None:
        if self.process.poll() is None:
            try:
                self.command("quit")
                self.process.wait(timeout=5)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()


def run_task(target: Target, args: list[str], what: str) -> dict[str, Any]:
    """`python -m bench.outbox_tasks ARGS` on the target's database; its RESULT."""
    command = [sys.executable, "-m", "bench.outbox_tasks", *args]
    done = subprocess.run(command, env=target.env, capture_output=True, text=True, check=False)
    result = result_in(done.stdout, done.returncode)
    if result is not None:
        return result
    raise PhaseError(f"{what} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def prepare(target: Target, corpus: Path, count: int, dump: Path | None = None) -> Row:
    """Ingest the customer emails, queue one reply per ticket; the queueing is the row."""
    args = ["prepare", str(corpus), *(["--dump", str(dump)] if dump else [])]
    result = run_task(target, args, "preparing the queued replies")
    problems = []
    if result["outcomes"] != {"created": count}:
        problems.append(f"ingest outcomes {result['outcomes']}, expected {count} created")
    if result["replies"] != count:
        problems.append(f"{result['replies']} replies queued, expected {count}")
    if dump and result["dumped"] != count:
        problems.append(f"{result['dumped']} queued messages dumped, expected {count}")
    row = Row("queue replies (reply())", target.kind, 1, result["replies"], result["queue_seconds"])
    row.detail = {
        "ingest_seconds": round(result["ingest_seconds"], 3),
        "ingest_per_second": round(count / result["ingest_seconds"], 1),
    }
    if "average_bytes" in result:
        row.detail["average_message_bytes"] = result["average_bytes"]
    row.failed = bool(problems)
    row.check = "; ".join(problems) or f"ok ({count:,} tickets, one reply each)"
    return row


def sink_alone(sink: Sink, files: list[Path], count: int, workdir: Path) -> Row:
    """smtplib clients, one connection each, started together; wall time of their loops."""
    sink.reset()
    target = Target("-", workdir, dict(os.environ))
    logs = [workdir / f"smtp-client-{sink.impl}-{i}.log" for i in range(len(files))]
    commands = [
        [sys.executable, "-m", "bench.smtp_client", str(path), str(sink.port), "--wait"]
        for path in files
    ]
    results = run_released(commands, target, logs)
    stats = sink.stats()
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    row = Row(f"sink alone ({sink.impl})", "-", len(files), count, wall)
    row.target = SINK_MARGIN * TARGET_PER_WORKER
    row.detail = {
        "per_client": [
            {"messages": r["messages"], "seconds": round(r["seconds"], 3)} for r in results
        ],
        "sink_bytes": stats["bytes"],
        "sink_cpu_share": round(stats["cpu_seconds"] / wall, 2),
    }
    problems = sink_problems(stats, count)
    row.failed = bool(problems)
    row.check = "; ".join(problems) or f"ok (sink counted {count:,}, no Message-ID twice)"
    return row


def sink_problems(stats: dict[str, Any], count: int) -> list[str]:
    problems = []
    if stats["messages"] != count:
        problems.append(f"the sink counted {stats['messages']:,}, expected {count:,}")
    if stats["duplicate_ids"]:
        problems.append(f"{stats['duplicate_ids']} Message-ID(s) received twice")
    if stats["without_id"]:
        problems.append(f"{stats['without_id']} message(s) without Message-ID")
    return problems


@dataclass
class Timed:
    seconds: float
    start: float
    end: float
    status: int
    log: Path


def run_together(commands: list[list[str]], env: dict[str, str], logs: list[Path]) -> list[Timed]:
    """Start the commands at once; each one's wall time from start to exit."""

    def run(command: list[str], log: Path) -> Timed:
        with log.open("w") as out:
            started = time.perf_counter()
            process = subprocess.Popen(
                command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
            )
            status = process.wait()
            ended = time.perf_counter()
        return Timed(ended - started, started, ended, status, log)

    with concurrent.futures.ThreadPoolExecutor(len(commands)) as pool:
        futures = [pool.submit(run, c, log) for c, log in zip(commands, logs, strict=True)]
        return [f.result() for f in futures]


def worker_env(target: Target, sink: Sink) -> dict[str, str]:
    # INFO: each worker logs what it sent once at the end ("outbox via …: N sent"), a cross-check.
    return {**target.env, "COMPTOIR_SMTP_URL": sink.url, "COMPTOIR_LOG_LEVEL": "INFO"}


def worker_phase(
    target: Target, sink: Sink, workers: int, count: int, profile: Path | None = None
) -> Row:
    """`comptoir worker --once` x workers on `count` queued messages, checked end to end."""
    sink.reset()
    command = WORKER
    if profile:
        command = [sys.executable, "-m", "cProfile", "-o", str(profile), *WORKER[1:]]
    logs = [target.data_dir / f"worker-{workers}-{i}.log" for i in range(workers)]
    runs = run_together([command] * workers, worker_env(target, sink), logs)
    ids = target.data_dir / "received-ids.txt"
    stats = sink.stats(ids)
    verified = run_task(target, ["verify", str(ids), "--expected", str(count)], "verifying")
    problems = sink_problems(stats, count) + verified["problems"]
    logged = []
    for run in runs:
        text = run.log.read_text(errors="replace")
        if run.status != 0:
            problems.append(f"worker exited with {run.status}: {text[-2000:]}")
        found = SENT_LOG.search(text)
        logged.append(int(found.group(1)) if found else 0)
        if found and (found.group(2), found.group(3)) != ("0", "0"):
            problems.append(f"worker retried or failed messages: {found.group(0)}")
    if sum(logged) != count:
        problems.append(f"the workers logged {logged} sent, expected {count:,} in all")
    wall = max(r.end for r in runs) - min(r.start for r in runs)
    row = Row("outbox worker", target.kind, workers, count, wall, target=TARGET_PER_WORKER)
    row.detail = {
        "per_worker": [
            {"sent": n, "seconds": round(r.seconds, 3), "per_second": round(n / r.seconds, 1)}
            for n, r in zip(logged, runs, strict=True)
        ],
        # The sink's view of each connection: first MAIL FROM to last 250 (the sending loop).
        "per_connection": [
            {
                "messages": c["messages"],
                "seconds": round(c["last"] - c["first"], 3),
                "per_second": round(c["messages"] / (c["last"] - c["first"]), 1)
                if c["last"] > c["first"]
                else 0.0,
            }
            for c in stats["connections"]
        ],
        "states": verified["states"],
        "attempts": verified["attempts"],
        "sent_at_span_seconds": round(verified["sent_span_seconds"], 3),
        "sink_cpu_share": round(stats["cpu_seconds"] / wall, 2),
    }
    row.failed = bool(problems)
    row.check = "; ".join(problems) or (
        f"ok ({count:,} sent, sink counted {stats['messages']:,}, no Message-ID twice,"
        f" split {'/'.join(str(n) for n in logged)})"
    )
    return row


def startup_phase(target: Target, sink: Sink, runs: int) -> Row:
    """`comptoir worker --once` with nothing due: interpreter, Django, one round of jobs."""
    sink.reset()
    env = worker_env(target, sink)
    times = []
    for index in range(runs):
        (run,) = run_together([WORKER], env, [target.data_dir / f"worker-idle-{index}.log"])
        if run.status != 0:
            raise PhaseError(f"idle worker exited with {run.status}")
        times.append(run.seconds)
    row = Row("worker start-up (nothing due)", target.kind, 1, 0, statistics.median(times))
    row.detail = {"runs": [round(t, 3) for t in times]}
    connections = sink.stats()["connections"]
    row.check = f"ok (median of {runs}, no SMTP connection)" if not connections else ""
    if connections:
        row.failed, row.check = True, "an idle worker sent something"
    return row


def report_phase(row: Row) -> None:
    per = f", {row.per_process:,.0f}/s per process" if row.processes > 1 else ""
    if row.messages:
        text = f"{row.messages:,} messages in {row.seconds:.2f} s = {row.rate:,.0f}/s{per}"
    else:
        text = f"{row.seconds:.2f} s"
    net = f"; without start-up {row.net_rate:,.0f}/s" if row.net_rate else ""
    if "sink_cpu_share" in row.detail:  # CPU the sink used over the wall time: its headroom
        net += f"; sink busy {100 * row.detail['sink_cpu_share']:.0f} % of a core"
    say(f"  {row.phase:<30} {row.database:<10} x{row.processes}: {text}{net} (load {row.load})")
    for key in ("per_worker", "per_connection", "per_client"):
        if key in row.detail:
            say(f"      {key.replace('_', ' ')}: {row.detail[key]}")
    if row.failed:
        say(f"      FAILED: {row.check}")


COLUMNS = (
    "phase", "database", "procs", "messages", "seconds", "msgs/s", "per proc",
    "start-up s", "w/o start-up", "target/proc", "", "load",
)  # fmt: skip


def table_row(row: Row) -> tuple[str, ...]:
    net = row.net_rate
    return (
        row.phase,
        row.database,
        str(row.processes),
        f"{row.messages:,}" if row.messages else "-",
        f"{row.seconds:.2f}",
        f"{row.rate:,.0f}" if row.messages else "-",
        f"{row.per_process:,.0f}" if row.messages else "-",
        f"{row.startup:.2f}" if row.startup is not None else "",
        f"{net:,.0f}" if net else "",
        f">= {row.target:.0f}" if row.target is not None else "",
        row.verdict,
        f"{row.load:.1f}",
    )


def find(rows: list[Row], phase: str, database: str, processes: int) -> Row | None:
    for row in rows:
        if row.phase == phase and row.database == database and row.processes == processes:
            return row
    return None


def ratios(rows: list[Row], sink_impl: str) -> dict[str, float]:
    result = {}
    sink = find(rows, f"sink alone ({sink_impl})", "-", 1)
    for db in ("postgresql", "sqlite"):
        one, two = find(rows, "outbox worker", db, 1), find(rows, "outbox worker", db, 2)
        if sink and one and one.rate:
            result[f"{db}: sink alone (1 connection) / 1 worker"] = sink.rate / one.rate
        if one and two and one.rate:
            result[f"{db}: 2 workers / 1 worker"] = two.rate / one.rate
    return result


def print_report(rows: list[Row], context: dict[str, Any]) -> None:
    print()
    print(format_table(COLUMNS, [table_row(r) for r in rows], numeric={2, 3, 4, 5, 6, 7, 8, 11}))
    print()
    for name, value in ratios(rows, context["sink"]).items():
        print(f"  {name}: {value:.2f}")
    print()
    for row in rows:
        if row.check:
            print(f"  check {row.phase} {row.database} x{row.processes}: {row.check}")
    print(
        f"\n  target: {TARGET_PER_WORKER:.0f} messages/s per worker, start-up included (the"
        f" sink alone: {SINK_MARGIN:.0f}x that per connection). 'w/o start-up' takes the idle"
        " worker's start-up off the wall time."
    )
    print(machine_line(context))


def write_json(rows: list[Row], context: dict[str, Any], name: str) -> Path:
    data = {
        **context,
        "results": [
            {
                **asdict(r),
                "messages_per_second": round(r.rate, 1),
                "per_process": round(r.per_process, 1),
                "without_startup": round(r.net_rate, 1) if r.net_rate else None,
                "verdict": r.verdict,
            }
            for r in rows
        ],
        "ratios": {k: round(v, 3) for k, v in ratios(rows, context["sink"]).items()},
    }
    return save_json(name, data)


def build_parser() -> argparse.ArgumentParser:
    parser = bench_parser("outbox", __doc__, quick="500 messages instead of 3,000")
    parser.add_argument("--messages", type=int, help="queued messages per phase")
    parser.add_argument(
        "--sink", choices=["lean", "aiosmtpd"], default="lean", help="the sink the workers use"
    )
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument(
        "--profile", action="store_true", help="also run one worker under cProfile (PostgreSQL)"
    )
    parser.add_argument("--startup-runs", type=int, default=3, help="idle workers timed")
    return parser


def main(argv: list[str], known_only: bool = False) -> int:
    """known_only: ignore the options of other benchmarks (`python -m bench` runs them all)."""
    args = parse_args(build_parser(), argv, known_only)
    count = args.messages or (500 if args.quick else 3_000)
    workdir, dbs, pg = set_up("outbox", PG_NAME)
    kinds = (["postgresql"] if pg else []) + ([] if args.no_sqlite and pg else ["sqlite"])
    context = run_context(pg, args.quick, messages=count, sink=args.sink)
    rows: list[Row] = []
    sink: Sink | None = None
    try:
        sink = Sink(args.sink)
        run_all(args, workdir, dbs, sink, count, kinds, rows)
    except (SetupError, PhaseError) as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        if sink is not None:
            sink.close()
        dbs.finish(keep=args.keep)
    file = result_file("outbox", quick=args.quick, count=count, chosen=args.messages)
    return conclude(rows, context, file, print_report, write_json)


def run_all(
    args: argparse.Namespace,
    workdir: Path,
    dbs: Databases,
    sink: Sink,
    count: int,
    kinds: list[str],
    rows: list[Row],
) -> None:
    """Append each phase's row to `rows` as it is measured (so a failure keeps the others)."""

    def add(row: Row) -> Row:
        rows.append(row)
        report_phase(row)
        return row

    # One new ticket per customer email; 10 % carry an attachment, as in the ingest corpus.
    corpus = workdir / "customers.bin"
    write_corpus(build_corpus(count, seed=CORPUS_SEED, shares=Shares(replies=0.0)), corpus)
    say(f"outbox benchmark: {count:,} queued replies per phase, {args.sink} sink on {sink.url}")
    dump = workdir / "queued.bin"
    for index, kind in enumerate(kinds):
        target = dbs.fresh(kind)
        add(prepare(target, corpus, count, dump if index == 0 else None))
        if index == 0:
            say(f"  (average queued message: {rows[-1].detail['average_message_bytes']:,} bytes)")
            for row in sink_rows(sink, dump, count, workdir):
                add(row)
        one = add(worker_phase(target, sink, 1, count))
        startup = add(startup_phase(target, sink, args.startup_runs))
        one.startup = startup.seconds
        two_target = dbs.fresh(kind)
        prepare(two_target, corpus, count)
        add(worker_phase(two_target, sink, 2, count)).startup = startup.seconds
    if args.profile and kinds:
        profile_worker(dbs, kinds[0], sink, corpus, count)


def sink_rows(sink: Sink, dump: Path, count: int, workdir: Path) -> list[Row]:
    """The sink alone from one and two connections; the other sink for comparison."""
    messages = read_envelopes(dump)
    halves = [workdir / "queued-0.bin", workdir / "queued-1.bin"]
    for path, part in zip(halves, (messages[0::2], messages[1::2]), strict=True):
        write_envelopes(part, path)
    rows = [sink_alone(sink, [dump], count, workdir), sink_alone(sink, halves, count, workdir)]
    other = Sink("aiosmtpd" if sink.impl == "lean" else "lean")
    try:
        rows.append(sink_alone(other, [dump], count, workdir))
    finally:
        other.close()
    return rows


def profile_worker(dbs: Databases, kind: str, sink: Sink, corpus: Path, count: int) -> None:
    OUT_DIR.mkdir(exist_ok=True)
    out = OUT_DIR / f"outbox-worker-{kind}.prof"
    target = dbs.fresh(kind)
    prepare(target, corpus, count)
    row = worker_phase(target, sink, 1, count, profile=out)
    say(
        f"\nprofile: one worker on {kind}, {count:,} messages in {row.seconds:.2f} s under"
        f" cProfile ({row.rate:,.0f}/s; profiling slows it down)"
        + (f"\n  FAILED: {row.check}" if row.failed else "")
    )
    say(f"\n-- top functions by own time ({out}) --")
    profiling.print_stats(out, "tottime", 30)
    say("\n-- top functions by cumulative time --")
    profiling.print_stats(out, "cumulative", 40)
