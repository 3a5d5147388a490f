"""Issue 10, finding 11: a reply accepted 20,000 Cc addresses, a relay amplifier. The reply
action caps a message's recipients (To and Cc) at COMPTOIR_MAX_RECIPIENTS, whether the reply
comes from the API or the web form, and reading a long list stays linear."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from comptoir.tickets import outbound
from comptoir.tickets.models import Message
from comptoir.tickets.outbound import ReplyError
from tests.api.conftest import ApiAcme, make_api_acme, new_ticket
from tests.security.timing import assert_linear
from tests.ui.conftest import client_for


@pytest.fixture
def world(db: None) -> ApiAcme:
    return make_api_acme()


def copies(n: int) -> list[str]:
    return [f"copie{i}@relay.test" for i in range(n)]


def replies(world: ApiAcme) -> int:
    return Message.objects.filter(domain=world.acme.domain, direction="outbound").count()


def post_reply(world: ApiAcme, number: int, cc: list[str]) -> tuple[int, dict[str, object]]:
    response = Client(raise_request_exception=False).post(
        f"/api/v1/tickets/{number}/reply",
        json.dumps({"text": "Bonjour", "cc": cc}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.alice_token}"},
    )
    return response.status_code, json.loads(response.content)


def test_twenty_thousand_cc_addresses_are_refused_by_the_api(world: ApiAcme) -> None:
    number = new_ticket(world.acme.domain).number
    assert number is not None
    status, answer = post_reply(world, number, copies(20_000))
    assert status == 400
    assert set(answer["fields"]) == {"cc"}  # type: ignore[arg-type]
    assert replies(world) == 0


def test_the_cap_counts_the_customer_too(world: ApiAcme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_RECIPIENTS = 5
    number = new_ticket(world.acme.domain).number
    assert number is not None
    assert post_reply(world, number, copies(5))[0] == 400  # the customer plus five copies
    assert post_reply(world, number, copies(4))[0] == 201
    assert replies(world) == 1


def test_the_reply_action_caps_recipients_whatever_calls_it(world: ApiAcme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_RECIPIENTS = 3
    ticket = new_ticket(world.acme.domain)
    with pytest.raises(ReplyError):
        outbound.reply(ticket, author=world.acme.agent, text="Bonjour", cc=copies(3))
    assert replies(world) == 0


def test_the_web_form_says_so_next_to_the_cc_field(world: ApiAcme, settings) -> None:  # type: ignore[no-untyped-def]
    settings.COMPTOIR_MAX_RECIPIENTS = 3
    ticket = new_ticket(world.acme.domain)
    client = client_for(world.acme.agent)
    client.cookies["django_language"] = "en"
    url = reverse("ui:ticket_reply", args=[ticket.number])
    response = client.post(url, {"text": "Bonjour", "cc": ", ".join(copies(3))})
    assert response.status_code == 200
    assert "at most 3 recipients" in response.text
    assert replies(world) == 0


def test_a_long_cc_list_is_refused_in_linear_time(world: ApiAcme) -> None:
    ticket = new_ticket(world.acme.domain)

    def attempt(cc: object) -> None:
        assert isinstance(cc, list)
        with pytest.raises(ReplyError):
            outbound.reply(ticket, author=world.acme.agent, text="Bonjour", cc=cc)

    assert_linear(attempt, copies, 20_000)
