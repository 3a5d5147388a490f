"""\"My tickets\", "Assign to me" / "Remove my assignment", and who may open an assigned ticket:
its assignee and the campaign's supervisors only (404 for everybody else, list and search
included)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from comptoir.tenancy.models import Team, User
from comptoir.tickets.models import Ticket, TicketStatus
from tests.conftest import Acme
from tests.ui.conftest import add_message, client_for, make_ticket

HTMX = {"HTTP_HX_REQUEST": "true"}


def bob(acme: Acme) -> User:
    """Another agent of the same team as Alice."""
    user = User.objects.create_user(domain=acme.domain, login="bob", password="pw")
    Team.objects.get(domain=acme.domain, name="Agents").members.add(user)
    return user


def english_client(user: User):  # type: ignore[no-untyped-def]
    client = client_for(user)
    client.cookies["django_language"] = "en"
    return client


def test_my_tickets_lists_the_agents_open_tickets_with_their_state(acme: Acme) -> None:
    now = timezone.now()
    due = make_ticket(acme.support, subject="Nouveau message", assignee=acme.agent)
    later = make_ticket(acme.support, subject="Plus tard", assignee=acme.agent)
    Ticket.objects.filter(pk=later.pk).update(reopen_at=now + timedelta(days=2), has_unread=False)
    waiting = make_ticket(acme.orders, subject="Attente", assignee=acme.agent, status="waiting")
    held = make_ticket(acme.support, subject="Bloqué", assignee=acme.agent)
    hour_later = now + timedelta(hours=1)
    Ticket.objects.filter(pk=held.pk).update(blocked_until=hour_later, has_unread=False)
    make_ticket(acme.support, subject="Fermé", assignee=acme.agent, status=TicketStatus.CLOSED)
    make_ticket(acme.support, subject="Celui de Bob", assignee=bob(acme))
    make_ticket(acme.support, subject="Personne")
    page = english_client(acme.agent).get(reverse("ui:my_tickets")).text
    for ticket, state in ((due, "due"), (later, "reopen"), (waiting, "waiting"), (held, "blocked")):
        assert f'data-testid="my-ticket-{ticket.number}" data-state="{state}"' in page
    assert "Due now" in page and "Reopens on" in page and "On hold until" in page
    assert "Waiting for the customer" in page
    assert "Fermé" not in page and "Celui de Bob" not in page and "Personne" not in page


def test_my_tickets_is_empty_for_a_new_agent(acme: Acme) -> None:
    page = english_client(acme.agent).get(reverse("ui:my_tickets")).text
    assert "No ticket is assigned to you." in page


def test_an_agent_gets_404_on_another_agents_assigned_ticket_and_never_finds_it(acme: Acme) -> None:
    theirs = make_ticket(acme.support, subject="Réclamation suivie", assignee=acme.agent)
    add_message(theirs)
    other = bob(acme)
    client = client_for(other)
    assert client.get(reverse("ui:ticket", args=[theirs.number])).status_code == 404
    listing = client.get(reverse("ui:tickets")).text
    assert "Réclamation suivie" not in listing
    for query in ("Réclamation", str(theirs.number), f"#{theirs.number}", "claire@client.test"):
        found = client.get(reverse("ui:tickets"), {"q": query}).text
        assert "Réclamation suivie" not in found, query
    assert client.post(reverse("ui:assign", args=[theirs.number])).status_code == 404
    # Its assignee and the supervisors open it.
    assert client_for(acme.agent).get(reverse("ui:ticket", args=[theirs.number])).status_code == 200
    supervisor = client_for(acme.supervisor)
    assert supervisor.get(reverse("ui:ticket", args=[theirs.number])).status_code == 200


def test_assign_to_me_swaps_the_assignment_panel(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    client = english_client(acme.agent)
    response = client.post(reverse("ui:assign", args=[ticket.number]), **HTMX)
    ticket.refresh_from_db()
    assert ticket.assignee == acme.agent
    panel = response.text
    assert panel.lstrip().startswith('<section class="panel assignment" id="assignment"')
    assert "Assigned to you." in panel and 'data-testid="remove-assignment"' in panel
    assert "Done: only you will be served this ticket, and only you may open it." in panel
    response = client.post(reverse("ui:remove_assignment", args=[ticket.number]), **HTMX)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert 'data-testid="assign"' in response.text


def test_assignment_without_javascript_redirects_back(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    client = client_for(acme.agent)
    console = "/process/7/"
    response = client.post(reverse("ui:assign", args=[ticket.number]), {"next": console})
    assert response["Location"] == console
    outside = client.post(
        reverse("ui:remove_assignment", args=[ticket.number]), {"next": "https://evil.test/"}
    )
    assert outside["Location"] == reverse("ui:ticket", args=[ticket.number])


def test_removing_an_assignment_that_is_not_mine_says_so(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    response = english_client(acme.agent).post(
        reverse("ui:remove_assignment", args=[ticket.number]), **HTMX
    )
    assert "This ticket is not assigned to you." in response.text


def test_ticket_page_shows_the_assignment_buttons(acme: Acme) -> None:
    ticket = make_ticket(acme.support)
    client = client_for(acme.agent)
    page = client.get(reverse("ui:ticket", args=[ticket.number])).text
    assert 'data-testid="assign"' in page
    assert 'data-testid="steering"' not in page  # not a supervisor
