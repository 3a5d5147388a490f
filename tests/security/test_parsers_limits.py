"""Parser limits through the real ingest paths (issue 10, findings 12 and 17).

A mail with 200,000 References must not become 200,000 rows; a mail nested deeper than Python's
recursion must be stored and quarantined with the depth reason, not as an "internal error".
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import ingest_email
from comptoir.mail.parse import ParseLimitError, parse_email
from comptoir.tickets.models import MessageReference, RawMessage, RawState, Ticket
from tests.conftest import Acme
from tests.ui.conftest import client_for

MANY = 200_000


def mail(message_id: str, *, references: bytes = b"", subject: str = "Question") -> bytes:
    head = (
        f"From: Claire <claire@client.test>\nTo: support@acme.test\nSubject: {subject}\n"
        f"Message-ID: <{message_id}>\n"
    ).encode()
    if references:
        head += b"References: " + references + b"\n"
    return head + b"Content-Type: text/plain; charset=utf-8\n\nBonjour\n"


def junk_ids(count: int) -> bytes:
    return b" ".join(b"<junk-%d@attacker.test>" % i for i in range(count))


def references_rows(message_id: str) -> int:
    return MessageReference.objects.filter(message__message_id=message_id).count()


def test_two_hundred_thousand_references_keep_a_bounded_number_of_rows(acme: Acme) -> None:
    root = ingest_email(mail("root@client.test"), domain=acme.domain)
    parent = ingest_email(mail("parent@client.test", subject="Autre"), domain=acme.domain)
    # The thread's root first: threading still finds it after the middle is dropped.
    by_root = mail("r1@client.test", references=b"<root@client.test> " + junk_ids(MANY))
    assert len(by_root) > 4_000_000
    result = ingest_email(by_root, domain=acme.domain)
    assert (result.outcome, result.ticket) == ("appended", root.ticket)
    assert references_rows("r1@client.test") == 100
    # The direct parent last (the most recent id).
    by_parent = mail("r2@client.test", references=junk_ids(MANY) + b" <parent@client.test>")
    result = ingest_email(by_parent, domain=acme.domain)
    assert (result.outcome, result.ticket) == ("appended", parent.ticket)
    assert references_rows("r2@client.test") == 100


def test_the_bulk_path_keeps_the_same_bounded_references(acme: Acme) -> None:
    items = [
        ("root", mail("root@client.test")),
        ("reply", mail("r1@client.test", references=b"<root@client.test> " + junk_ids(MANY))),
    ]
    results = [result for _label, result in ingest_many(items, domain=acme.domain)]
    assert [r.outcome for r in results] == ["created", "appended"]
    assert results[1].ticket == results[0].ticket
    assert references_rows("r1@client.test") == 100


@override_settings(COMPTOIR_MAX_REFERENCES=3)
def test_the_references_kept_are_the_first_and_the_most_recent() -> None:
    raw = mail("m@client.test", references=b"<a@x> <b@x> <c@x> <d@x> <e@x>")
    assert parse_email(raw).references == ["a@x", "d@x", "e@x"]


def test_a_long_references_header_is_read_only_at_both_ends() -> None:
    ids = b"<first@x> " + b"<" + b"m" * 5_000_000 + b"@x> <last@x>"
    parsed = parse_email(mail("m@client.test", references=ids))
    assert parsed.references == ["first@x", "last@x"]


def broken_boundaries(levels: int) -> bytes:
    """Multiparts without a boundary parameter: only the recovery path can split them."""
    opening = b"".join(b"--s%d\nContent-Type: multipart/mixed\n\n" % i for i in range(levels))
    return (
        b"From: claire@client.test\nTo: support@acme.test\nSubject: deep\n"
        b"Message-ID: <deep@client.test>\nContent-Type: multipart/mixed\n\n"
        + opening
        + b"--e\nContent-Type: text/plain\n\nx\n"
    )


DEPTH_REASON = "message nests MIME parts more than 20 deep (limit COMPTOIR_MAX_MIME_DEPTH)"


@pytest.mark.parametrize("levels", [25, 400, 3_000])
def test_deep_broken_boundaries_are_quarantined_with_the_depth_reason(
    acme: Acme, levels: int
) -> None:
    raw = broken_boundaries(levels)
    result = ingest_email(raw, domain=acme.domain)
    assert (result.outcome, result.reason) == ("quarantined", DEPTH_REASON)
    stored = RawMessage.objects.get(pk=result.raw_id)
    assert (bytes(stored.content), stored.state) == (raw, RawState.QUARANTINED)
    assert not Ticket.objects.exists()


def test_a_few_broken_boundaries_are_still_recovered(acme: Acme) -> None:
    result = ingest_email(broken_boundaries(5), domain=acme.domain)
    assert result.outcome == "created"


def test_the_recovery_counts_parts_too() -> None:
    parts = b"".join(b"--s\nContent-Type: text/plain\n\npart %d\n" % i for i in range(50))
    raw = b"From: a@b.test\nContent-Type: multipart/mixed\n\n" + parts
    with pytest.raises(ParseLimitError, match="more than 10 MIME parts"):
        parse_email(raw, max_parts=10)


@pytest.mark.parametrize("levels", [25, 3_000])
def test_deeply_nested_forwarded_messages_are_a_depth_limit(levels: int) -> None:
    raw = b"From: a@b.test\n" + b"Content-Type: message/rfc822\n\nFrom: a@b.test\n" * levels
    with pytest.raises(ParseLimitError) as error:
        parse_email(raw + b"\nbottom\n", max_parts=10_000)
    assert error.value.reason == DEPTH_REASON


def test_the_supervisor_reads_the_depth_reason_in_french(acme: Acme) -> None:
    ingest_email(broken_boundaries(400), domain=acme.domain)
    page = client_for(acme.supervisor).get(reverse("ui:quarantine")).text
    assert "message imbriqué trop profondément : plus de 20 niveaux de parties MIME" in page
    assert "RecursionError" not in page and "internal error" not in page
