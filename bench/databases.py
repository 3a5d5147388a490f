"""Fresh, migrated databases for each measured phase, whatever DATABASE_URL says.

Migrating takes longer than some phases, so each database kind is migrated once into a
template (with the demo people) and every phase starts from a copy: a file copy for SQLite,
`CREATE DATABASE … TEMPLATE` for PostgreSQL. Only databases named comptoir_bench* are touched.
"""

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PG_ADMIN_URL = os.environ.get(
    "COMPTOIR_BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres"
)
PG_TEMPLATE = "comptoir_bench_template"
PG_DATABASE = "comptoir_bench"
SQLITE_NAME = "comptoir.sqlite3"


class SetupError(Exception):
    pass


@dataclass
class Target:
    """Where one phase runs: the environment its processes get."""

    kind: str  # sqlite | postgresql
    data_dir: Path
    env: dict[str, str]


def base_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings",
        COMPTOIR_DATA_DIR=str(data_dir),
        COMPTOIR_LOG_LEVEL="WARNING",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_checked(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SetupError(f"{what} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def migrate_and_populate(env: dict[str, str]) -> None:
    run_checked([sys.executable, "-m", "comptoir.cli", "migrate", "--noinput"], env, "migrate")
    run_checked([sys.executable, "-m", "bench.worker", "setup"], env, "demo people")


def pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def postgres_version() -> str | None:
    """The server's version, or None when PostgreSQL cannot be reached."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception:
        return None


def pg_recreate(name: str, template: str | None = None) -> None:
    import psycopg
    from psycopg import sql

    assert name.startswith("comptoir_bench")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(create)


def pg_drop(name: str) -> None:
    import psycopg
    from psycopg import sql

    assert name.startswith("comptoir_bench")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


class Databases:
    """Templates prepared on first use, then one fresh copy per phase."""

    def __init__(self, workdir: Path, pg_options: str = "", pg_name: str = PG_DATABASE) -> None:
        assert pg_name.startswith("comptoir_bench")
        self.workdir = workdir
        self.pg_options = pg_options  # JSON, for the workers only (see bench.worker)
        self.pg_database = pg_name
        self.pg_template = PG_TEMPLATE if pg_name == PG_DATABASE else f"{pg_name}_template"
        self.prepared: set[str] = set()
        self.runs = 0

    def finish(self, *, keep: bool) -> None:
        """After a benchmark: drop its databases and files, or (--keep) say where they are."""
        if keep:
            print(f"kept {self.workdir} and the {self.pg_database}* databases", flush=True)
            return
        self.drop_all()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def template_dir(self, kind: str) -> Path:
        return self.workdir / f"template-{kind}"

    def prepare(self, kind: str) -> None:
        if kind in self.prepared:
            return
        data_dir = self.template_dir(kind)
        data_dir.mkdir(parents=True, exist_ok=True)
        if kind == "postgresql":
            pg_recreate(self.pg_template)
            migrate_and_populate(base_env(data_dir, pg_url(self.pg_template)))
        else:
            migrate_and_populate(base_env(data_dir, None))
        self.prepared.add(kind)

    def fresh(self, kind: str) -> Target:
        self.prepare(kind)
        self.runs += 1
        data_dir = self.workdir / f"run-{self.runs}-{kind}"
        data_dir.mkdir(parents=True)
        if kind == "postgresql":
            self.copy_template()
            env = base_env(data_dir, pg_url(self.pg_database))
            if self.pg_options:
                env["BENCH_DB_OPTIONS"] = self.pg_options
            return Target(kind, data_dir, env)
        # The database file and its WAL, if the setup process left one.
        for path in self.template_dir(kind).glob(SQLITE_NAME + "*"):
            shutil.copy2(path, data_dir / path.name)
        return Target(kind, data_dir, base_env(data_dir, None))

    def copy_template(self) -> None:
        import psycopg

        try:
            pg_recreate(self.pg_database, template=self.pg_template)
        except psycopg.errors.InvalidCatalogName:
            # Someone dropped the template meanwhile (seen on a shared server): make it again.
            self.prepared.discard("postgresql")
            self.prepare("postgresql")
            pg_recreate(self.pg_database, template=self.pg_template)

    def drop_all(self) -> None:
        if "postgresql" in self.prepared:
            pg_drop(self.pg_database)
            pg_drop(self.pg_template)
