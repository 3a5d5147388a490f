"""Issue 10, finding 15: automatic replies go to whoever a message claims to be from, so a
forger can aim them at anyone. Besides the cap per address and day, a campaign sends at most
its hourly limit of automatic replies, counted in the database, also under concurrency."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from comptoir.campaigns.models import Campaign
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Direction, Message, TicketEvent
from comptoir.ui.templatetags.comptoir_ui import event_label
from tests.concurrency import run_together
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail
from tests.ui.campaign_editor_helpers import manager
from tests.ui.conftest import client_for


def acknowledging(acme: Acme, hourly: int) -> None:
    Campaign.objects.filter(pk=acme.support.pk).update(
        auto_reply_enabled=True, auto_reply_hourly_limit=hourly
    )


def forged(n: int) -> bytes:
    """A new ticket from a different (forged) sender each time: the per-address cap never
    bites, only the campaign's."""
    return customer_mail(f"victim{n}@target.test", f"Demande {n}", f"<forged-{n}@target.test>")


def automatic_replies() -> int:
    return Message.objects.filter(direction=Direction.OUTBOUND, is_automatic=True).count()


def test_a_campaign_sends_at_most_its_hourly_limit_of_automatic_replies(acme: Acme) -> None:
    acknowledging(acme, hourly=3)
    for n in range(6):
        assert ingest_email(forged(n), recipients=["support@acme.test"]).outcome == "created"
    assert automatic_replies() == 3
    capped = TicketEvent.objects.filter(kind="auto_reply_capped")
    assert capped.count() == 3
    assert "3 automatic replies in the last hour" in capped.first().detail  # type: ignore[union-attr]
    with translation.override("fr"):
        assert event_label("auto_reply_capped") != event_label("auto_reply_skipped")
        assert "horaire" in event_label("auto_reply_capped")
    # Another campaign of the domain keeps its own allowance.
    Campaign.objects.filter(pk=acme.orders.pk).update(auto_reply_enabled=True)
    raw = customer_mail("other@target.test", "Commande", "<o@target.test>", to="orders@acme.test")
    ingest_email(raw, recipients=["orders@acme.test"])
    assert automatic_replies() == 4


def test_the_default_hourly_limit_is_a_thousand(acme: Acme) -> None:
    assert Campaign.objects.get(pk=acme.support.pk).auto_reply_hourly_limit == 1000


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingests_never_send_more_than_the_hourly_limit() -> None:
    acme = make_acme()
    acknowledging(acme, hourly=2)

    def deliver(worker: str) -> str:
        n = int(worker[1:])
        return ingest_email(forged(n), recipients=["support@acme.test"]).outcome

    assert run_together(deliver, workers=6) == ["created"] * 6
    assert automatic_replies() == 2
    assert TicketEvent.objects.filter(kind="auto_reply_capped").count() == 4


def test_the_editor_sets_the_hourly_limit(acme: Acme) -> None:
    maud: Client = client_for(manager(acme))
    page = maud.post(
        reverse("ui:manage_info", args=["support"]),
        {
            "name": "Support",
            "sender_name": "Support Acme",
            "sender_email": "",
            "reply_to": "",
            "attachment_display": "list",
            "signature": "",
            "auto_reply_daily_limit": 3,
            "auto_reply_hourly_limit": 25,
            "agent_teams": [t.pk for t in acme.support.agent_teams.all()],
        },
    )
    assert page.status_code == 302
    assert Campaign.objects.get(pk=acme.support.pk).auto_reply_hourly_limit == 25
