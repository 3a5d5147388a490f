"""`comptoir demo`: the names outside checks rely on, and idempotence."""

from io import StringIO

from django.core.management import call_command

from comptoir.campaigns.models import Campaign, EmailTemplate, InboundAddress
from comptoir.distribution.actions import claim_next_ticket
from comptoir.scripts.frozen import script_for
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.access import supervised_campaigns
from comptoir.tickets.models import DeliveryState, Direction, Message, Ticket


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
    # The demo's supervisor supervises its campaigns through the Supervision team (issue 13:
    # the supervise right alone gives none).
    superviseur = User.objects.get(domain=domain, login="superviseur")
    assert {c.slug for c in supervised_campaigns(superviseur)} == {"support", "commandes"}
    assert superviseur.teams.filter(name="Supervision").exists()
    tickets, messages = Ticket.objects.count(), Message.objects.count()
    assert tickets >= 24
    assert messages > tickets  # some tickets have follow-ups threaded in
    assert "password 'demo'" in out.getvalue()
    call_command("demo", agents=4, stdout=StringIO())
    assert (Ticket.objects.count(), Message.objects.count()) == (tickets, messages)
    assert User.objects.filter(domain=domain).count() == 6


def test_demo_support_campaign_acknowledges_its_new_tickets_with_its_template(db: None) -> None:
    call_command("demo", agents=2, stdout=StringIO())
    support = Campaign.objects.get(domain__slug="demo", slug="support")
    assert support.auto_reply_enabled and support.auto_reply_template is not None
    assert support.signature
    tags = set(EmailTemplate.objects.filter(campaign=support).values_list("tag", flat=True))
    assert len(tags) >= 2  # the agent's picker shows them grouped by tag
    for template in EmailTemplate.objects.all():
        template.full_clean()  # the demo's own templates pass the editor's checks
    opened = Ticket.objects.filter(campaign=support, is_automatic=False).count()
    acks = Message.objects.filter(
        ticket__campaign=support, direction=Direction.OUTBOUND, is_automatic=True
    )
    # At most three acknowledgements per customer a day: the demo's 12 customers write often.
    assert 0 < acks.count() <= opened
    assert all(m.delivery_state == DeliveryState.QUEUED for m in acks)
    assert "numéro de ticket" in acks.first().text  # type: ignore[union-attr]
    orders = Campaign.objects.get(domain__slug="demo", slug="commandes")
    assert not Message.objects.filter(ticket__campaign=orders, direction=Direction.OUTBOUND)


def test_demo_campaigns_have_qualification_scripts_and_play_rules(db: None) -> None:
    call_command("demo", agents=2, stdout=StringIO())
    support = Campaign.objects.get(domain__slug="demo", slug="support")
    script = script_for(support)
    kinds = {outcome.kind for outcome in script.outcomes}
    assert kinds == {"final", "reopen_later", "waiting_customer", "not_finished"}
    assert "A réouvrir plus tard" in [outcome.label for outcome in script.outcomes]
    assert [q.name for q in script.questions if q.required] == ["motif"]
    orders = Campaign.objects.get(domain__slug="demo", slug="commandes")
    assert len(script_for(orders).outcomes) == 4  # the standard outcomes
    agent = User.objects.get(domain__slug="demo", login="agent1")
    served = claim_next_ticket(agent, support)
    assert served.ticket is not None and served.ticket.campaign == support
