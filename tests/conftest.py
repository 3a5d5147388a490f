"""Shared fixtures: named personas for a tenant with two campaigns."""

import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.scripts.models import ScriptVersion
from comptoir.tenancy.models import Domain, MailDomain, Role, Team, User
from tests.system_packages import missing_packages, summary_lines

EMAILS = Path(__file__).parent / "emails"


def is_postgres() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@dataclass
class Acme:
    """Acme's contact centre: a `support` and an `orders` campaign, an agent and a supervisor
    (sam, in the `Supervision` team that supervises both campaigns: a supervisor supervises
    only the campaigns of their supervision teams, tickets.access)."""

    domain: Domain
    support: Campaign
    orders: Campaign
    agent: User
    supervisor: User


def make_acme(slug: str = "acme") -> Acme:
    domain = Domain.objects.create(slug=slug, name=f"{slug.capitalize()} SA")
    # The mail domain its addresses are in: only it may receive mail on it and send from it.
    MailDomain.objects.create(domain=domain, name=f"{slug}.test")
    team = Team.objects.create(domain=domain, name="Agents")
    support = Campaign.objects.create(
        domain=domain, slug="support", name="Support", sender_name="Support Acme"
    )
    orders = Campaign.objects.create(domain=domain, slug="orders", name="Commandes")
    InboundAddress.objects.create(domain=domain, campaign=support, address=f"support@{slug}.test")
    InboundAddress.objects.create(domain=domain, campaign=orders, address=f"orders@{slug}.test")
    agent = User.objects.create_user(domain=domain, login="alice", password="pw", role=Role.AGENT)
    supervisor = User.objects.create_user(
        domain=domain, login="sam", password="pw", role=Role.SUPERVISOR, can_supervise=True
    )
    team.members.add(agent)
    support.agent_teams.add(team)
    orders.agent_teams.add(team)
    supervision = Team.objects.create(domain=domain, name="Supervision")
    supervision.members.add(supervisor)
    support.supervision_teams.add(supervision)
    orders.supervision_teams.add(supervision)
    return Acme(domain, support, orders, agent, supervisor)


@pytest.fixture
def acme(db: None) -> Acme:
    return make_acme()


def read_eml(name: str) -> bytes:
    return (EMAILS / name).read_bytes()


def subprocess_env() -> dict[str, str]:
    """Environment for a `comptoir` subprocess that must use the current test database."""
    from django.conf import settings
    from django.db import connection

    db = connection.settings_dict
    env = dict(os.environ)
    if db["ENGINE"].endswith("sqlite3"):
        env["DATABASE_URL"] = f"sqlite:///{db['NAME']}"
    else:
        host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{host}:{port}/{db['NAME']}"
    env["COMPTOIR_DATA_DIR"] = str(settings.DATA_DIR)
    return env


def comptoir_bin() -> str:
    import sys

    return str(Path(sys.executable).with_name("comptoir"))


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:  # type: ignore[no-untyped-def]
    """Argon2 is the production hasher; tests create many users and need not pay for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def forget_cached_own_addresses() -> None:
    """Ingest caches each domain's own addresses, routing caches its answers and the
    supervisors' board its figures for a few seconds; tests reuse domain and campaign ids
    (a rolled-back test sends no signal to forget them)."""
    from comptoir.campaigns import addresses
    from comptoir.mail import ingest
    from comptoir.supervision.board import forget_board
    from comptoir.tickets import auto_reply_draft

    forget_board()
    ingest._own_addresses.clear()
    addresses.forget_routes()
    auto_reply_draft.forget_replies()


def script_version(campaign: Campaign) -> ScriptVersion:
    """The newest version of the campaign's qualification script; a script (version 1) is
    created and assigned when the campaign has none."""
    from comptoir.scripts.models import QualificationScript

    if campaign.qualification_script_id is None:
        script = QualificationScript.objects.create(
            domain_id=campaign.domain_id, name=f"Script {campaign.slug} {campaign.pk}"
        )
        ScriptVersion.objects.create(domain_id=campaign.domain_id, script=script, number=1)
        campaign.qualification_script = script
        campaign.save(update_fields=["qualification_script"])
    version = ScriptVersion.objects.filter(script_id=campaign.qualification_script_id).first()
    assert version is not None
    return version


Migrate = Callable[[list[tuple[str, str | None]]], Apps]


@pytest.fixture
def migrator(transactional_db: None) -> Iterator[Migrate]:
    """Moves the test database to a past migration state and returns that state's models.
    A target (app, None) takes every migration of that app back. Afterwards the database goes
    back to the newest schema, even when the test failed, so that the tests that follow find
    every table and column."""

    def migrate(targets: list[tuple[str, str | None]]) -> Apps:
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        nodes = [(app, name) for app, name in targets if name is not None]
        return executor.loader.project_state(nodes).apps

    yield migrate
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> Generator[None]:
    """After pytest's own last line: the tests skipped for a missing system package, and how
    to install it (tests/system_packages.py). Outermost wrapper (tryfirst), so it prints last."""
    result = yield
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        for line in summary_lines(missing_packages(reporter.stats.get("skipped", []))):
            reporter.write_line(line, yellow=True, bold=True)
    return result
