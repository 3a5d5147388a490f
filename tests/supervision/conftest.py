"""Acme's supervisors and processings for the exports' tests.

- sam: the right to supervise (every campaign of the domain) and to export;
- sue: a supervisor of `support` only (a seat in its supervision team, no domain-wide right);
- ada: an administrator (the role's rights);
- alice: an agent (Acme's), who may not export even when given the right.
Processings are made through play (claim, then qualify with a clock), or written in bulk for
the large exports."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice

import pytest

from comptoir.campaigns.models import (
    Campaign,
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    ScriptVersion,
)
from comptoir.distribution.actions import claim_next_ticket, qualify
from comptoir.distribution.models import EndReason, Processing
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


def make_world() -> World:
    acme = make_acme()
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


def bulk_processings(
    ticket: Ticket, agent: User, count: int, *, first_end: datetime, version: ScriptVersion
) -> None:
    """`count` qualified processings of the ticket, one ending every second from
    `first_end`, each lasting 95 s, written in batches (as a month of play would leave them)."""

    def rows() -> Iterator[Processing]:
        for index in range(count):
            end = first_end + timedelta(seconds=index)
            yield Processing(
                domain_id=ticket.domain_id, ticket=ticket, campaign_id=ticket.campaign_id,
                agent=agent, started_at=end - timedelta(seconds=95), ended_at=end,
                end_reason=EndReason.QUALIFIED, outcome_code="resolu", outcome_label="Résolu",
                outcome_kind=OutcomeKind.FINAL, script_version=version,
                answers={"motif": f"Réclamation n°{index}", "montant": "12.5", "rappel": True},
            )  # fmt: skip

    batches = rows()
    while batch := list(islice(batches, 5000)):
        Processing.objects.bulk_create(batch)
