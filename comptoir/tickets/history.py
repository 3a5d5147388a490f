"""Ticket history in words: an event's kind and parameters, said in one language.

History is stored as a kind (EventKind) and its parameters (TicketEvent.data), never as a
sentence, so that each reader sees it in their own language (issue 12). The English form is
the messages' ids themselves: the stable form the export, ingest's results and logs carry.
Rows written before that keep their English sentence in data["text"], shown as stored.

Why something happened (a threading rule, the refusal of an automatic reply) is a `Reason`:
the parameters the history stores, and, as the string itself, its English sentence, so the
code that decides can pass it on as the words it used to be. Pure: no database.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from comptoir.tickets.delivery_problems import problem_words
from comptoir.tickets.models import EventKind, TicketStatus
from comptoir.tickets.words import ENGLISH, Data, _, get, language, ngettext


def sentence(kind: str, data: Data, language_code: str) -> str:
    """What an event says, in `language_code` ("en": the stable English form)."""
    if "text" in data:  # written before history had parameters: its sentence as stored
        return str(data["text"])
    say = KINDS.get(kind)
    if say is None:
        return ""
    with language(language_code):
        return say(data)


class Reason(str):
    """Why: the parameters the history stores (`data`); the string is its English sentence."""

    data: dict[str, Any]

    def __new__(cls, data: dict[str, Any]) -> "Reason":
        token = ENGLISH.set(True)  # not `language("en")`: a generator's cost, at every message
        try:
            reason = super().__new__(cls, why(data))
        finally:
            ENGLISH.reset(token)
        reason.data = data
        return reason


def rule(code: str, **params: Any) -> Reason:
    """How an inbound message was threaded (tickets.matching): code in RULES."""
    return Reason({"rule": code, **params})


def refusal(code: str, **params: Any) -> Reason:
    """Why a ticket got no automatic reply (tickets.auto_reply): code in REFUSALS."""
    return Reason({"reason": code, **params})


def params(words: str) -> dict[str, Any]:
    """The parameters of a Reason handed on as plain words (typed `str` on its way)."""
    return dict(words.data) if isinstance(words, Reason) else {}


def why(data: Data) -> str:
    """A rule's or a refusal's sentence, in the active language."""
    if "rule" in data:
        say = RULES.get(str(data["rule"]))
    else:
        say = REFUSALS.get(str(data.get("reason", "")))
    return say(data) if say is not None else ""


# Threading rules (tickets.matching, mail.batch_write).


def new_ticket(data: Data) -> str:
    said = _("new ticket: no known Message-ID referenced and no usable subject tag")
    ignored = [ignored_tag(tag) for tag in data.get("ignored", []) if isinstance(tag, dict)]
    return f"{said} ({'; '.join(ignored)})" if ignored else said


def ignored_tag(tag: Data) -> str:
    if tag.get("why") == "no-ticket":
        return _("subject tag [#%(number)s] names no ticket") % {"number": get(tag, "number")}
    sender = get(tag, "sender")
    if not sender:
        return _("subject tag [#%(number)s] ignored: the sender is not a participant") % {
            "number": get(tag, "number")
        }
    return _("subject tag [#%(number)s] ignored: %(sender)s is not a participant") % {
        "number": get(tag, "number"),
        "sender": sender,
    }


def matched_header(header: str) -> Callable[[Data], str]:
    def say(data: Data) -> str:
        return _("matched %(header)s header <%(message_id)s>") % {
            "header": header,
            "message_id": get(data, "message_id"),
        }

    return say


def shared_reference(data: Data) -> str:
    return _(
        "a message of this ticket also referenced <%(message_id)s> (their parent is not here yet)"
    ) % {"message_id": get(data, "message_id")}


RULES: dict[str, Callable[[Data], str]] = {
    "new": new_ticket,
    "in-reply-to": matched_header("In-Reply-To"),
    "references": matched_header("References"),
    "referenced-by": lambda d: (
        _("a message of this ticket already referenced <%(message_id)s> (it arrived late)")
        % {"message_id": get(d, "message_id")}
    ),
    "shared-reference": shared_reference,
    "subject-tag": lambda d: (
        _("matched subject tag [#%(number)s] (sender %(sender)s is a participant)")
        % {"number": get(d, "number"), "sender": get(d, "sender")}
    ),
}


# Why no automatic reply (tickets.auto_reply, tickets.auto_reply_draft).


def unwritable(data: Data) -> str:
    if not get(data, "address"):
        return _("the sender is not an address mail can be sent to")
    return _("%(address)s is not an address mail can be sent to") % {
        "address": get(data, "address")
    }


def daily_limit(data: Data) -> str:
    limit = int(data.get("limit") or 0)
    return ngettext(
        "%(address)s already got %(limit)s automatic reply in 24 hours",
        "%(address)s already got %(limit)s automatic replies in 24 hours",
        limit,
    ) % {"address": get(data, "address"), "limit": limit}


def hourly_limit(data: Data) -> str:
    limit = int(data.get("limit") or 0)
    return ngettext(
        "campaign %(campaign)s already sent %(limit)s automatic reply in the last hour",
        "campaign %(campaign)s already sent %(limit)s automatic replies in the last hour",
        limit,
    ) % {"campaign": get(data, "campaign"), "limit": limit}


REFUSALS: dict[str, Callable[[Data], str]] = {
    "automatic": lambda d: (
        _("the message is automatic (%(why)s)") % {"why": automatic_words(get(d, "why"))}
    ),
    "unwritable": unwritable,
    "no-reply": lambda d: _("%(address)s is a no-reply address") % {"address": get(d, "address")},
    "receiving": lambda d: (
        _("%(address)s is an address Comptoir receives mail on") % {"address": get(d, "address")}
    ),
    "daily-limit": daily_limit,
    "hourly-limit": hourly_limit,
    "no-sender": lambda d: (
        _("Campaign %(name)s has no sender address and no inbound address.")
        % {"name": get(d, "campaign")}
    ),
    "foreign-sender": lambda d: (
        _(
            "The campaign's sender or reply-to address %(address)s is not in one of the "
            "domain's mail domains: change it in the campaign's Information tab."
        )
        % {"address": get(d, "address")}
    ),
    # Any other ReplyError (tickets.outbound): its English words, as the agent got them.
    "reply-error": lambda d: (
        _("the campaign cannot send it: %(error)s") % {"error": get(d, "error")}
    ),
}

# mail.classify's reasons for calling a message automatic; a header and its value (RFC 3834
# Auto-Submitted, Precedence, List-Id…) reads the same in every language and is kept.
AUTOMATIC_WORDS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (
        re.compile(r"delivery-status report \(RFC 3464\)"),
        lambda m: _("delivery-status report (RFC 3464)"),
    ),
    (
        re.compile(r"sent from our own address (.*)"),
        lambda m: _("sent from our own address %(address)s") % {"address": m.group(1)},
    ),
    (
        re.compile(r"sent by a mail system \((.*)\)"),
        lambda m: _("sent by a mail system (%(sender)s)") % {"sender": m.group(1)},
    ),
    (re.compile(r"null envelope sender \(<>\)"), lambda m: _("null envelope sender (<>)")),
]


def automatic_words(reason: str) -> str:
    """Message.automatic_reason (stored in English) in the active language."""
    for pattern, say in AUTOMATIC_WORDS:
        if match := pattern.fullmatch(reason):
            return say(match)
    return reason


# The kinds.


def status_words(value: str) -> str:
    """A TicketStatus's label, said here (its lazy label would ignore the English mode)."""
    if value == TicketStatus.WAITING:
        return _("Waiting for customer")
    if value == TicketStatus.CLOSED:
        return _("Closed")
    return _("Open") if value == TicketStatus.OPEN else value


def reopened(data: Data) -> str:
    return _("customer wrote (%(status)s)") % {"status": status_words(get(data, "previous"))}


def no_auto_reply(data: Data) -> str:
    return _("no automatic reply: %(reason)s") % {"reason": why(data)}


def delivery_failed(data: Data) -> str:
    """A reply not delivered: by the outbox (`problem`, its `attempts` when it gave up; rows
    from before problems kept the transport's English `error`), or by a delivery report."""
    if data.get("rule") == "delivery-report":
        found = " ".join(p for p in (get(data, "status"), get(data, "diagnostic")) if p)
        return _("delivery to the customer failed for <%(message_id)s>: %(reason)s") % {
            "message_id": get(data, "message_id"),
            "reason": found or _("delivery failed"),
        }
    cause = data.get("problem")
    if isinstance(cause, Mapping):
        said = problem_words(cause)
        if data.get("attempts"):
            said = problem_words({"kind": "gave-up", "attempts": data["attempts"], "cause": cause})
        return _("the reply could not be delivered: %(error)s") % {"error": said}
    if data.get("attempts"):
        count = int(data["attempts"])
        return ngettext(
            "the reply could not be delivered: gave up after %(attempts)s attempt: %(error)s",
            "the reply could not be delivered: gave up after %(attempts)s attempts: %(error)s",
            count,
        ) % {"attempts": count, "error": get(data, "error")}
    return _("the reply could not be delivered: %(error)s") % {"error": get(data, "error")}


def delivery_partial(data: Data) -> str:
    return problem_words({"kind": "partial", "refused": data.get("refused")})


def attempts(data: Data) -> str:
    count = int(data.get("attempts") or 0)
    return ngettext("%(count)s attempt", "%(count)s attempts", count) % {"count": count}


def released_idle(data: Data) -> str:
    minutes = max(1, round(int(data.get("seconds") or 0) / 60))
    return ngettext(
        "the agent did nothing for %(minutes)s minute: the ticket went back",
        "the agent did nothing for %(minutes)s minutes: the ticket went back",
        minutes,
    ) % {"minutes": minutes}


def unassigned(data: Data) -> str:
    if get(data, "agent"):
        return _("%(agent)s removed their assignment") % {"agent": get(data, "agent")}
    return _("assignment removed")


def assigned(data: Data) -> str:
    return _("assigned to %(agent)s") % {"agent": get(data, "agent")}


def taken_back(data: Data) -> str:
    """A supervisor forced the agent into a pause or out of play (supervision.states)."""
    words = {
        "supervisor": get(data, "supervisor"),
        "agent": get(data, "agent"),
        "reason": get(data, "why"),
    }
    if data.get("state") == "offline":
        return (
            _("%(supervisor)s took the processing back from %(agent)s: out of play (%(reason)s)")
            % words
        )
    return _("%(supervisor)s took the processing back from %(agent)s: paused (%(reason)s)") % words


KINDS: dict[str, Callable[[Data], str]] = {
    EventKind.TICKET_CREATED: why,
    EventKind.MESSAGE_APPENDED: why,
    EventKind.TICKET_REOPENED: reopened,
    EventKind.REPLY_QUEUED: lambda d: (
        _("reply to %(addresses)s") % {"addresses": ", ".join(map(str, d.get("to", [])))}
    ),
    EventKind.NOTE_ADDED: lambda d: _("internal note"),
    EventKind.AUTO_REPLY_QUEUED: lambda d: (
        _("automatic reply to %(address)s") % {"address": get(d, "address")}
    ),
    EventKind.AUTO_REPLY_SKIPPED: no_auto_reply,
    EventKind.AUTO_REPLY_CAPPED: no_auto_reply,
    EventKind.DELIVERY_FAILED: delivery_failed,
    EventKind.DELIVERY_PARTIAL: delivery_partial,
    EventKind.PROCESSING_STARTED: lambda d: _("served by play"),
    EventKind.PROCESSING_QUALIFIED: lambda d: (
        _("qualified: %(outcome)s") % {"outcome": get(d, "outcome")}
    ),
    EventKind.PROCESSING_RELEASED: lambda d: _("paused by the agent"),
    EventKind.PROCESSING_TAKEN_BACK: taken_back,
    EventKind.LOCK_EXPIRED: lambda d: _("the agent's console stopped answering"),
    EventKind.RELEASED_IDLE: released_idle,
    EventKind.MAX_ATTEMPTS_REACHED: attempts,
    EventKind.ASSIGNED: assigned,
    EventKind.UNASSIGNED: unassigned,
    EventKind.REASSIGNED: assigned,
    EventKind.UNLOCKED: lambda d: _("unlocked by a supervisor"),
    EventKind.REQUEUED: lambda d: _("back in the queue"),
}
