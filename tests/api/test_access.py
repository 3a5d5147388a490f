"""Who sees what: a ticket assigned to someone else, and other domains, do not exist."""

import pytest

from comptoir.distribution.actions import assign_to_me
from comptoir.tickets.models import Message
from tests.api.conftest import Api, ApiAcme, make_api_acme, new_ticket

# Every endpoint on one ticket: (method, path suffix, body).
TICKET_CALLS = [
    ("GET", "", None),
    ("POST", "/assign", None),
    ("DELETE", "/assign", None),
    ("POST", "/reply", {"text": "Bonjour"}),
    ("POST", "/notes", {"text": "note"}),
    ("POST", "/qualify", {"outcome": "done"}),
    ("POST", "/release", None),
    ("POST", "/heartbeat", None),
]


@pytest.mark.parametrize(("method", "suffix", "data"), TICKET_CALLS)
def test_ticket_assigned_to_alice_is_404_for_bob_through_every_endpoint(
    world: ApiAcme, api: Api, method: str, suffix: str, data: object
) -> None:
    ticket = new_ticket(world.acme.domain)
    assign_to_me(ticket, world.acme.agent)
    answer = api.call(method, f"/tickets/{ticket.number}{suffix}", world.bob_token, data)
    assert answer.status == 404
    assert answer.body["error"]


def test_ticket_assigned_to_alice_is_open_to_her_and_to_a_supervisor(
    world: ApiAcme, api: Api
) -> None:
    ticket = new_ticket(world.acme.domain)
    assign_to_me(ticket, world.acme.agent)
    for token in [world.alice_token, world.sam_token]:
        assert api.get(f"/tickets/{ticket.number}", token).status == 200
        note = api.post(f"/tickets/{ticket.number}/notes", token, {"text": "vu"})
        assert note.status == 201
    assert Message.objects.filter(ticket=ticket, direction="note").count() == 2


def test_bob_is_never_served_alices_ticket(world: ApiAcme, api: Api) -> None:
    ticket = new_ticket(world.acme.domain)
    assign_to_me(ticket, world.acme.agent)
    answer = api.post("/campaigns/support/next", world.bob_token)
    assert answer.body["ticket"] is None
    assert api.post("/campaigns/support/next", world.alice_token).body["ticket"]["number"] == (
        ticket.number
    )


def test_a_token_never_reaches_another_domains_ticket_of_the_same_number(
    world: ApiAcme, api: Api
) -> None:
    globex = make_api_acme("globex")
    ours = new_ticket(world.acme.domain, subject="Acme")
    theirs = new_ticket(globex.acme.domain, subject="Globex")
    other = new_ticket(globex.acme.domain, subject="Globex 2")
    assert ours.number == theirs.number
    answer = api.get(f"/tickets/{ours.number}", world.alice_token)
    assert answer.body["subject"] == "Acme"
    assert api.get(f"/tickets/{other.number}", world.alice_token).status == 404
    # The host names globex: the domain is still the token's.
    response = api.client.get(
        f"/api/v1/tickets/{ours.number}",
        headers={"Authorization": f"Bearer {world.alice_token}"},
        HTTP_HOST="globex.localhost",
    )
    assert response.json()["subject"] == "Acme"
    for method, suffix, data in TICKET_CALLS:
        call = api.call(method, f"/tickets/{other.number}{suffix}", world.alice_token, data)
        assert call.status == 404, (method, suffix)
    assert api.post("/campaigns/support/next", globex.alice_token).body["ticket"]["subject"] == (
        "Globex"
    )
