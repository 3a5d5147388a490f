"""Threading against an interleaved stream: no message ever joins another customer's ticket."""

from collections import defaultdict

from comptoir.mail.ingest import ingest_email
from comptoir.tickets.models import Ticket
from tests.conftest import Acme
from tests.mail.threading_stream import build_stream, tag_only


def test_every_conversation_lands_in_exactly_one_ticket_of_its_own(acme: Acme) -> None:
    stream = build_stream()
    tickets_of: dict[str, set[int]] = defaultdict(set)
    conversations_of: dict[int, set[str]] = defaultdict(set)
    kinds: set[str] = set()
    for item in stream:
        result = ingest_email(item.raw, domain=acme.domain)
        assert result.outcome in {"created", "appended"}, result
        assert result.ticket is not None
        tickets_of[item.conversation].add(result.ticket)
        conversations_of[result.ticket].add(item.conversation)
        kinds.add(item.kind)
    assert kinds >= {"new", "reply", "reply-to-reply", "references-only", "forward"}
    assert all(len(t) == 1 for t in tickets_of.values())
    assert all(len(c) == 1 for c in conversations_of.values())
    assert Ticket.objects.filter(domain=acme.domain).count() == len(tickets_of)


def test_tag_only_replies_join_for_the_owner_and_never_for_another_customer(acme: Acme) -> None:
    for item in build_stream(customers=5, steps=40):
        ingest_email(item.raw, domain=acme.domain)
    tickets = list(Ticket.objects.filter(domain=acme.domain).select_related("contact")[:10])
    for index, ticket in enumerate(tickets):
        owner = tag_only(ticket.contact.email, ticket.number or 0, f"own-{index}@exemple.fr")
        result = ingest_email(owner, domain=acme.domain)
        assert (result.outcome, result.ticket) == ("appended", ticket.number)
        intruder = tag_only("someone.else@autre.example", ticket.number or 0, f"x-{index}@a.ex")
        result = ingest_email(intruder, domain=acme.domain)
        assert result.outcome == "created"
        assert result.ticket != ticket.number
