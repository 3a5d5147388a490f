"""Two replies that arrive before their common parent share one ticket, and the parent joins
it when it comes; a Message-ID named by several customers never joins their tickets."""

import pytest

from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Ticket, TicketEvent
from tests.conftest import Acme, make_acme
from tests.mail.conversation_mail import conversation, message

pytestmark = pytest.mark.django_db


def siblings_then_parent() -> list[tuple[str, bytes]]:
    """The two replies to the first message (from the colleague, then the customer), then
    the reply to a reply, and the first message last."""
    first, colleague_reply, customer_reply, last = conversation(
        "claire", to="support@acme.test", first_is_reply=False
    )
    return [colleague_reply, customer_reply, last, first]


def test_replies_before_their_parent_and_the_parent_make_one_ticket(acme: Acme) -> None:
    results = [ingest_email(raw, campaign=acme.support) for _id, raw in siblings_then_parent()]
    assert [r.outcome for r in results] == ["created", "appended", "appended", "appended"]
    ticket = Ticket.objects.get(domain=acme.domain)
    assert ticket.messages.count() == 4
    rules = TicketEvent.objects.filter(ticket=ticket).values_list("data__rule", flat=True)
    assert list(rules.order_by("pk")) == ["new", "shared-reference", "in-reply-to", "referenced-by"]
    shared = TicketEvent.objects.get(ticket=ticket, data__rule="shared-reference")
    assert "claire.0@client.test" in shared.detail


def replies_to_one_unknown_mail(customers: int) -> list[tuple[str, bytes]]:
    return [
        message(f"reader{n}", 0, to="support@acme.test", reply_to_ids=[], first_is_reply=True)
        for n in range(customers)
    ]


def test_customers_answering_one_mail_comptoir_never_got_each_get_a_ticket(acme: Acme) -> None:
    for _id, raw in replies_to_one_unknown_mail(4):
        assert ingest_email(raw, campaign=acme.support).outcome == "created"
    assert Ticket.objects.filter(domain=acme.domain).count() == 4


def test_a_stranger_naming_the_parent_of_a_ticket_opens_a_ticket_of_their_own(
    acme: Acme,
) -> None:
    _first, colleague_reply, _customer, _last = conversation(
        "claire", to="support@acme.test", first_is_reply=False
    )
    ingest_email(colleague_reply[1], campaign=acme.support)
    stranger = message("mallory", 0, to="support@acme.test", reply_to_ids=[], first_is_reply=False)
    raw = stranger[1].replace(
        b"Message-ID:", b"In-Reply-To: <claire.0@client.test>\nMessage-ID:", 1
    )
    assert ingest_email(raw, campaign=acme.support).outcome == "created"
    assert Ticket.objects.filter(domain=acme.domain).count() == 2


def mixed() -> list[tuple[str, bytes]]:
    items = siblings_then_parent() + replies_to_one_unknown_mail(3)
    items += conversation("bruno", to="support@acme.test", first_is_reply=True)[1:]
    return [(message_id, raw) for message_id, raw in items]


@pytest.mark.parametrize("batch_size", [1, 3, 200])
def test_the_bulk_path_files_siblings_like_one_by_one_ingest(acme: Acme, batch_size: int) -> None:
    globex = make_acme("globex")
    items = mixed()
    one_by_one = [ingest_email(raw, campaign=acme.support) for _label, raw in items]
    bulk = [r for _l, r in ingest_many(items, campaign=globex.support, batch_size=batch_size)]
    assert [(r.outcome, r.ticket, r.reason) for r in bulk] == [
        (r.outcome, r.ticket, r.reason) for r in one_by_one
    ]
    assert Ticket.objects.filter(domain=globex.domain).count() == 5
