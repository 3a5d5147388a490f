"""Issue 10, finding 8: a far-future date must not poison the domain.

`reopen_at: 9999-12-31T23:59:59-14:00` was accepted and stored as year 10000 UTC; afterwards the
ticket API, the ticket list, "My tickets" and the export answered 500. Every date an action takes
now has a documented range (comptoir.lib.dates), and a migration repairs rows written before.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.lib.dates import MAX_REOPEN_DAYS
from comptoir.mail.ingest import ingest_email
from comptoir.supervision.export import export_tickets
from comptoir.tenancy.models import User
from comptoir.tickets.models import Message, Ticket
from tests.api.conftest import Api, ApiAcme, make_api_acme, new_ticket
from tests.conftest import is_postgres

FAR_FUTURE = "9999-12-31T23:59:59-14:00"


@pytest.fixture
def world(db: None) -> ApiAcme:
    return make_api_acme()


@pytest.fixture
def api() -> Api:
    return Api()


def served(world: ApiAcme, api: Api) -> int:
    number = new_ticket(world.acme.domain).number
    assert number is not None
    assert api.post("/campaigns/support/next", world.alice_token).status == 200
    return number


def qualify_later(world: ApiAcme, api: Api, number: int, when: str) -> int:
    data = {"outcome": "reopen-later", "reopen_at": when}
    return api.post(f"/tickets/{number}/qualify", world.alice_token, data).status


def test_a_far_future_reopen_date_is_refused_by_field(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    data = {"outcome": "reopen-later", "reopen_at": FAR_FUTURE}
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, data)
    assert answer.status == 400
    assert set(answer.body["fields"]) == {"reopen_at"}
    assert Ticket.objects.get(domain=world.acme.domain, number=number).reopen_at is None
    # The ticket, the agent's and the supervisor's lists still answer.
    assert api.get(f"/tickets/{number}", world.alice_token).status == 200


def test_a_reopen_date_beyond_the_horizon_is_refused(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    beyond = timezone.now() + timedelta(days=MAX_REOPEN_DAYS + 1)
    assert qualify_later(world, api, number, beyond.isoformat()) == 400
    within = timezone.now() + timedelta(days=MAX_REOPEN_DAYS - 1)
    assert qualify_later(world, api, number, within.isoformat()) == 200


def plant_year_10000(ticket: Ticket) -> None:
    """What the unfixed code stored: the date as the database keeps it, in year 10000 UTC."""
    value = "10000-01-01 13:59:59+00" if is_postgres() else "10000-01-01 13:59:59"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET reopen_at = %s WHERE id = %s", [value, ticket.pk]
        )


def web(user: User) -> Client:
    client = Client(HTTP_HOST=f"{user.domain.slug}.localhost", raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_stored_year_10000_date_is_repaired_and_everything_answers(
    world: ApiAcme, api: Api
) -> None:
    from comptoir.tickets.repair import repair_out_of_range_dates

    ticket = new_ticket(world.acme.domain)
    ticket.assignee = world.acme.agent
    ticket.save(update_fields=["assignee"])
    plant_year_10000(ticket)
    repaired = repair_out_of_range_dates()
    assert repaired >= 1
    ticket.refresh_from_db()
    assert ticket.reopen_at is not None
    assert ticket.reopen_at <= timezone.now() + timedelta(days=MAX_REOPEN_DAYS + 1)
    assert api.get(f"/tickets/{ticket.number}", world.alice_token).status == 200
    assert [row["number"] for row in export_tickets(world.acme.domain)] == [ticket.number]
    assert web(world.acme.supervisor).get(reverse("ui:tickets")).status_code == 200
    assert web(world.acme.agent).get(reverse("ui:my_tickets")).status_code == 200


FAR_DATE_MAIL = (
    b"From: Claire <claire@client.test>\r\nTo: support@acme.test\r\nSubject: Bonjour\r\n"
    b"Message-ID: <far-date@client.test>\r\nDate: Fri, 31 Dec 9999 23:59:59 -1400\r\n\r\n"
    b"Bonjour\r\n"
)


def test_a_mail_dated_year_10000_is_filed_without_its_date(world: ApiAcme, api: Api) -> None:
    """The same poison through the front door: anyone can send a Date: header. The message is
    filed in a ticket, its date unknown (the sender's clock is not ours to trust)."""
    result = ingest_email(FAR_DATE_MAIL, domain=world.acme.domain, recipients=["support@acme.test"])
    assert result.outcome == "created", result
    message = Message.objects.get(domain=world.acme.domain, message_id="far-date@client.test")
    assert message.date is None
    assert api.get(f"/tickets/{result.ticket}", world.sam_token).status == 200
    assert [row["number"] for row in export_tickets(world.acme.domain)] == [result.ticket]
    page = web(world.acme.supervisor).get(reverse("ui:ticket", args=[result.ticket]))
    assert page.status_code == 200
