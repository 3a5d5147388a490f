"""Why a message is kept out of every ticket (quarantined) or refused: a known set of reasons.

RawMessage.reason stores the English sentence: the export, the logs, the SMTP refusal and
scripts read it the same everywhere. Each reason is a template with named parameters
(REASONS); `kept_out` writes one, `in_words` says a stored one again in the active language (a
supervisor's quarantine page), recognising it by its template, so the two cannot drift apart.
A reason outside the set (written before it existed) is shown as stored. Pure: no database.
"""

import re
from typing import Any

from django.utils.translation import gettext, gettext_noop

# The more specific first: a stored reason is said by the first template it matches.
REASONS: dict[str, str] = {
    "too-large": gettext_noop(
        "message is %(size)s bytes, more than %(limit)s (limit COMPTOIR_MAX_MESSAGE_SIZE)"
    ),
    "too-deep": gettext_noop(
        "message nests MIME parts more than %(depth)s deep (limit COMPTOIR_MAX_MIME_DEPTH)"
    ),
    "too-many-parts": gettext_noop(
        "message has more than %(parts)s MIME parts (limit COMPTOIR_MAX_MIME_PARTS)"
    ),
    "no-recipient": gettext_noop("no campaign receives mail for: no recipient address"),
    "no-campaign": gettext_noop("no campaign receives mail for: %(addresses)s"),
    "own-address": gettext_noop(
        "sent from our own address %(address)s and matches no ticket (mail loop?)"
    ),
    "report-without-id": gettext_noop(
        "delivery report for a message Comptoir does not know (it names no original Message-ID)"
    ),
    "unknown-report": gettext_noop(
        "delivery report for a message Comptoir does not know (<%(message_id)s>)"
    ),
    "not-stored": gettext_noop("could not be stored: %(error)s"),
    "internal-error": gettext_noop("internal error while processing: %(error)s"),
}

PARAMETER = re.compile(r"%\\\((\w+)\\\)s")


def pattern(template: str) -> re.Pattern[str]:
    """The template as a pattern: its words as they are, each parameter any text."""
    return re.compile(PARAMETER.sub(r"(?P<\1>.*)", re.escape(template)), re.DOTALL)


PATTERNS = [(template, pattern(template)) for template in REASONS.values()]


def kept_out(code: str, **params: Any) -> str:
    """The English sentence of a reason of REASONS, as stored."""
    return REASONS[code] % params


def in_words(stored: str) -> str:
    """A stored reason in the active language; one outside the set as stored."""
    for template, found in PATTERNS:
        if match := found.fullmatch(stored):
            return gettext(template) % match.groupdict()
    return stored
