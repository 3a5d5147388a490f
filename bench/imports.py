"""The imports benchmark: a mail archive imported by the worker, chunk by chunk, on SQLite and
PostgreSQL.

An mbox of N distinct customer messages (20,000; --quick: 2,000), all new requests from the
ingest corpus generator, is written to a temporary file, streaming. On a fresh database, a
process (bench.imports_tasks) stores it as an upload does (imports.actions.create_import, the
demo's support campaign), then runs it as `comptoir worker` does: claim_imports, then
run_import_chunk with the default chunk size until nothing remains, each chunk timed; then
imports the same stored file again (actions.rerun_import). Imports never send automatic
replies (runner.ingest_chunk: auto_reply=False), although the demo's campaign acknowledges.

Measured: messages/s; the mean time of the first full chunks against the last ones (resuming
at a byte offset makes a chunk's cost independent of its place in the file: the ratio must be
about 1, at most 1.5x); the peak RSS of the importing process (the mbox is streamed).
Checked: the import ends done with N created, 0 failed, 0 duplicates and N tickets; the re-run
ends done with N duplicates and 0 created; no outbound message was queued.
"""

import argparse
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.corpus import Shares, iter_corpus, write_mbox
from bench.databases import Databases, SetupError, Target
from bench.phases import Checked, PhaseError, judge, result_in
from bench.report import (
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

MBOX_SEED = 20250307
PG_NAME = "comptoir_bench_imports"
MAX_RATIO = 1.5  # last chunks / first chunks
WINDOW = 3  # chunks averaged at each end


@dataclass
class Row(Checked):
    phase: str  # import | re-run
    database: str
    messages: int
    chunks: int
    seconds: float  # from the first claim to the end of the last chunk
    first_chunk: float = 0.0  # it also counts the archive's messages (one pass, for progress)
    early: float = 0.0  # mean of the full chunks after the first, WINDOW of them
    late: float = 0.0  # mean of the last WINDOW full chunks
    peak_rss_mb: float = 0.0

    @property
    def rate(self) -> float:
        return self.messages / self.seconds if self.seconds else 0.0

    @property
    def ratio(self) -> float | None:
        return self.late / self.early if self.early and self.late else None

    @property
    def verdict(self) -> str:
        met = None if self.ratio is None else self.ratio <= MAX_RATIO
        return judge(failed=self.failed, met=met, passed=f"PASS (<= {MAX_RATIO}x)")


def chunk_means(chunks: list[dict[str, Any]], size: int) -> tuple[float, float]:
    """Mean seconds of WINDOW full chunks after the first, and of the last WINDOW full chunks.
    The first chunk is left out (it also counts the archive once), and so is a last partial
    or empty one (it only finds the end)."""
    full = [c["seconds"] for c in chunks[1:] if c["messages"] == size]
    if len(full) < 2 * WINDOW:
        return 0.0, 0.0
    return sum(full[:WINDOW]) / WINDOW, sum(full[-WINDOW:]) / WINDOW


def run_task(target: Target, mbox: Path) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.imports_tasks", str(mbox)]
    log = target.data_dir / "imports.log"
    with log.open("w") as err:
        done = subprocess.run(
            command, env=target.env, stdout=subprocess.PIPE, stderr=err, text=True, check=False
        )
    result = result_in(done.stdout, done.returncode)
    if result is not None:
        return result
    tail = log.read_text(errors="replace")[-3000:]
    raise PhaseError(f"the import process exited with {done.returncode}:\n{tail}")


def make_row(phase: str, kind: str, run: dict[str, Any], size: int) -> Row:
    chunks = run["chunks"]
    early, late = chunk_means(chunks, size)
    row = Row(
        phase,
        kind,
        run["job"]["position"],
        len(chunks),
        run["seconds"],
        first_chunk=chunks[0]["seconds"] if chunks else 0.0,
        early=early,
        late=late,
        peak_rss_mb=run["peak_rss_kb"] / 1024,
    )
    row.detail = {
        "job": run["job"],
        "database": run["database"],
        "chunk_seconds": round(run["chunk_seconds"], 3),
        # As asked first: the first WINDOW chunks, the archive's counting pass included.
        "first_chunks_mean": round(sum(c["seconds"] for c in chunks[:WINDOW]) / WINDOW, 4)
        if len(chunks) >= WINDOW
        else None,
        "chunks": [{"seconds": round(c["seconds"], 4), "messages": c["messages"]} for c in chunks],
    }
    return row


def problems_of(run: dict[str, Any], count: int, expect: dict[str, int]) -> list[str]:
    job, database = run["job"], run["database"]
    problems = []
    if job["state"] != "done":
        problems.append(f"state {job['state']!r}, not 'done' {job['last_error'][:500]}".rstrip())
    for key, wanted in expect.items():
        if job[key] != wanted:
            problems.append(f"{key} {job[key]:,}, expected {wanted:,}")
    if job["errors"]:
        problems.append(f"first errors: {job['errors']}")
    if database["tickets"] != count:
        problems.append(f"{database['tickets']:,} tickets, expected {count:,}")
    if database["outbound"]:
        problems.append(f"{database['outbound']:,} outbound message(s): an automatic reply?")
    return problems


def measure(dbs: Databases, kind: str, mbox: Path, count: int) -> list[Row]:
    target = dbs.fresh(kind)
    result = run_task(target, mbox)
    size = result["chunk_size"]
    rows = []
    expects = {
        "import": {"position": count, "created": count, "failed": 0, "duplicate": 0},
        "re-run": {"position": count, "created": 0, "failed": 0, "duplicate": count},
    }
    for phase, key in (("import", "import"), ("re-run", "rerun")):
        row = make_row(phase, kind, result[key], size)
        row.detail.update(
            chunk_size=size,
            store_seconds=round(result["store_seconds"], 3),
            rss_before_mb=round(result["rss_before_kb"] / 1024, 1),
            auto_reply_enabled=result["auto_reply_enabled"],
        )
        problems = problems_of(result[key], count, expects[phase])
        row.failed = bool(problems)
        if phase == "import":
            summary = f"done, created {count:,}, failed 0, duplicates 0, {count:,} tickets"
        else:
            summary = f"done, duplicates {count:,}, created 0, failed 0, still {count:,} tickets"
        replies = "on" if result["auto_reply_enabled"] else "off"
        row.check = "; ".join(problems) or (
            f"ok ({summary}; no outbound message, the campaign's acknowledgement {replies})"
        )
        rows.append(row)
    return rows


def report_phase(row: Row) -> None:
    ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
    say(
        f"  {row.phase:<7} {row.database:<10}: {row.messages:,} messages in {row.chunks}"
        f" chunks, {row.seconds:.2f} s = {row.rate:,.0f}/s; first chunk {row.first_chunk:.3f} s,"
        f" chunks 2-{WINDOW + 1} {row.early:.3f} s, last {WINDOW} {row.late:.3f} s"
        f" (ratio {ratio}); peak RSS {row.peak_rss_mb:.0f} MB"
        f" ({row.detail.get('rss_before_mb', 0):.0f} MB before the import) (load {row.load})"
    )
    if row.failed:
        say(f"      FAILED: {row.check}")


COLUMNS = (
    "phase", "database", "messages", "chunks", "seconds", "msgs/s", "1st chunk s",
    "early s", "late s", "late/early", "", "peak RSS MB", "load",
)  # fmt: skip


def table_row(row: Row) -> tuple[str, ...]:
    return (
        row.phase,
        row.database,
        f"{row.messages:,}",
        str(row.chunks),
        f"{row.seconds:.2f}",
        f"{row.rate:,.0f}",
        f"{row.first_chunk:.3f}",
        f"{row.early:.3f}",
        f"{row.late:.3f}",
        f"{row.ratio:.2f}" if row.ratio is not None else "-",
        row.verdict,
        f"{row.peak_rss_mb:.0f}",
        f"{row.load:.1f}",
    )


def print_report(rows: list[Row], context: dict[str, Any]) -> None:
    print()
    print(format_table(COLUMNS, [table_row(r) for r in rows], numeric=set(range(2, 10)) | {11, 12}))
    print()
    for row in rows:
        if row.check:
            print(f"  check {row.phase} {row.database}: {row.check}")
    print(
        f"\n  mbox: {context['messages']:,} messages, {context['mbox_megabytes']} MB;"
        f" chunks of {context.get('chunk_size', '?')} messages (runner.CHUNK_SIZE)."
        f" early = mean of the {WINDOW} full chunks after the first (the first also counts the"
        f" archive once), late = mean of the last {WINDOW} full chunks; late/early must be"
        f" <= {MAX_RATIO}. Peak RSS: the importing process (Django included)."
    )
    print(machine_line(context))


def write_json(rows: list[Row], context: dict[str, Any], name: str) -> Path:
    data = {
        **context,
        "results": [
            {
                **asdict(r),
                "messages_per_second": round(r.rate, 1),
                "late_over_early": round(r.ratio, 3) if r.ratio is not None else None,
                "verdict": r.verdict,
            }
            for r in rows
        ],
    }
    return save_json(name, data)


def write_archive(path: Path, count: int) -> float:
    """The mbox, written as it is generated (never whole in memory); its size in MB. All new
    requests (no replies), four per customer: each must open a ticket of its own."""
    say(f"writing a {count:,}-message mbox…")
    kinds: Counter[str] = Counter()

    def counted() -> Any:
        shares = Shares(replies=0.0)
        for message in iter_corpus(
            count, seed=MBOX_SEED, customers=max(1, count // 4), shares=shares
        ):
            kinds[message.kind] += 1
            yield message

    write_mbox(counted(), path)
    if kinds != Counter(new=count):
        raise SetupError(f"the generator gave {dict(kinds)}, expected {count} new requests")
    megabytes = round(path.stat().st_size / 1e6, 1)
    say(f"  {megabytes} MB")
    return megabytes


def build_parser() -> argparse.ArgumentParser:
    parser = bench_parser("imports", __doc__, quick="2,000 messages instead of 20,000")
    parser.add_argument("--messages", type=int, help="messages in the mbox")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    return parser


def main(argv: list[str], known_only: bool = False) -> int:
    """known_only: ignore the options of other benchmarks (`python -m bench` runs them all)."""
    args = parse_args(build_parser(), argv, known_only)
    count = args.messages or (2_000 if args.quick else 20_000)
    workdir, dbs, pg = set_up("imports", PG_NAME)
    kinds = ([] if args.no_sqlite and pg else ["sqlite"]) + (["postgresql"] if pg else [])
    context = run_context(pg, args.quick, messages=count)
    rows: list[Row] = []
    try:
        mbox = workdir / "archive.mbox"
        context["mbox_megabytes"] = write_archive(mbox, count)
        for kind in kinds:
            for row in measure(dbs, kind, mbox, count):
                rows.append(row)
                report_phase(row)
                context["chunk_size"] = row.detail["chunk_size"]
    except (SetupError, PhaseError) as exc:
        say(f"bench failed: {exc}")
        return 1
    finally:
        dbs.finish(keep=args.keep)
    file = result_file("imports", quick=args.quick, count=count, chosen=args.messages)
    return conclude(rows, context, file, print_report, write_json)
