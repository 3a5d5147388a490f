"""What supervisors do from the ticket page and the list of flagged tickets: reassign,
unassign, unlock, requeue. Only those who supervise the campaign see the buttons, and the
views refuse everybody else (403)."""

from django.urls import reverse

from comptoir.distribution.actions import claim_next_ticket
from comptoir.distribution.models import EndReason, Processing
from comptoir.tenancy.models import Team, User
from comptoir.tickets.models import Ticket
from tests.conftest import Acme, make_acme
from tests.ui.conftest import add_message, client_for, make_ticket


def bob(acme: Acme) -> User:
    user = User.objects.create_user(domain=acme.domain, login="bob", password="pw")
    Team.objects.get(domain=acme.domain, name="Agents").members.add(user)
    return user


def flagged_ticket(acme: Acme, **fields: object) -> Ticket:
    ticket = make_ticket(acme.support, subject="Trop de tentatives", **fields)  # type: ignore[arg-type]
    Ticket.objects.filter(pk=ticket.pk).update(flagged=True, attempts=5)
    ticket.refresh_from_db()
    return ticket


def test_supervisor_sees_the_steering_buttons_and_an_agent_does_not(acme: Acme) -> None:
    ticket = make_ticket(acme.support, assignee=acme.agent)
    url = reverse("ui:ticket", args=[ticket.number])
    page = client_for(acme.supervisor).get(url).text
    for testid in ("steering", "reassign", "reassign-agent", "unassign"):
        assert f'data-testid="{testid}"' in page
    assert 'data-testid="steering"' not in client_for(acme.agent).get(url).text


def test_supervisor_reassigns_a_ticket_to_an_agent_of_the_campaign(acme: Acme) -> None:
    ticket = make_ticket(acme.support, assignee=acme.agent)
    other = bob(acme)
    client = client_for(acme.supervisor)
    response = client.post(reverse("ui:reassign", args=[ticket.number]), {"agent": other.pk})
    assert response["Location"] == reverse("ui:ticket", args=[ticket.number])
    ticket.refresh_from_db()
    assert ticket.assignee == other
    # Someone outside the campaign's teams is not offered, nor accepted.
    outsider = User.objects.create_user(domain=acme.domain, login="zoe", password="pw")
    client.post(reverse("ui:reassign", args=[ticket.number]), {"agent": outsider.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == other


def test_supervisor_unassigns_unlocks_and_requeues(acme: Acme) -> None:
    ticket = flagged_ticket(acme, assignee=acme.agent)
    Ticket.objects.filter(pk=ticket.pk).update(flagged=False, attempts=0)
    served = claim_next_ticket(acme.agent, acme.support)
    assert served.ticket == ticket
    client = client_for(acme.supervisor)
    client.post(reverse("ui:unlock", args=[ticket.number]))
    ticket.refresh_from_db()
    assert ticket.locked_by is None
    assert Processing.objects.get(ticket=ticket).end_reason == EndReason.UNLOCKED
    client.post(reverse("ui:unassign", args=[ticket.number]))
    ticket.refresh_from_db()
    assert ticket.assignee is None
    Ticket.objects.filter(pk=ticket.pk).update(flagged=True, attempts=5)
    client.post(reverse("ui:requeue", args=[ticket.number]))
    ticket.refresh_from_db()
    assert not ticket.flagged and ticket.attempts == 0


def test_agents_may_not_steer(acme: Acme) -> None:
    ticket = flagged_ticket(acme)
    client = client_for(acme.agent)
    for name in ("unassign", "unlock", "requeue"):
        assert client.post(reverse(f"ui:{name}", args=[ticket.number])).status_code == 403
    reassign = client.post(reverse("ui:reassign", args=[ticket.number]), {"agent": acme.agent.pk})
    assert reassign.status_code == 403
    ticket.refresh_from_db()
    assert ticket.flagged and ticket.assignee is None
    assert client.get(reverse("ui:flagged")).status_code == 403


def test_steering_a_ticket_of_another_domain_is_not_found(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = flagged_ticket(globex)
    response = client_for(acme.supervisor).post(reverse("ui:requeue", args=[theirs.number]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.flagged


def test_flagged_list_shows_the_flagged_tickets_of_supervised_campaigns(acme: Acme) -> None:
    ticket = flagged_ticket(acme)
    add_message(ticket)
    make_ticket(acme.support, subject="Ordinaire")
    client = client_for(acme.supervisor)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("ui:flagged")).text
    assert f'data-testid="flagged-{ticket.number}"' in page and "Trop de tentatives" in page
    assert "Ordinaire" not in page
    assert "5 / 5" in page
    response = client.post(
        reverse("ui:requeue", args=[ticket.number]), {"next": reverse("ui:flagged")}
    )
    assert response["Location"] == reverse("ui:flagged")
    assert "Trop de tentatives" not in client.get(reverse("ui:flagged")).text


def test_a_supervision_team_member_steers_only_their_campaigns(acme: Acme) -> None:
    watcher = bob(acme)
    watchers = Team.objects.create(domain=acme.domain, name="Veille support")
    watchers.members.add(watcher)
    acme.support.supervision_teams.add(watchers)
    supported = flagged_ticket(acme)
    orders = make_ticket(acme.orders, subject="Commande bloquée")
    Ticket.objects.filter(pk=orders.pk).update(flagged=True, attempts=5)
    client = client_for(watcher)
    page = client.get(reverse("ui:flagged")).text
    assert "Trop de tentatives" in page and "Commande bloquée" not in page
    assert client.post(reverse("ui:requeue", args=[orders.number])).status_code == 403
    assert client.post(reverse("ui:requeue", args=[supported.number])).status_code == 302
    assert (
        'data-testid="steering"' in client.get(reverse("ui:ticket", args=[supported.number])).text
    )
