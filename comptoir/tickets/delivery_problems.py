"""Why an outbound message was not (fully) delivered, as a kind and its parameters.

The outbox and the transport (mail.outbox, mail.transport) and bounces (tickets.actions
.record_bounce) describe a problem as `{"kind": …, …parameters}`, stored with the message
(Message.delivery_problem) and in the history's delivery events; `problem_words` says it in
the active language (tickets.words: the reader's, or the stable English). The server's own
answer and an operating system's error are quoted as they came: they are not ours to
translate. Message.delivery_error keeps the technical English form (export, logs).
"""

from collections.abc import Callable, Mapping
from typing import Any

from comptoir.tickets.words import Data, _, get, language, ngettext

Problem = dict[str, Any]


def problem(kind: str, **params: Any) -> Problem:
    """A problem of one of the KINDS, with its parameters."""
    return {"kind": kind, **params}


def problem_words(data: Data) -> str:
    """The problem in the active language; "" for an unknown kind."""
    say = KINDS.get(get(data, "kind"))
    return say(data) if say is not None else ""


def problem_sentence(data: Data, language_code: str) -> str:
    """The problem in `language_code` ("en": the stable English form)."""
    with language(language_code):
        return problem_words(data)


def refused_list(refused: object) -> str:
    """{address: the server's answer} as "address: answer; …"."""
    items = refused.items() if isinstance(refused, Mapping) else []
    return "; ".join(
        _("%(address)s: %(error)s") % {"address": address, "error": error}
        for address, error in items
    )


def gave_up(data: Data) -> str:
    count = int(data.get("attempts") or 0)
    cause = data.get("cause")
    return ngettext(
        "gave up after %(attempts)s attempt: %(cause)s",
        "gave up after %(attempts)s attempts: %(cause)s",
        count,
    ) % {"attempts": count, "cause": problem_words(cause) if isinstance(cause, Mapping) else ""}


def report(data: Data) -> str:
    found = " ".join(p for p in (get(data, "status"), get(data, "diagnostic")) if p)
    return _("a delivery report says: %(reason)s") % {"reason": found or _("delivery failed")}


KINDS: dict[str, Callable[[Data], str]] = {
    # The server refused the message (or a command of its transaction): its answer.
    "answer": lambda d: _("the mail server answered %(answer)s") % {"answer": get(d, "answer")},
    # Refused at the greeting, STARTTLS or the login.
    "session-refused": lambda d: (
        _("%(server)s refused the session: %(answer)s")
        % {"server": get(d, "server"), "answer": get(d, "answer")}
    ),
    # Not reached, or the connection dropped (the operating system's or smtplib's words).
    "connection": lambda d: (
        _("the connection to %(server)s failed: %(error)s")
        % {"server": get(d, "server"), "error": get(d, "error")}
    ),
    "recipients-refused": lambda d: (
        _("refused for %(refused)s") % {"refused": refused_list(d.get("refused"))}
    ),
    "no-smtputf8": lambda d: (
        _("%(server)s does not offer SMTPUTF8, needed for %(addresses)s")
        % {"server": get(d, "server"), "addresses": get(d, "addresses")}
    ),
    "maildir": lambda d: (
        _("the sent-mail folder could not be written: %(error)s") % {"error": get(d, "error")}
    ),
    "gave-up": gave_up,
    # Sent, but some recipients were refused.
    "partial": lambda d: (
        _("sent, but refused for %(refused)s") % {"refused": refused_list(d.get("refused"))}
    ),
    "report": report,
    # Any other failure: its technical words (another mailer's error).
    "error": lambda d: _("the mail could not be sent: %(error)s") % {"error": get(d, "error")},
}
