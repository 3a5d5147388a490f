"""Acme's supervisors and processings for the exports' tests.

- sam: a supervisor of both campaigns (tests.conftest.make_acme) with the right to export;
- sue: a supervisor of `support` only (a seat in its supervision team, no right to supervise);
- ada: an administrator (the role's rights);
- alice: an agent (Acme's), who may not export even when given the right.
Processings are made through play (claim, then qualify with a clock), or written in bulk for
the large exports."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import claim_next_ticket, qualify
from comptoir.distribution.models import Processing
from comptoir.scripts.models import (
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    ScriptVersion,
)
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from tests.conftest import Acme, make_acme, script_version
from tests.distribution.conftest import customer_writes

# Monday 2 November 2026, 09:00 in Paris (UTC+1).
MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@dataclass
class World:
    acme: Acme
    sam: User
    sue: User
    ada: User
    version: ScriptVersion


def person(acme: Acme, login: str, role: str, **rights: bool) -> User:
    user = User(domain=acme.domain, login=login, role=role, display_name=login.capitalize())
    user.apply_role_rights()
    for right, value in rights.items():
        setattr(user, right, value)
    user.set_password("pw")
    user.save()
    return user


def support_script(campaign: Campaign) -> ScriptVersion:
    """Outcomes and the four kinds of answers the exports type: text, number, yes/no, date."""
    version = script_version(campaign)
    domain_id = campaign.domain_id
    for position, (code, label, kind) in enumerate(
        [
            ("resolu", "Résolu", OutcomeKind.FINAL),
            ("rappel", "À rappeler « vite »", OutcomeKind.REOPEN_LATER),
        ]
    ):
        QualificationOutcome.objects.create(
            domain_id=domain_id, version=version, code=code, label=label, kind=kind,
            position=position,
        )  # fmt: skip
    questions = [
        ("motif", "Motif", FieldType.TEXT),
        ("montant", "Montant (€)", FieldType.NUMBER),
        ("rappel", "Rappel souhaité", FieldType.YES_NO),
        ("echeance", "Échéance", FieldType.DATE),
    ]
    for position, (name, label, field_type) in enumerate(questions):
        QualificationField.objects.create(
            domain_id=domain_id, version=version, name=name, label=label,
            field_type=field_type, position=position,
        )  # fmt: skip
    return version


def make_world(slug: str = "acme") -> World:
    acme = make_acme(slug)
    acme.supervisor.can_export = True
    acme.supervisor.save(update_fields=["can_export"])
    sue = person(acme, "sue", Role.SUPERVISOR, can_supervise=False)
    watchers = Team.objects.create(domain=acme.domain, name="Superviseurs support")
    watchers.members.add(sue)
    acme.support.supervision_teams.add(watchers)
    ada = person(acme, "ada", Role.ADMIN)
    acme.agent.display_name = "Alice Dupré"
    acme.agent.save(update_fields=["display_name"])
    return World(acme, acme.supervisor, sue, ada, support_script(acme.support))


@pytest.fixture
def world(db: None) -> World:
    return make_world()


def processed(
    acme: Acme,
    campaign: Campaign,
    start: datetime,
    seconds: int,
    *,
    outcome: str,
    answers: dict[str, object] | None = None,
    reopen_at: datetime | None = None,
) -> Processing:
    """A customer writes to the campaign; alice plays at `start` and qualifies `seconds` later."""
    customer_writes(acme, to=f"{campaign.slug}@acme.test")
    processing = claim_next_ticket(acme.agent, campaign, now=start).processing
    assert processing is not None
    end = start + timedelta(seconds=seconds)
    return qualify(processing, outcome=outcome, answers=answers or {}, reopen_at=reopen_at, now=end)


# The SQL of `bulk_processings` that differs between the backends: a series of numbers n,
# a time n seconds after a given one, and the answers as JSON.
SERIES = {
    "postgresql": "SELECT generate_series(0, %s - 1) AS n",
    "sqlite": "WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n + 1 < %s) "
    "SELECT n FROM s",
}
AFTER = {
    "postgresql": "%s::timestamptz + ({seconds}) * interval '1 second'",
    "sqlite": "datetime(%s, ({seconds}) || ' seconds')",
}
ANSWERS = {
    "postgresql": "jsonb_build_object('motif', 'Réclamation n°' || n, 'montant', '12.5', "
    "'rappel', true)",
    "sqlite": "json_object('motif', 'Réclamation n°' || n, 'montant', '12.5', "
    "'rappel', json('true'))",
}


def bulk_processings(
    ticket: Ticket, agent: User, count: int, *, first_end: datetime, version: ScriptVersion
) -> None:
    """`count` qualified processings of the ticket, one ending every second from
    `first_end`, each lasting 95 s, as a month of play leaves them. One INSERT … SELECT over
    a series made in SQL: a hundred thousand rows in a second or two, where building them
    as objects takes twenty."""
    vendor = connection.vendor
    # SQLite holds times as UTC text, which its datetime() reads and writes.
    end = first_end if vendor == "postgresql" else first_end.astimezone(UTC).replace(tzinfo=None)
    sql = f"""
        INSERT INTO {Processing._meta.db_table} (domain_id, ticket_id, campaign_id, agent_id,
            started_at, ended_at, end_reason, outcome_code, outcome_label, outcome_kind,
            answers, script_version_id, counted_attempt, was_unread)
        SELECT %s, %s, %s, %s, {AFTER[vendor].format(seconds="n - 95")},
            {AFTER[vendor].format(seconds="n")}, 'qualified', 'resolu', 'Résolu', 'final',
            {ANSWERS[vendor]}, %s, %s, %s
        FROM ({SERIES[vendor]}) AS numbers
    """
    params = [ticket.domain_id, ticket.pk, ticket.campaign_id, agent.pk, end, end]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, version.pk, False, False, count])
