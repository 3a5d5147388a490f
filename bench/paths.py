"""The real paths benchmark: mails/s through what production uses, acknowledgements on.

Phases, each on a fresh database (bench.databases) where the demo's support campaign
acknowledges every new ticket (no hourly cap: a busy contact centre's setting):
  smtp xN        `comptoir smtpd` in its own process; bench.smtp_load delivers the corpus over
                 N connections (1, 4, 16), each holding whole customers; time to `250`
  lmtp x16       the same with `comptoir smtpd --lmtp`
  ... (2 processes)  the same with `--processes 2` (SO_REUSEPORT)
  comptoir ingest (acks)   the real command on the corpus as an mbox, automatic replies on
  imap           `comptoir imap-poll --once` draining a Dovecot mailbox holding the corpus
                 (bench.imap_phase)
Every phase checks what the database holds afterwards (bench.worker census): one ticket per
new request, every message stored once, filed, none repeated, every new ticket acknowledged
or its refusal written in the history. Rates are compared with django-helpdesk's 85 mails/s
measured on this machine class (the issue's peer figure).
"""

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import imap_phase, profiling
from bench.corpus import build_corpus, split_by_customer, write_corpus, write_mbox
from bench.databases import Databases, SetupError, Target
from bench.phases import (
    Measurement,
    PhaseError,
    judge,
    read_result,
    run_cli_mbox,
    wait_ready,
    worker_command,
)
from bench.report import (
    bench_parser,
    format_table,
    parse_args,
    run_context,
    save_json,
    say,
    set_up,
)

PEER = 85.0  # django-helpdesk, mails/s, same corpus and machine class (issue 11)
CORPUS_SEED = 20250303
# The targets on PostgreSQL (mails/s).
TARGETS = {
    ("smtp", "postgresql", 16): 850.0,
    ("smtp", "postgresql", 1): 300.0,
    ("lmtp", "postgresql", 16): 850.0,
    ("comptoir ingest (acks)", "postgresql", 1): 700.0,
    ("imap", "postgresql", 1): 500.0,
}
P99_TARGET_MS = 250.0


@dataclass
class PathMeasurement(Measurement):
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    server_cpu_ms: float = 0.0  # the listener's own CPU per mail (not the database's)
    census: dict[str, int] | None = None

    @property
    def peer_ratio(self) -> float:
        return self.rate / PEER


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process, its threads and its child processes (the other
    listener processes) so far (Linux /proc)."""
    total = 0.0
    for one in [pid, *children(pid)]:
        fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found += [int(c) for c in text]
    return found


def run_worker(mode: str, target: Target) -> dict[str, Any]:
    args = [sys.executable, "-m", "bench.worker", mode]
    done = subprocess.run(args, env=target.env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise PhaseError(f"bench.worker {mode} failed:\n{done.stderr[-3000:]}")
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            import json

            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            return result
    return {}


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_listener(target: Target, port: int, lmtp: bool, processes: int) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "comptoir.cli", "smtpd", "--port", str(port)]
    args += ["--processes", str(processes)]
    if lmtp:
        args.append("--lmtp")
    env = {**target.env, "COMPTOIR_SMTP_MAX_SESSIONS": "64"}
    log = (target.data_dir / "listener.log").open("w")
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if "listening" not in line:
        process.kill()
        tail = (target.data_dir / "listener.log").read_text(errors="replace")[-3000:]
        raise PhaseError(f"listener did not start ({line!r}):\n{tail}")
    return process


def stop_listener(process: subprocess.Popen[str]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def census_problems(census: dict[str, int], total: int, new: int) -> list[str]:
    """What the database must hold after `total` messages of which `new` open a ticket."""
    problems = []
    expected = {"tickets": new, "inbound": total, "raw": total}
    for key, value in expected.items():
        if census.get(key) != value:
            problems.append(f"{key} {census.get(key)} != {value}")
    for key in ("raw_not_filed", "repeated_message_ids"):
        if census.get(key):
            problems.append(f"{key} {census[key]}")
    decided = sum(census.get(f"auto_reply_{k}", 0) for k in ("queued", "skipped", "capped"))
    if decided != new:
        problems.append(f"{decided} acknowledgement decisions for {new} new tickets")
    if census.get("acknowledgements") != census.get("auto_reply_queued", 0):
        problems.append("acknowledgements queued != history lines")
    return problems


def listener_phase(
    dbs: Databases,
    kind: str,
    parts: list[Path],
    counts: tuple[int, int],
    lmtp: bool,
    processes: int = 1,
) -> PathMeasurement:
    total, new = counts
    target = dbs.fresh(kind)
    run_worker("unlimited-acks", target)
    port = free_port()
    server = start_listener(target, port, lmtp, processes)
    time.sleep(1 if processes > 1 else 0)  # the other processes bound too
    log = target.data_dir / "client.log"
    args = [sys.executable, "-m", "bench.smtp_load", str(port), *map(str, parts), "--wait"]
    if lmtp:
        args.append("--lmtp")
    try:
        client = subprocess.Popen(
            args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log.open("w"), text=True
        )
        wait_ready(client, log)
        cpu_before = cpu_seconds(server.pid)
        assert client.stdin is not None
        client.stdin.write("go\n")
        client.stdin.flush()
        result = read_result(client, log)
        server_cpu = cpu_seconds(server.pid) - cpu_before
    finally:
        stop_listener(server)
    name = "lmtp" if lmtp else "smtp"
    if processes > 1:
        name += f" ({processes} processes)"
    m = PathMeasurement(name, kind, len(parts), result["messages"], result["seconds"], {})
    m.p50_ms, m.p99_ms = result["p50_ms"], result["p99_ms"]
    m.server_cpu_ms = round(1000 * server_cpu / max(1, result["messages"]), 2)
    m.census = run_worker("census", target)
    problems = census_problems(m.census, total, new)
    if result["failures"] or result["connection_errors"]:
        problems.insert(0, f"{result['failures']} refused: {result['first_failures']}")
    m.target = TARGETS.get((name, kind, len(parts)))
    m.failed = bool(problems)
    m.check = "; ".join(problems) or "ok"
    return m


def ingest_acks_phase(dbs: Databases, kind: str, mbox: Path, counts: tuple[int, int]) -> Any:
    total, new = counts
    target = dbs.fresh(kind)
    run_worker("unlimited-acks", target)
    run = run_cli_mbox(mbox, target, auto_reply=True)
    phase = "comptoir ingest (acks)"
    m = PathMeasurement(phase, kind, 1, run.lines, run.seconds, run.outcomes)
    m.census = run_worker("census", target)
    problems = [] if run.status == 0 else [f"exit status {run.status}"]
    problems += census_problems(m.census, total, new) + run.unexpected
    m.target = TARGETS.get((phase, kind, 1))
    m.failed = bool(problems)
    m.check = "; ".join(problems) or "ok"
    return m


def verdict(m: PathMeasurement) -> str:
    slow = m.phase.startswith(("smtp", "lmtp")) and m.processes == 16 and m.p99_ms >= P99_TARGET_MS
    return judge(failed=m.failed, met=None if m.target is None else m.rate >= m.target and not slow)


COLUMNS = (
    "path", "database", "conns", "messages", "seconds", "mails/s", "x peer",
    "250 p50 ms", "250 p99 ms", "CPU ms/mail", "target", "", "load",
)  # fmt: skip


def row(m: PathMeasurement) -> tuple[str, ...]:
    listener = m.phase.startswith(("smtp", "lmtp"))
    return (
        m.phase,
        m.database,
        str(m.processes),
        f"{m.messages:,}",
        f"{m.seconds:.2f}",
        f"{m.rate:,.0f}",
        f"{m.peer_ratio:.2f}",
        f"{m.p50_ms:.0f}" if listener else "",
        f"{m.p99_ms:.0f}" if listener else "",
        f"{m.server_cpu_ms:.1f}" if listener else "",
        f">= {m.target:.0f}" if m.target else "",
        verdict(m),
        f"{m.load:.1f}",
    )


def report(measurements: list[PathMeasurement], context: dict[str, Any], name: str) -> None:
    say("")
    say(format_table(COLUMNS, [row(m) for m in measurements], numeric=set(range(2, 11)) | {12}))
    say("")
    for m in measurements:
        say(f"  check {m.phase} {m.database} x{m.processes}: {m.check}")
    say(
        f"\n  x peer = mails/s / {PEER:.0f} (django-helpdesk on this machine class); CPU ms/mail"
        " = the listener process's own CPU; targets on PostgreSQL, p99 under"
        f" {P99_TARGET_MS:.0f} ms with 16 connections."
    )
    data = {
        **context,
        "results": [
            {
                "path": m.phase,
                "database": m.database,
                "connections": m.processes,
                "messages": m.messages,
                "seconds": round(m.seconds, 3),
                "mails_per_second": round(m.rate, 1),
                "peer_ratio": round(m.peer_ratio, 2),
                "p50_ms": m.p50_ms,
                "p99_ms": m.p99_ms,
                "server_cpu_ms_per_mail": m.server_cpu_ms,
                "census": m.census,
                "check": m.check,
                "target": m.target,
                "verdict": verdict(m),
                "load": m.load,
            }
            for m in measurements
        ],
    }
    say(f"\n  results written to {save_json(name, data)}")


def build_parser() -> argparse.ArgumentParser:
    parser = bench_parser("paths", __doc__, quick="300 messages per phase")
    parser.add_argument("--messages", type=int, help="messages per phase (default 2,000)")
    parser.add_argument("--only", default="", help="comma-separated phases: " + ",".join(PHASES))
    parser.add_argument("--database", choices=["sqlite", "postgresql"], help="only this one")
    parser.add_argument(
        "--hourly-limit",
        type=int,
        default=1_000_000,
        help="the campaign's automatic replies per hour (default: all acknowledged; the"
        " product's default is 1,000, past which new tickets only get a history line)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile what the listener's threads do per message (cProfile, SQL)",
    )
    return parser


# name: (path, connections, listener processes)
PHASES = {
    "smtp1": ("smtp", 1, 1),
    "smtp4": ("smtp", 4, 1),
    "smtp16": ("smtp", 16, 1),
    "smtp16p2": ("smtp", 16, 2),
    "lmtp16": ("lmtp", 16, 1),
    "lmtp16p2": ("lmtp", 16, 2),
    "ingest": ("ingest", 1, 1),
    "imap": ("imap", 1, 1),
}


def main(argv: list[str], known_only: bool = False) -> int:
    args = parse_args(build_parser(), argv, known_only)
    size = args.messages or (300 if args.quick else 2_000)
    workdir, dbs, pg = set_up("paths", "comptoir_bench_paths")
    kinds = ["sqlite", "postgresql"] if pg else ["sqlite"]
    if args.database:
        kinds = [k for k in kinds if k == args.database]
    chosen = [p for p in PHASES if not args.only or p in args.only.split(",")]
    os.environ["BENCH_HOURLY_LIMIT"] = str(args.hourly_limit)  # for bench.worker
    context = run_context(pg, args.quick, messages=size, peer=PEER, hourly=args.hourly_limit)
    measurements: list[PathMeasurement] = []
    try:
        if args.profile:
            profile_delivery(workdir, dbs, size, kinds[-1])
            return 0
        measurements = run_all(workdir, dbs, size, kinds, chosen)
    except (SetupError, PhaseError) as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        dbs.finish(keep=args.keep)
    report(measurements, context, "paths-quick.json" if args.quick else "paths.json")
    return 1 if any(m.failed for m in measurements) else 0


def run_all(
    workdir: Path, dbs: Databases, size: int, kinds: list[str], chosen: list[str]
) -> list[PathMeasurement]:
    corpus = build_corpus(size, seed=CORPUS_SEED)
    new = sum(m.kind == "new" for m in corpus)
    counts = (len(corpus), new)
    say(f"corpus: {size:,} messages, {new:,} new requests; phases {', '.join(chosen)}")
    parts: dict[int, list[Path]] = {}
    for connections in sorted({PHASES[p][1] for p in chosen}):
        parts[connections] = []
        for i, part in enumerate(split_by_customer(corpus, connections)):
            path = workdir / f"part-{connections}-{i}.bin"
            write_corpus(part, path)
            parts[connections].append(path)
    mbox = workdir / "corpus.mbox"
    write_mbox(corpus, mbox)
    maildir = workdir / "maildir"
    if "imap" in chosen:
        imap_phase.write_maildir(corpus, maildir)
    del corpus
    measurements: list[PathMeasurement] = []
    for kind in kinds:
        for name in chosen:
            path, connections, processes = PHASES[name]
            if path == "ingest":
                m = ingest_acks_phase(dbs, kind, mbox, counts)
            elif path == "imap":
                m = imap_phase.imap_phase(dbs, kind, maildir, counts)
            else:
                lmtp = path == "lmtp"
                m = listener_phase(dbs, kind, parts[connections], counts, lmtp, processes)
            measurements.append(m)
            say(
                f"  {m.phase:<24} {kind:<10} x{m.processes}: {m.messages:,} in {m.seconds:.2f} s"
                f" = {m.rate:,.0f}/s ({m.peer_ratio:.2f}x peer), p99 {m.p99_ms:.0f} ms,"
                f" {m.check}"
            )
    return measurements


def profile_delivery(workdir: Path, dbs: Databases, size: int, kind: str) -> None:
    """The listener's per-message work (RCPT routing, deliver) in one process, profiled."""
    corpus = workdir / "corpus.bin"
    write_corpus(build_corpus(size, seed=CORPUS_SEED), corpus)
    target = dbs.fresh(kind)
    run_worker("unlimited-acks", target)
    dbs.fresh = lambda _kind: target  # type: ignore[method-assign]  # already prepared
    profiling.profile_ingest(dbs, kind, corpus, worker_command, mode="deliver")
