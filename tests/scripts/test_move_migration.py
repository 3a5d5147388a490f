"""The qualification scripts' move to their own app (issue 12): migrations scripts 0001,
distribution 0003 and campaigns 0015 change the migrations' state only. A database filled
before the move keeps every row and every link after it, the move runs no SQL on any table
(only Django's own record of applied migrations), and it goes back the same way."""

from typing import Any

from django.apps.registry import Apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext

from comptoir.distribution.models import Processing
from comptoir.scripts.models import QualificationScript
from tests.conftest import Migrate

BEFORE = [
    ("campaigns", "0014_mail_domains_of_existing_addresses"),
    ("distribution", "0002_processing_script_version"),
    ("scripts", None),
]
TABLES = {
    "QualificationScript": "campaigns_qualificationscript",
    "ScriptVersion": "campaigns_scriptversion",
    "QualificationOutcome": "campaigns_qualificationoutcome",
    "QualificationField": "campaigns_qualificationfield",
}
ROWS = {
    "QualificationScript": ["id", "domain_id", "name", "created_at"],
    "ScriptVersion": ["id", "domain_id", "script_id", "number", "frozen", "created_by_id"],
    "QualificationOutcome": ["id", "version_id", "code", "label", "kind", "position"],
    "QualificationField": ["id", "version_id", "name", "field_type", "choices", "required"],
}


def newest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


AFTER = [
    ("campaigns", "0015_scripts_moved_out"),
    ("distribution", "0003_script_version_moved"),
    ("scripts", "0001_initial"),
]


def around(targets: list[tuple[str, str | None]]) -> list[tuple[str, str | None]]:
    """The moved apps at `targets`, every other app at its newest migration that needs none
    of the moved apps' migrations beyond them (a later app's migration may depend on the
    moved models: it waits, as it would have on a database of that time)."""
    graph = MigrationExecutor(connection).loader.graph
    moved = {app for app, _name in targets}
    allowed = {n for t in targets if t[1] is not None for n in graph.forwards_plan(t)}
    forbidden = {n for n in graph.nodes if n[0] in moved and n not in allowed}
    nodes: list[tuple[str, str | None]] = list(targets)
    for leaf in newest():
        if leaf[0] in moved:
            continue
        chain = [n for n in graph.forwards_plan(leaf) if n[0] == leaf[0]]
        usable = [n for n in chain if not forbidden & set(graph.forwards_plan(n))]
        nodes.append(usable[-1] if usable else (leaf[0], None))
    return nodes


def after_the_move() -> list[tuple[str, str | None]]:
    """The move itself and nothing after it in the moved apps (their later migrations, e.g.
    new indexes, do run SQL: they are not the move); every other app where it was before."""
    moved = {app for app, _name in AFTER}
    return list(AFTER) + [node for node in before_the_move() if node[0] not in moved]


def before_the_move() -> list[tuple[str, str | None]]:
    return around(BEFORE)


def fill(old: Apps) -> dict[str, Any]:
    """A script of two versions (the first frozen and used by a processing) assigned to a
    campaign, written with the models as they were before the move."""
    domain = old.get_model("tenancy", "Domain").objects.create(slug="acme", name="Acme")
    agent = old.get_model("tenancy", "User").objects.create(domain=domain, login="alice")
    script, first, second = old_script(old, domain, agent)
    campaign = old.get_model("campaigns", "Campaign").objects.create(
        domain=domain, slug="support", name="Support", qualification_script=script
    )
    contact = old.get_model("tickets", "Contact").objects.create(
        domain=domain, email="claire@client.test"
    )
    ticket = old.get_model("tickets", "Ticket").objects.create(
        domain=domain, campaign=campaign, contact=contact, number=1
    )
    processing = old.get_model("distribution", "Processing").objects.create(
        domain=domain, ticket=ticket, campaign=campaign, agent=agent, script_version=first
    )
    return {
        "campaign": campaign.pk,
        "script": script.pk,
        "processing": processing.pk,
        "versions": [first.pk, second.pk],
        "rows": rows_of(old, "campaigns"),
    }


def old_script(old: Apps, domain: Any, agent: Any) -> tuple[Any, Any, Any]:
    """The script and its two versions, each with outcomes and a question."""
    script = old.get_model("campaigns", "QualificationScript").objects.create(
        domain=domain, name="Support"
    )
    Version = old.get_model("campaigns", "ScriptVersion")
    first = Version.objects.create(
        domain=domain, script=script, number=1, frozen=True, created_by=agent
    )
    second = Version.objects.create(domain=domain, script=script, number=2)
    Outcome = old.get_model("campaigns", "QualificationOutcome")
    Question = old.get_model("campaigns", "QualificationField")
    for version in (first, second):
        Outcome.objects.create(domain=domain, version=version, code="done", label="Fait")
        Question.objects.create(
            domain=domain, version=version, name="why", field_type="choice", choices=["a", "b"]
        )
    Outcome.objects.create(domain=domain, version=second, code="later", kind="reopen_later")
    return script, first, second


def rows_of(apps: Apps, app: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        model: list(apps.get_model(app, model).objects.order_by("pk").values_list(*fields))
        for model, fields in ROWS.items()
    }


def test_the_move_keeps_every_row_and_link_and_runs_no_sql(migrator: Migrate) -> None:
    before = fill(migrator(before_the_move()))
    assert all(before["rows"].values())
    with CaptureQueriesContext(connection) as queries:
        new = migrator(after_the_move())
    for model, table in TABLES.items():
        assert new.get_model("scripts", model)._meta.db_table == table
    assert rows_of(new, "scripts") == before["rows"]
    campaign = new.get_model("campaigns", "Campaign").objects.get(pk=before["campaign"])
    assert campaign.qualification_script_id == before["script"]
    processing = new.get_model("distribution", "Processing").objects.get(pk=before["processing"])
    assert processing.script_version_id == before["versions"][0]
    # The code's own models follow the links both ways.
    script = QualificationScript.objects.get(pk=before["script"])
    assert [c.pk for c in script.campaigns.all()] == [before["campaign"]]
    assert [v.pk for v in script.versions.order_by("number")] == before["versions"]
    newer = script.versions.get(number=2)
    assert [o.code for o in newer.outcomes.all()] == ["done", "later"]
    assert [q.choices for q in newer.questions.all()] == [["a", "b"]]
    used = Processing.objects.get(pk=before["processing"]).script_version
    assert used is not None and used.script == script and used.frozen
    assert written(queries) == ["INSERT INTO django_migrations"] * 3


def test_the_move_goes_back_without_losing_anything(migrator: Migrate) -> None:
    before = fill(migrator(before_the_move()))
    migrator(after_the_move())
    with CaptureQueriesContext(connection) as queries:
        back = migrator(before_the_move())
    assert rows_of(back, "campaigns") == before["rows"]
    campaign = back.get_model("campaigns", "Campaign").objects.get(pk=before["campaign"])
    assert campaign.qualification_script_id == before["script"]
    assert written(queries) == ["DELETE FROM django_migrations"] * 3


def written(queries: CaptureQueriesContext) -> list[str]:
    """What the queries wrote, as "VERB table" (the quotes dropped); reads and a backend's
    own bookkeeping (SQLite's pragmas, transactions) left out."""
    kept = []
    for query in queries.captured_queries:
        words = query["sql"].replace('"', "").split()
        verb = words[0].upper() if words else ""
        if verb in ("INSERT", "DELETE"):
            kept.append(f"{verb} {words[1]} {words[2]}")
        elif verb not in ("SELECT", "PRAGMA", "BEGIN", "COMMIT", "SAVEPOINT", "RELEASE"):
            kept.append(query["sql"])
    return kept
