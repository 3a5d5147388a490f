"""Acknowledging a run of new tickets together (tickets.auto_reply.acknowledge_run) decides and
writes exactly what acknowledging them one by one does, counting the run's own replies against
the daily and hourly limits; and concurrent runs near the hourly limit never cross it."""

import pytest

from comptoir.campaigns.models import Campaign, EmailTemplate
from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import ingest_email
from comptoir.tickets import auto_reply
from comptoir.tickets.models import Contact, Direction, Message, TicketEvent
from tests.concurrency import run_together
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail, parse


def set_up(acme: Acme) -> None:
    """Support acknowledges with the default text (daily limit 2, hourly 7), signed with the
    customer's name; orders with a template but a foreign sender; an English customer."""
    Campaign.objects.filter(pk=acme.support.pk).update(
        auto_reply_enabled=True,
        auto_reply_daily_limit=2,
        auto_reply_hourly_limit=7,
        signature="Pour {{ customer_name }} : {{ campaign_name }}",
        reply_to=f"reponses@{acme.domain.slug}.test",
    )
    template = EmailTemplate.objects.create(
        domain=acme.domain, name="Reçu", subject="Reçu n°{{ ticket_number }}", body="{{ today }}"
    )
    Campaign.objects.filter(pk=acme.orders.pk).update(
        auto_reply_enabled=True, auto_reply_template=template, sender_email="orders@foreign.test"
    )
    Contact.objects.create(domain=acme.domain, email="john@client.test", language="en")


def mix(slug: str) -> list[tuple[str, bytes]]:
    """New requests to the domain `slug`: people, an automatic mail, a no-reply address, an
    address Comptoir receives mail on, one customer writing four times (daily limit 2), more
    acknowledgeable tickets than the hourly limit (7), a campaign whose sender is foreign."""
    senders = [
        "Claire Martin <claire@client.test>",
        "John Smith <john@client.test>",
        "noreply@shop.test",
        "claire@client.test",
        "Support tiers <support@third.test>",
        "Zoé Lefèvre <zoe@client.test>",
        "claire@client.test",
        "bruno@client.test",
        "claire@client.test",
        "anna@client.test",
        "marc@client.test",
        "lea@client.test",
        "paul@client.test",
        "ines@client.test",
    ]
    items = [
        (f"m{n}", customer_mail(sender, f"Demande {n} à traiter", f"m{n}@client.test"))
        for n, sender in enumerate(senders)
    ]
    robot = customer_mail("robot@shop.test", "Alerte", "r@shop.test", Auto_Submitted="auto-sent")
    items.insert(12, ("robot", robot))  # after claire's third: one run
    orders = customer_mail("kim@client.test", "Commande", "o@client.test", to=f"orders@{slug}.test")
    items.insert(3, ("orders", orders))
    return [(label, raw.replace(b"@acme.test", f"@{slug}.test".encode())) for label, raw in items]


def replies(acme: Acme) -> list[tuple]:
    rows = Message.objects.filter(domain=acme.domain, direction=Direction.OUTBOUND)
    seen = []
    for m in rows.select_related("ticket", "raw").order_by("pk"):
        sent = parse(bytes(m.raw.content))  # type: ignore[union-attr]
        headers = [sent[h] for h in ("To", "Subject", "In-Reply-To", "Content-Language")]
        reply_to = sent["Reply-To"].replace(acme.domain.slug, "DOMAIN")
        seen.append((m.ticket.number, m.to, m.subject, m.text, m.references, reply_to, headers))
    return seen


def history(acme: Acme) -> list[tuple[int, str, str]]:
    events = TicketEvent.objects.filter(domain=acme.domain, kind__startswith="auto_reply")
    return [(e.ticket.number, e.kind, e.detail) for e in events.order_by("pk")]


def test_a_run_decides_and_writes_what_one_by_one_does(db: None) -> None:
    one, run = make_acme("acme"), make_acme("globex")
    make_acme("third")
    for acme in (one, run):
        set_up(acme)
    for label, raw in mix("acme"):
        ingest_email(raw, domain=one.domain, source=label)
    results = [r for _label, r in ingest_many(mix("globex"), domain=run.domain)]
    assert [r.outcome for r in results] == ["created"] * len(results)
    expected = history(one)
    assert history(run) == expected
    assert replies(run) == replies(one)
    kinds = [kind for _n, kind, _d in expected]
    assert kinds.count("auto_reply_queued") == 7  # the hourly limit, reached inside the run
    assert kinds.count("auto_reply_capped") == 3
    details = " | ".join(detail for _n, _k, detail in expected)
    for reason in (
        "the message is automatic",
        "noreply@shop.test is a no-reply address",
        "support@third.test is an address Comptoir receives mail on",
        "claire@client.test already got 2 automatic replies in 24 hours",
        "orders@foreign.test is not in one of the domain's mail domains",
    ):
        assert reason in details
    english = [r for r in replies(run) if r[1][0]["email"] == "john@client.test"]
    assert english[0][3].startswith("Hello John Smith,")
    assert "Pour John Smith : Support" in english[0][3]


def forged(worker: str, n: int) -> bytes:
    return customer_mail(f"victim{n}@{worker}.test", f"Demande {n}", f"<{worker}-{n}@x.test>")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("margin", [auto_reply.UNLOCKED_MARGIN, -10_000])
def test_concurrent_runs_near_the_hourly_limit_never_cross_it(
    margin: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs of four new tickets at once, three replies left in the hour. With a margin
    of -10,000 the campaign row is never locked: the counts stay exact because every run has
    numbered its tickets first, which holds the domain's counter row until it commits."""
    monkeypatch.setattr(auto_reply, "UNLOCKED_MARGIN", margin)
    acme = make_acme()
    Campaign.objects.filter(pk=acme.support.pk).update(
        auto_reply_enabled=True, auto_reply_hourly_limit=5
    )
    for n in range(2):
        ingest_email(forged("before", n), recipients=["support@acme.test"])

    def deliver(worker: str) -> list[str]:
        support = Campaign.objects.select_related("domain").get(pk=acme.support.pk)
        items = [(f"{worker}-{n}", forged(worker, n)) for n in range(4)]
        return [r.outcome for _label, r in ingest_many(items, campaign=support)]

    assert run_together(deliver, workers=2) == [["created"] * 4] * 2
    automatic = Message.objects.filter(direction=Direction.OUTBOUND, is_automatic=True)
    assert automatic.count() == 5
    assert TicketEvent.objects.filter(kind="auto_reply_capped").count() == 5
