"""The ingest benchmark: emails/s end to end on SQLite and PostgreSQL, one and two processes.

Phases, each on a fresh database in subprocesses (see bench.worker):
  parse-only                     parse_email over the corpus: the ceiling
  ingest, 1 process              ingest_email(raw, campaign=support) over the corpus
  ingest, 2 processes            the corpus split by customer, two workers started together
  bulk ingest, 1 and 2 processes mail.batch.ingest_many (the path of comptoir ingest) over the same
  comptoir ingest (mbox)         the real command on a large mbox, timed from the outside
Targets (PostgreSQL): 400 emails/s in one process, 700 with two.
"""

import argparse
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench import profiling
from bench.corpus import (
    CorpusMessage,
    build_corpus,
    iter_corpus,
    split_by_customer,
    write_corpus,
    write_mbox,
)
from bench.databases import Databases, SetupError, Target, base_env
from bench.phases import (
    Measurement,
    PhaseError,
    combine,
    run_cli_mbox,
    run_side_by_side,
    threading_check,
    worker_command,
)
from bench.report import (
    bench_parser,
    parse_args,
    print_report,
    reachable_postgres,
    run_context,
    say,
    write_json,
)

# The targets, compared with the bulk path (archives, backlogs); the per-message path
# (SMTP: one commit per message before each 250) is reported beside it.
TARGETS = {("bulk ingest", "postgresql", 1): 400.0, ("bulk ingest", "postgresql", 2): 700.0}
CORPUS_SEED = 20250303
MBOX_SEED = 20250304


def describe(corpus: list[CorpusMessage]) -> dict[str, Any]:
    total = len(corpus)
    charsets = Counter(m.charset for m in corpus)
    return {
        "messages": total,
        "customers": len({m.customer for m in corpus}),
        "replies": sum(m.kind == "reply" for m in corpus),
        "multipart_alternative": sum(m.alternative for m in corpus),
        "with_attachment": sum(m.attachment for m in corpus),
        "latin1_or_cp1252": total - charsets["utf-8"],
        "megabytes": round(sum(len(m.raw) for m in corpus) / 1e6, 1),
    }


def summary_line(facts: dict[str, Any]) -> str:
    n = facts["messages"]

    def pct(key: str) -> str:
        return f"{100 * facts[key] / n:.0f} %"

    return (
        f"corpus: {n:,} messages from {facts['customers']} customers, {facts['megabytes']} MB;"
        f" replies {pct('replies')}, multipart/alternative {pct('multipart_alternative')},"
        f" attachment {pct('with_attachment')}, latin-1/cp1252 {pct('latin1_or_cp1252')}"
    )


def parse_only(corpus_file: Path, workdir: Path) -> Measurement:
    data_dir = workdir / "parse-only"
    data_dir.mkdir()
    target = Target("sqlite", data_dir, base_env(data_dir, None))
    results = run_side_by_side("parse", [corpus_file], target)
    measurement = combine("parse-only", "-", results)
    with_defects = measurement.outcomes.get("with defects", 0)
    measurement.check = f"{with_defects} message(s) parsed with defects" if with_defects else ""
    return measurement


def ingest(
    dbs: Databases, kind: str, corpora: list[Path], new: int, replies: int, mode: str = "ingest"
) -> Measurement:
    target = dbs.fresh(kind)
    phase = "bulk ingest" if mode == "bulk" else "ingest"
    measurement = combine(phase, kind, run_side_by_side(mode, corpora, target))
    measurement.target = TARGETS.get((phase, kind, len(corpora)))
    measurement.check = threading_check(measurement.outcomes, new, replies)
    measurement.failed = measurement.check != "ok"
    return measurement


def mbox_phase(dbs: Databases, kind: str, mbox: Path, count: int, new: int) -> Measurement:
    target = dbs.fresh(kind)
    run = run_cli_mbox(mbox, target)
    # The rate counts what was handled: a run stopped early (exit 75) must not look fast.
    measurement = Measurement(
        "comptoir ingest (mbox)", kind, 1, run.lines, run.seconds, run.outcomes
    )
    problems = [] if run.status == 0 else [f"exit status {run.status}"]
    if run.lines != count:
        problems.append(f"{run.lines:,} JSON lines for {count:,} messages")
    threading = threading_check(run.outcomes, new, count - new)
    if threading != "ok":
        problems.append(threading)
    problems += run.unexpected
    measurement.failed = bool(problems)
    measurement.check = "; ".join(problems) or f"ok ({run.lines:,} JSON lines, exit 0)"
    return measurement


def report_phase(m: Measurement) -> None:
    say(
        f"  {m.phase:<24} {m.database:<10} x{m.processes}: {m.messages:,} messages"
        f" in {m.seconds:.2f} s = {m.rate:,.0f}/s (load {m.load})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = bench_parser("ingest", __doc__, quick="300 messages, 2,000-message mbox")
    parser.add_argument(
        "--profile", action="store_true", help="also profile one-process ingest (cProfile, SQL)"
    )
    parser.add_argument(
        "--no-sqlite-mbox", action="store_true", help="run the mbox phase on PostgreSQL only"
    )
    parser.add_argument("--no-mbox", action="store_true", help="skip the mbox phase")
    parser.add_argument(
        "--pg-options",
        default="",
        help="what-if: extra OPTIONS (JSON) for the PostgreSQL ingest workers, e.g."
        ' \'{"server_side_binding": true, "prepare_threshold": 5}\' (not the mbox phase)',
    )
    return parser


def main(argv: list[str], known_only: bool = False) -> int:
    """known_only: ignore the options of other benchmarks (`python -m bench` runs them all)."""
    parser = build_parser()
    args = parse_args(parser, argv, known_only)
    size, mbox_size = (300, 2_000) if args.quick else (2_000, 20_000)
    workdir = Path(tempfile.mkdtemp(prefix="comptoir-bench-"))
    dbs = Databases(workdir, args.pg_options)
    pg = reachable_postgres()
    context = run_context(pg, args.quick, pg_options=args.pg_options)
    try:
        measurements = run_all(args, workdir, dbs, size, mbox_size, context, pg is not None)
    except (SetupError, PhaseError) as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        dbs.finish(keep=args.keep)
    print_report(measurements, context)
    path = write_json(measurements, context, "ingest-quick.json" if args.quick else "ingest.json")
    say(f"\n  results written to {path}")
    return 0


def run_all(
    args: argparse.Namespace,
    workdir: Path,
    dbs: Databases,
    size: int,
    mbox_size: int,
    context: dict[str, Any],
    with_pg: bool,
) -> list[Measurement]:
    kinds = ["sqlite", "postgresql"] if with_pg else ["sqlite"]
    corpus = build_corpus(size, seed=CORPUS_SEED)
    context["corpus"] = facts = describe(corpus)
    say(summary_line(facts))
    everything, halves = workdir / "corpus.bin", [workdir / "half-0.bin", workdir / "half-1.bin"]
    write_corpus(corpus, everything)
    for path, part in zip(halves, split_by_customer(corpus, 2), strict=True):
        write_corpus(part, path)
    new, replies = size - facts["replies"], facts["replies"]
    del corpus
    measurements = [parse_only(everything, workdir)]
    report_phase(measurements[-1])
    for kind in kinds:
        for mode in ("ingest", "bulk"):
            for corpora in ([everything], halves):
                measurements.append(ingest(dbs, kind, corpora, new, replies, mode))
                report_phase(measurements[-1])
    mbox_kinds = [k for k in reversed(kinds) if not (args.no_sqlite_mbox and k == "sqlite")]
    if args.no_mbox:
        mbox_kinds = []
    mbox = workdir / "bench.mbox"
    mbox_new = write_big_mbox(mbox, mbox_size) if mbox_kinds else 0
    for kind in mbox_kinds:
        measurements.append(mbox_phase(dbs, kind, mbox, mbox_size, mbox_new))
        report_phase(measurements[-1])
    if args.profile:
        profiling.profile_ingest(dbs, kinds[-1], everything, worker_command)
    return measurements


def write_big_mbox(path: Path, count: int) -> int:
    """Write the mbox, streaming; return how many of its messages are new requests."""
    say(f"writing a {count:,}-message mbox…")
    kinds: Counter[str] = Counter()

    def counted() -> Any:
        # As many customers per message as in the main corpus (2,000 messages, 500 customers).
        for message in iter_corpus(count, seed=MBOX_SEED, customers=max(1, count // 4)):
            kinds[message.kind] += 1
            yield message

    write_mbox(counted(), path)
    say(f"  {path.stat().st_size / 1e6:.0f} MB")
    return kinds["new"]
