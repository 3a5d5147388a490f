"""Ticket history in the reader's language (issue 12): every kind, rule and refusal is said in
French and in English, the French with no English left in it; the English is the stable form."""

import re
from typing import Any

import pytest

from comptoir.tickets.actions import event_row
from comptoir.tickets.history import REFUSALS, RULES, refusal, rule, sentence
from comptoir.tickets.models import EventKind, Ticket

# Parameters for every threading rule and every refusal: a new one must get its words here.
RULE_DATA: dict[str, dict[str, Any]] = {
    "new": {},
    "in-reply-to": {"message_id": "req-1@exemple.fr"},
    "references": {"message_id": "req-1@exemple.fr"},
    "referenced-by": {"message_id": "req-1@exemple.fr"},
    "shared-reference": {"message_id": "req-1@exemple.fr"},
    "subject-tag": {"number": 12, "sender": "claire@client.test"},
}
REFUSAL_DATA: dict[str, dict[str, Any]] = {
    "automatic": {"why": "null envelope sender (<>)"},
    "unwritable": {"address": "claire@"},
    "no-reply": {"address": "noreply@client.test"},
    "receiving": {"address": "support@acme.test"},
    "daily-limit": {"address": "claire@client.test", "limit": 3},
    "hourly-limit": {"campaign": "Support", "limit": 50},
    "no-sender": {"campaign": "Support"},
    "foreign-sender": {"address": "orders@foreign.test"},
    "reply-error": {"error": "Campaign Support cannot send."},
}
# Every kind, with each shape of parameters it is written with.
KIND_DATA: dict[str, list[dict[str, Any]]] = {
    EventKind.TICKET_CREATED: [
        {"rule": "new"},
        {
            "rule": "new",
            "ignored": [
                {"number": 7, "why": "no-ticket"},
                {"number": 8, "why": "not-participant", "sender": "eve@client.test"},
                {"number": 9, "why": "not-participant", "sender": ""},
            ],
        },
    ],
    EventKind.MESSAGE_APPENDED: [{"rule": code, **data} for code, data in RULE_DATA.items()],
    EventKind.TICKET_REOPENED: [{"previous": "closed"}, {"previous": "waiting"}],
    EventKind.REPLY_QUEUED: [{"to": ["claire@client.test", "paul@client.test"]}],
    EventKind.NOTE_ADDED: [{}],
    EventKind.AUTO_REPLY_QUEUED: [{"address": "claire@client.test"}],
    EventKind.AUTO_REPLY_SKIPPED: [{"reason": code, **data} for code, data in REFUSAL_DATA.items()],
    EventKind.AUTO_REPLY_CAPPED: [{"reason": "hourly-limit", "campaign": "Support", "limit": 1}],
    EventKind.DELIVERY_FAILED: [
        {"rule": "smtp", "error": "550 5.1.1 no such user"},
        {"rule": "smtp", "error": "421 try later", "attempts": 3},
        {"rule": "delivery-report", "message_id": "r1@acme.test", "status": "5.1.1"},
        {"rule": "delivery-report", "message_id": "r1@acme.test"},
        {"rule": "smtp", "error": "x", "problem": {"kind": "answer", "answer": "550 5.1.1 no"}},
        {
            "rule": "smtp",
            "error": "x",
            "attempts": 3,
            "problem": {"kind": "connection", "server": "smtp://mx:25", "error": "timed out"},
        },
    ],
    EventKind.DELIVERY_PARTIAL: [{"rule": "smtp", "refused": {"x@client.test": "550 no"}}],
    EventKind.PROCESSING_STARTED: [{}],
    EventKind.PROCESSING_QUALIFIED: [{"outcome": "Résolu", "code": "done"}],
    EventKind.PROCESSING_RELEASED: [{}],
    EventKind.PROCESSING_TAKEN_BACK: [
        {"agent": "alice", "supervisor": "sam", "state": "paused", "why": "Réunion"},
        {"agent": "alice", "supervisor": "sam", "state": "offline", "why": "Fin de service"},
    ],
    EventKind.RELEASED_IDLE: [{"seconds": 60}, {"seconds": 600}],
    EventKind.LOCK_EXPIRED: [{}],
    EventKind.MAX_ATTEMPTS_REACHED: [{"attempts": 1}, {"attempts": 4}],
    EventKind.ASSIGNED: [{"agent": "alice"}],
    EventKind.UNASSIGNED: [{}, {"agent": "alice"}],
    EventKind.REASSIGNED: [{"agent": "bob"}],
    EventKind.UNLOCKED: [{}],
    EventKind.REQUEUED: [{}],
}
# Words that are the same in both languages: names, headers, and French words English shares.
SHARED = {
    "message",
    "ticket",
    "note",
    "console",
    "comptoir",
    "message-id",
    "in-reply-to",
    "references",
    "no-reply",
    "support",
    "agent",
    "minute",
    "minutes",
}


def leaves(value: object) -> list[str]:
    """Every parameter value (and key of a mapping of values) as text, longest first."""
    if isinstance(value, dict):
        found = [str(k) for k in value] + [v for item in value.values() for v in leaves(item)]
    elif isinstance(value, list):
        found = [v for item in value for v in leaves(item)]
    else:
        found = [str(value)]
    return sorted(found, key=len, reverse=True)


def words(text: str, data: dict[str, Any]) -> set[str]:
    """The sentence's own words: the parameters (addresses, names, server replies) removed."""
    values = [v for k, v in data.items() if k not in ("rule", "reason")]
    for value in sorted(leaves(values), key=len, reverse=True):
        text = text.replace(value, " ")
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ'-]{4,}", text)} - SHARED


def check_both(kind: str, data: dict[str, Any]) -> None:
    english, french = sentence(kind, data, "en"), sentence(kind, data, "fr")
    assert english and french, (kind, data)
    assert english != french, (kind, data)
    assert not words(english, data) & words(french, data), (kind, data, english, french)


def test_every_kind_is_said_in_french_and_in_english() -> None:
    assert set(KIND_DATA) == set(EventKind.values)
    for kind, shapes in KIND_DATA.items():
        for data in shapes:
            check_both(kind, data)


def test_every_threading_rule_and_refusal_has_both_languages() -> None:
    assert set(RULE_DATA) == set(RULES)
    assert set(REFUSAL_DATA) == set(REFUSALS)
    for code, data in RULE_DATA.items():
        check_both(EventKind.MESSAGE_APPENDED, {"rule": code, **data})
    for code, data in REFUSAL_DATA.items():
        check_both(EventKind.AUTO_REPLY_SKIPPED, {"reason": code, **data})


def test_the_english_form_is_the_sentence_history_used_to_store() -> None:
    said = sentence(
        EventKind.MESSAGE_APPENDED, RULE_DATA["in-reply-to"] | {"rule": "in-reply-to"}, "en"
    )
    assert said == "matched In-Reply-To header <req-1@exemple.fr>"
    capped = {"reason": "hourly-limit", "campaign": "Support", "limit": 3}
    assert sentence(EventKind.AUTO_REPLY_CAPPED, capped, "en") == (
        "no automatic reply: campaign Support already sent 3 automatic replies in the last hour"
    )
    assert sentence(EventKind.AUTO_REPLY_CAPPED, capped, "fr") == (
        "pas de réponse automatique : la campagne Support a déjà envoyé 3 réponses "
        "automatiques dans l'heure écoulée"
    )


def test_a_reason_is_its_english_words_and_carries_its_parameters() -> None:
    why = refusal("no-reply", address="noreply@client.test")
    assert why == "noreply@client.test is a no-reply address"
    assert why.data == {"reason": "no-reply", "address": "noreply@client.test"}
    assert rule("new").data == {"rule": "new"}


def test_a_row_from_before_parameters_is_shown_as_it_was_written() -> None:
    old = {"rule": "new", "text": "new ticket: no known Message-ID referenced"}
    for language in ("fr", "en"):
        assert sentence(EventKind.TICKET_CREATED, old, language) == old["text"]


def test_history_has_no_free_kinds() -> None:
    ticket = Ticket(pk=1, domain_id=1)
    with pytest.raises(ValueError):
        event_row(ticket=ticket, kind="something_happened")  # type: ignore[arg-type]
    row = event_row(ticket=ticket, kind=EventKind.ASSIGNED, agent="ali\x00ce")
    assert row.data == {"agent": "alice"}  # what a JSON column holds: no NUL


def test_a_page_never_breaks_on_missing_parameters() -> None:
    for kind in EventKind.values:
        assert isinstance(sentence(kind, {}, "fr"), str)


def test_english_stays_english_whatever_language_is_active() -> None:
    from django.utils import translation

    with translation.override("fr"):
        reopened = sentence(EventKind.TICKET_REOPENED, {"previous": "closed"}, "en")
        assert reopened == "customer wrote (Closed)"
        assert rule("referenced-by", message_id="p@x").startswith("a message of this ticket")
        assert sentence(EventKind.TICKET_REOPENED, {"previous": "closed"}, "fr") == (
            "le client a écrit (Clos)"
        )
