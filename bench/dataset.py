"""The supervision data set: a year of a contact centre, built by SQL, kept and reused.

    python -m bench.dataset build [--tickets N | --quick] [--sqlite] [--rebuild]
    python -m bench.dataset fill --tickets N      (inside a configured process; used by build)
    python -m bench.dataset counts                (rows per table, in a configured process)
    python -m bench.dataset complete              (a kept data set: what later schemas add)

`ensure()` is the entry point for benchmarks (bench.supervision, and issue 14's search): it
returns a DataSet, building it first when no complete one of that size exists. PostgreSQL:
the database comptoir_bench_sup_<tickets>, migrated with the project's migrations, then filled
(bench.dataset_fill). SQLite: var/bench/sup-<tickets>/comptoir.sqlite3 in the repository. What
was built is in the table bench_dataset (version, tickets, anchor = the data set's "now",
complete), which decides reuse.

Default 10^6 tickets (2.5·10^6 messages) on PostgreSQL, 10^5 on SQLite; --quick a tenth.
See docs/benchmarks.md for what the data holds and how long a build takes.
"""

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bench.databases import PG_ADMIN_URL, SetupError, base_env, pg_recreate, pg_url, run_checked
from bench.dataset_fill import VERSION  # a data set of another version is rebuilt

DEFAULT_TICKETS, QUICK_TICKETS = 1_000_000, 100_000
PG_PREFIX = "comptoir_bench_sup"
SQLITE_ROOT = Path(__file__).resolve().parent.parent / "var" / "bench"


@dataclass
class DataSet:
    kind: str  # postgresql | sqlite
    tickets: int
    env: dict[str, str]  # for a process that uses it (DATABASE_URL or COMPTOIR_DATA_DIR)
    name: str  # the PostgreSQL database's name, or the SQLite file's path
    meta: dict[str, str] = field(default_factory=dict)
    built_now: bool = False
    build_seconds: float | None = None

    @property
    def anchor(self) -> datetime:
        """The data set's "now": its last ticket arrived just before; measure "today" there."""
        return datetime.fromisoformat(self.meta["anchor"])

    def size_bytes(self) -> int:
        if self.kind == "sqlite":
            return sum(p.stat().st_size for p in Path(self.name).parent.glob("comptoir.sqlite3*"))
        import psycopg

        with psycopg.connect(PG_ADMIN_URL) as conn:
            row = conn.execute("SELECT pg_database_size(%s)", [self.name]).fetchone()
        return int(row[0]) if row else 0


def default_size(kind: str, quick: bool) -> int:
    """10^6 tickets on PostgreSQL (10^5 quick), a tenth of that on SQLite (issue 14)."""
    size = QUICK_TICKETS if quick else DEFAULT_TICKETS
    return size // 10 if kind == "sqlite" else size


def pg_name(tickets: int) -> str:
    return f"{PG_PREFIX}_{tickets}"


def sqlite_dir(tickets: int) -> Path:
    return SQLITE_ROOT / f"sup-{tickets}"


def read_meta(kind: str, tickets: int) -> dict[str, str]:
    """bench_dataset's rows, or {} when there is no such database (or table)."""
    try:
        if kind == "sqlite":
            path = sqlite_dir(tickets) / "comptoir.sqlite3"
            if not path.exists():
                return {}
            with sqlite3.connect(path) as conn:
                return dict(conn.execute("SELECT key, value FROM bench_dataset").fetchall())
        import psycopg

        with psycopg.connect(pg_url(pg_name(tickets)), connect_timeout=5) as conn:
            return dict(conn.execute("SELECT key, value FROM bench_dataset").fetchall())
    except Exception:
        return {}


def target(kind: str, tickets: int) -> DataSet:
    if kind == "sqlite":
        data_dir = sqlite_dir(tickets)
        env = base_env(data_dir, None)
        return DataSet(kind, tickets, env, str(data_dir / "comptoir.sqlite3"))
    name = pg_name(tickets)
    env = base_env(sqlite_dir(tickets) / "pg-files", pg_url(name))
    return DataSet(kind, tickets, env, name)


def usable(meta: dict[str, str], tickets: int) -> bool:
    wanted = {"version": VERSION, "tickets": str(tickets), "complete": "yes"}
    return all(meta.get(k) == v for k, v in wanted.items())


def ensure(kind: str, tickets: int, *, rebuild: bool = False, window_days: int = 30) -> DataSet:
    """The data set of that kind and size: the existing one when complete (and not
    `rebuild`), else a new one, built now (progress on stdout)."""
    data = target(kind, tickets)
    meta = read_meta(kind, tickets)
    migrate = [sys.executable, "-m", "comptoir.cli", "migrate", "--noinput"]
    if usable(meta, tickets) and not rebuild:
        data.meta = meta
        print(f"  reusing the {kind} data set {data.name} (built {meta['anchor']})", flush=True)
        # Migrations merged since the build (new columns, their backfills, indexes) apply to
        # the kept data as they would to a live database.
        run_checked(migrate, data.env, "migrate")
        complete = [sys.executable, "-m", "bench.dataset", "complete"]
        if subprocess.run(complete, env=data.env, check=False).returncode != 0:
            raise SetupError("completing the kept data set failed")
        data.meta = read_meta(kind, tickets)
        return data
    started = time.perf_counter()
    fresh_database(data)
    print(f"  {kind}: migrating {data.name}…", flush=True)
    run_checked(migrate, data.env, "migrate")
    command = [sys.executable, "-m", "bench.dataset", "fill", "--tickets", str(tickets)]
    command += ["--window-days", str(window_days)]
    done = subprocess.run(command, env=data.env, check=False)
    if done.returncode != 0:
        raise SetupError(f"building the data set failed ({done.returncode})")
    data.meta = read_meta(kind, tickets)
    data.built_now, data.build_seconds = True, time.perf_counter() - started
    return data


def fresh_database(data: DataSet) -> None:
    if data.kind == "postgresql":
        pg_recreate(data.name)
        return
    folder = Path(data.name).parent
    folder.mkdir(parents=True, exist_ok=True)
    for path in folder.glob("comptoir.sqlite3*"):
        path.unlink()


def drop(data: DataSet) -> None:
    if data.kind == "postgresql":
        from bench.databases import pg_drop

        pg_drop(data.name)
    else:
        for path in Path(data.name).parent.glob("comptoir.sqlite3*"):
            path.unlink()


def table_sizes(data: DataSet) -> dict[str, int]:
    """PostgreSQL: bytes of the big tables, with and without their indexes (issue 14 compares
    its index with the messages table)."""
    if data.kind != "postgresql":
        return {}
    import psycopg

    tables = ["tickets_ticket", "tickets_message", "tickets_ticketevent", "tickets_contact"]
    tables.append("distribution_processing")
    sizes = {}
    with psycopg.connect(pg_url(data.name)) as conn:
        for table in tables:
            row = conn.execute(
                "SELECT pg_total_relation_size(%s), pg_relation_size(%s)", [table, table]
            ).fetchone()
            if row:
                sizes[table] = int(row[0])
                sizes[f"{table} (heap)"] = int(row[1])
    return sizes


TABLES = ("tickets_contact", "tickets_ticket", "tickets_message", "distribution_processing",
          "tickets_ticketevent")  # fmt: skip


def counts(env: dict[str, str]) -> dict[str, int]:
    """Rows per table, read in a Django process (`fill`'s settings: either database)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.dataset", "counts"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    result: dict[str, int] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def count_rows() -> dict[str, int]:
    from django.db import connection

    result = {}
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"SELECT count(*) FROM {table}")
            result[table] = int(cursor.fetchone()[0])
    return result


def describe(data: DataSet) -> str:
    size = data.size_bytes() / 2**30
    built = f"built in {data.build_seconds:.0f} s" if data.build_seconds else "reused"
    return f"{data.kind} {data.name}: {data.tickets:,} tickets, {size:.2f} GiB, {built}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dataset", description=__doc__)
    parser.add_argument("mode", choices=["build", "fill", "counts", "complete"])
    parser.add_argument("--tickets", type=int, help="10^6 (SQLite: 10^5)")
    parser.add_argument("--quick", action="store_true", help="10^5 tickets (SQLite: 10^4)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite instead of PostgreSQL")
    parser.add_argument("--rebuild", action="store_true", help="even if a complete one exists")
    parser.add_argument("--window-days", type=int, default=30, help="days of processings (30)")
    args = parser.parse_args(argv)
    tickets = args.tickets or default_size("sqlite" if args.sqlite else "postgresql", args.quick)
    if args.mode in ("fill", "counts", "complete"):
        from bench.worker import setup_django

        setup_django()
    if args.mode == "counts":
        print(json.dumps(count_rows()))
        return 0
    if args.mode == "complete":
        from bench.dataset_states import complete

        complete(lambda s: print(s, flush=True))
        return 0
    if args.mode == "fill":
        from bench.dataset_fill import fill

        result = fill(tickets, window_days=args.window_days, say=lambda s: print(s, flush=True))
        print(f"  filled in {result['seconds']:.0f} s (anchor {result['anchor']})", flush=True)
        return 0
    kind = "sqlite" if args.sqlite else "postgresql"
    data = ensure(kind, tickets, rebuild=args.rebuild, window_days=args.window_days)
    print(f"  {describe(data)}")
    print(f"  rows: {counts(data.env)}")
    for table, size in table_sizes(data).items():
        print(f"  {table}: {size / 2**20:,.0f} MiB")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    sys.exit(main(sys.argv[1:]))
