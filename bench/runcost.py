"""The bulk writer's cost per message: `python -m bench runcost [--quick] [--database KIND]`.

mail.batch_write.write_run, timed alone with its COMMIT (parsing and routing done before the
clock starts), for runs of 1, 16 and 200 messages: first new requests, then one reply to
each. With one SMTP connection every run holds one message, so the x1 listener pays the
figure of runs of 1 on every mail (issue 11: 300 mails/s = 3.3 ms per mail in all). No
automatic replies, unless `--acks`: then the new tickets are acknowledged in their run
(write_run's auto_reply, as the listener and `comptoir ingest` do; no hourly cap).
Each database kind runs in its own subprocess on a fresh comptoir_bench_runcost database.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from bench.databases import PG_ADMIN_URL, Databases, SetupError, postgres_version
from bench.report import bench_parser, parse_args, run_context, save_json

PG_NAME = "comptoir_bench_runcost"
SIZES = (1, 16, 200)
RESULT = "RESULT "


def build_parser() -> argparse.ArgumentParser:
    parser = bench_parser("runcost", __doc__, quick="200 messages per size and kind")
    parser.add_argument("--messages", type=int, help="messages per size and kind (default 800)")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], help="only this one")
    parser.add_argument("--acks", action="store_true", help="acknowledge the new tickets")
    return parser


def mail(sender: str, subject: str, message_id: str, parent: str | None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"] = sender, "support@demo.localhost"
    message["Subject"], message["Message-ID"] = subject, f"<{message_id}>"
    if parent:
        message["In-Reply-To"] = message["References"] = f"<{parent}>"
    message.set_content("Bonjour,\n\nma commande n'est pas arrivée.\n\nMerci\n" * 3)
    return bytes(message)


def worker(count: int, acks: bool = False) -> dict[str, Any]:
    """In the measured process: every size, new requests then their replies."""
    from bench.worker import setup_django

    setup_django()
    from django.db import connection, transaction

    from comptoir.campaigns.models import Campaign
    from comptoir.mail.batch import Delivery, prepare
    from comptoir.mail.batch_write import write_run

    campaign = Campaign.objects.select_related("domain").get(domain__slug="demo", slug="support")
    campaign.auto_reply_enabled, campaign.auto_reply_hourly_limit = acks, 1_000_000
    campaign.save()
    statements = [0]

    def counting(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        statements[0] += 1
        return execute(sql, params, many, context)

    figures: dict[str, Any] = {}
    for size in SIZES:
        for kind in ("new", "reply"):
            raws = [
                mail(f"c{size}-{i}@exemple.fr", f"Demande {i}", f"{kind}{size}-{i}@ex.fr",
                     f"new{size}-{i}@ex.fr" if kind == "reply" else None)
                for i in range(count)
            ]  # fmt: skip
            run = [prepare(Delivery("bench", raw, campaign=campaign)) for raw in raws]
            items = [item for item in run if item is not None]
            statements[0] = 0
            started, cpu = time.perf_counter(), time.process_time()
            with connection.execute_wrapper(counting):
                for start in range(0, len(items), size):
                    with transaction.atomic():
                        write_run(items[start : start + size], auto_reply=acks)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            runs = -(-len(items) // size)
            figures[f"{kind} x{size}"] = {
                "ms_per_message": round(seconds * 1000 / len(items), 3),
                # This process's CPU (Python, the driver): what load on the cores moves least.
                "cpu_ms_per_message": round(cpu * 1000 / len(items), 3),
                # BEGIN/COMMIT are not counted: they do not go through execute().
                "statements_per_run": round(statements[0] / runs, 1),
            }
    return figures


def measure(dbs: Databases, kind: str, count: int, acks: bool) -> dict[str, Any]:
    target = dbs.fresh(kind)
    args = [sys.executable, "-m", "bench.runcost", "--worker", str(count), *(["acks"] * acks)]
    done = subprocess.run(args, env=target.env, capture_output=True, text=True, check=False)
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT)]
    if done.returncode != 0 or not lines:
        raise SetupError(f"runcost worker failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(lines[-1][len(RESULT) :]))


def main(argv: list[str], known_only: bool = False) -> int:
    args = parse_args(build_parser(), argv, known_only)
    count = args.messages or (200 if args.quick else 800)
    pg = postgres_version()
    kinds = [k for k in ("sqlite", "postgresql") if args.database in (None, k)]
    if pg is None and "postgresql" in kinds:
        print(f"PostgreSQL unreachable at {PG_ADMIN_URL}: skipped.", flush=True)
        kinds.remove("postgresql")
    dbs = Databases(Path(tempfile.mkdtemp(prefix="comptoir-bench-runcost-")), pg_name=PG_NAME)
    context = run_context(pg, args.quick, messages=count)
    results: dict[str, Any] = {}
    try:
        for kind in kinds:
            results[kind] = measure(dbs, kind, count, args.acks)
    except SetupError as exc:
        print(f"bench failed: {exc}", flush=True)
        return 1
    finally:
        dbs.finish(keep=args.keep)
    print(
        f"\nwrite_run{' with acknowledgements' if args.acks else ''}, {count} messages per row"
        " (ms per message incl. COMMIT; statements per run)"
    )
    print(f"{'database':<11} {'run':<11} {'ms/msg':>8} {'CPU ms/msg':>10} {'stmts/run':>10}")
    for kind, figures in results.items():
        for name, row in figures.items():
            ms, cpu, count = (
                row["ms_per_message"],
                row["cpu_ms_per_message"],
                row["statements_per_run"],
            )
            print(f"{kind:<11} {name:<11} {ms:>8.3f} {cpu:>10.3f} {count:>10.1f}")
    print(f"\n  load average at start {context['load_at_start']} (2 shared cores: compare ratios)")
    path = save_json("runcost-quick.json" if args.quick else "runcost.json",
                     {**context, "results": results})  # fmt: skip
    print(f"  results written to {path}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) in (3, 4) and sys.argv[1] == "--worker":
        print(RESULT + json.dumps(worker(int(sys.argv[2]), sys.argv[3:] == ["acks"])), flush=True)
    else:
        sys.exit(main(sys.argv[1:]))
