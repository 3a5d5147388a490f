"""`comptoir demo`: the names outside checks rely on, and idempotence."""

from io import StringIO

from django.core.management import call_command

from comptoir.campaigns.models import InboundAddress
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.models import Message, Ticket


def test_demo_creates_the_documented_names_and_running_it_twice_changes_nothing(db: None) -> None:
    out = StringIO()
    call_command("demo", agents=4, stdout=out)
    domain = Domain.objects.get(slug="demo")
    logins = set(User.objects.filter(domain=domain).values_list("login", flat=True))
    assert logins == {"admin", "superviseur", "agent1", "agent2", "agent3", "agent4"}
    assert User.objects.get(domain=domain, login="agent1").check_password("demo")
    addresses = dict(InboundAddress.objects.values_list("address", "campaign__slug"))
    assert addresses == {
        "support@demo.localhost": "support",
        "commandes@demo.localhost": "commandes",
    }
    assert domain.teams.count() >= 2
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    assert tickets >= 24
    assert messages > tickets  # some tickets have follow-ups threaded in
    assert "password 'demo'" in out.getvalue()
    call_command("demo", agents=4, stdout=StringIO())
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)
    assert User.objects.filter(domain=domain).count() == 6
