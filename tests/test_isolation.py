"""Tenants stay apart: every URL of the web UI and the API, walked by an administrator of
ANOTHER domain holding every right, with the ids of Acme's objects. Each object answers 404
(or 405 to the wrong method) and nothing of Acme's changes; pages without an object show
nothing of Acme's. New URLs are walked automatically: a parameter this test cannot fill
fails the test, so that it is taught about it."""

import json
import re
from collections.abc import Iterator
from datetime import date, time

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from comptoir.api.actions import create_token
from comptoir.campaigns.models import (
    Campaign,
    EmailTemplate,
    Holiday,
    ImapMailbox,
    OpeningHours,
    Signature,
)
from comptoir.distribution.actions import claim_next_ticket
from comptoir.imports.actions import create_import
from comptoir.imports.models import ImportJob
from comptoir.mail.ingest import ingest_email
from comptoir.scripts.models import (
    FieldType,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
    QualificationScript,
    ScriptVersion,
)
from comptoir.supervision.models import (
    AgentPresence,
    AgentStateSpan,
    Frequency,
    PauseReason,
    ScheduledReport,
)
from comptoir.tenancy.models import Domain, Role, Team, User
from comptoir.tickets.models import Attachment, Message, RawMessage, RawState, Ticket
from tests.conftest import Acme, make_acme, script_version
from tests.mail.mail_client import customer_mail

SECRET = "Acme-only secret subject"
# URLs that name no object of a domain, or that are not the UI's: walked as pages, or skipped.
# The API's catch-alls (any other address under /api/: a JSON 404) are regular expressions.
SKIPPED = ("django-admin/", "i18n/", "password-reset/<", "invitation/<", "api/v1/^", "^api")
RIGHTS = dict.fromkeys(
    [
        "can_manage_users",
        "can_manage_campaigns",
        "can_supervise",
        "can_process",
        "can_export",
        "can_use_api",
    ],
    True,
)


def routes(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


@pytest.fixture
def acme_objects(db: None) -> dict[str, str]:
    """One of each of Acme's objects, by URL parameter name."""
    acme = make_acme()
    raw = customer_mail("Claire <claire@client.test>", SECRET, "secret-1@client.test")
    number = ingest_email(raw, recipients=["support@acme.test"]).ticket
    ticket = Ticket.objects.get(domain=acme.domain, number=number)
    message = Message.objects.get(ticket=ticket)
    attachment = Attachment.objects.create(
        domain=acme.domain,
        message=message,
        filename="a.txt",
        content_type="text/plain",
        size=1,
        sha256="0" * 64,
        storage_name="attachments/none",
    )
    ingest_email(b"Subject: x\r\n\r\nnobody\r\n", recipients=["nobody@nowhere.test"])
    quarantined = RawMessage.objects.filter(state=RawState.REJECTED).first()
    processing = claim_next_ticket(acme.agent, acme.support).processing
    team = Team.objects.get(domain=acme.domain, name="Agents")
    token, _key = create_token(acme.supervisor)
    values = {
        "slug": acme.support.slug,
        "number": str(number),
        "attachment_id": str(attachment.pk),
        "raw_id": str(quarantined.pk if quarantined else 999999),
        "processing_id": str(processing.pk if processing else 999999),
        "user_id": str(acme.agent.pk),
        "team_id": str(team.pk),
        "token_id": str(token.pk),
        "address_id": str(acme.support.addresses.get().pk),
        "agent_id": str(acme.agent.pk),
        "pause_reason_id": str(PauseReason.objects.filter(domain=acme.domain)[0].pk),
        "schedule_id": str(scheduled_report(acme).pk),
    }
    return values | campaign_objects(acme.support)


def scheduled_report(acme: Acme) -> ScheduledReport:
    return ScheduledReport.objects.create(
        domain=acme.domain, name="Secret", frequency=Frequency.DAILY, created_by=acme.supervisor
    )


def campaign_objects(campaign) -> dict[str, str]:  # type: ignore[no-untyped-def]
    domain = campaign.domain
    template = EmailTemplate.objects.create(
        domain=domain, campaign=campaign, name="Secret", body="Bonjour"
    )
    mailbox = ImapMailbox.objects.create(
        domain=domain, campaign=campaign, host="127.0.0.1", username="u", password_encrypted=""
    )
    hours = OpeningHours.objects.create(
        domain=domain, campaign=campaign, weekday=0, opens=time(9), closes=time(18)
    )
    holiday = Holiday.objects.create(
        domain=domain, campaign=campaign, date=date(2030, 5, 1), name="1er mai"
    )
    outcome = QualificationOutcome.objects.create(
        domain=domain,
        version=script_version(campaign),
        code="done",
        label="Done",
        kind=OutcomeKind.FINAL,
    )
    question = QualificationField.objects.create(
        domain=domain,
        version=script_version(campaign),
        name="why",
        label="Why",
        field_type=FieldType.TEXT,
    )
    domain_holiday = Holiday.objects.create(domain=domain, date=date(2030, 7, 14), name=SECRET)
    shared = EmailTemplate.objects.create(domain=domain, name="Shared", subject=SECRET, body="x")
    signature = Signature.objects.create(domain=domain, name="Shared", text=SECRET)
    job = create_import(
        campaign=campaign, user=None, kind="mail", filename="a.mbox", content=ContentFile(b"x")
    )
    return {
        "template_id": str(template.pk),
        "shared_template_id": str(shared.pk),
        "signature_id": str(signature.pk),
        "mailbox_id": str(mailbox.pk),
        "hours_id": str(hours.pk),
        "holiday_id": str(holiday.pk),
        "domain_holiday_id": str(domain_holiday.pk),
        "outcome_id": str(outcome.pk),
        "question_id": str(question.pk),
        "script_id": str(question.version.script_id),
        "number": "1",
        "import_id": str(job.pk),
    }


@pytest.fixture
def intruder(db: None) -> User:
    domain = Domain.objects.create(slug="globex", name="Globex")
    user = User.objects.create_user(
        domain=domain, login="boss", password="pw", role=Role.ADMIN, **RIGHTS
    )
    team = Team.objects.create(domain=domain, name="Globex team")
    team.members.add(user)
    return user


def snapshot() -> list[int]:
    tables = [Ticket, Message, User, Team, EmailTemplate, ImapMailbox, OpeningHours]
    tables += [QualificationOutcome, QualificationField, Signature, Holiday]
    tables += [QualificationScript, ScriptVersion, PauseReason, AgentStateSpan, ScheduledReport]
    acme_rows = [model.objects.filter(domain__slug="acme").count() for model in tables]
    ticket = Ticket.objects.get(domain__slug="acme")
    # Deactivating, reactivating or deleting a campaign, or a signature saved by a preview.
    campaigns = Campaign.objects.filter(domain__slug="acme").order_by("pk")
    states = [hash((c.pk, c.active, c.signature)) for c in campaigns]
    # An import cancelled or re-run (a new entry) from another domain.
    imports = ImportJob.objects.filter(domain__slug="acme").order_by("pk")
    states += [hash((job.pk, job.state)) for job in imports] + [imports.count()]
    # A pause reason renamed, deactivated or moved; an agent paused or taken out of play.
    reasons = PauseReason.objects.filter(domain__slug="acme").order_by("pk")
    states += [hash((r.label, r.position, r.is_active)) for r in reasons]
    presences = AgentPresence.objects.filter(domain__slug="acme").order_by("pk")
    states += [hash((p.state, p.forced_by_id, p.forced_message)) for p in presences]
    return [*acme_rows, ticket.attempts, ticket.assignee_id or 0, hash(ticket.status), *states]


def fill(route: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, f"teach tests/test_isolation.py the URL parameter {name!r}"
        return values[name]

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", value, route)


def test_another_domains_administrator_finds_none_of_acmes_objects(
    acme_objects: dict[str, str], intruder: User
) -> None:
    client = Client(HTTP_HOST="globex.localhost")
    client.force_login(intruder)
    _token, key = create_token(intruder)
    before = snapshot()
    walked = 0
    for route in routes(get_resolver().url_patterns):
        if route.startswith(SKIPPED) or "<" not in route:
            continue
        url = fill(route, acme_objects)
        walked += 1
        for method in ("get", "post"):
            if route.startswith("api/"):
                # A well-formed body, so that the answer is about the object, not the input.
                body = {"text": "x", "outcome": "done", "answers": {}} if method == "post" else {}
                answer = getattr(client, method)(
                    url,
                    json.dumps(body) if body else None,
                    content_type="application/json",
                    headers={"Authorization": f"Bearer {key}"},
                )
            else:
                answer = getattr(client, method)(url)
            assert answer.status_code in (404, 405), f"{method.upper()} {url}: {answer.status_code}"
    assert walked >= 60
    assert snapshot() == before


def test_another_domains_pages_show_nothing_of_acme(
    acme_objects: dict[str, str], intruder: User
) -> None:
    client = Client(HTTP_HOST="globex.localhost")
    client.force_login(intruder)
    _token, key = create_token(intruder)
    for route in routes(get_resolver().url_patterns):
        if route.startswith(SKIPPED) or "<" in route or "(" in route or "logout" in route:
            continue
        headers = {"Authorization": f"Bearer {key}"} if route.startswith("api/") else {}
        answer = client.get("/" + route, headers=headers)
        assert answer.status_code in (200, 302, 403, 405), f"/{route}: {answer.status_code}"
        body = answer.content.decode("utf-8", "replace")
        assert SECRET not in body and "support@acme.test" not in body, f"/{route} leaks Acme"
        if route.startswith("api/v1/campaigns"):
            assert json.loads(body)["campaigns"] == [] or "support" not in body
