"""Quarantine reasons in the reader's language.

The reason is stored in English (logs, exports and scripts read it the same everywhere); the
parser's limit reasons, the ones a supervisor most needs to understand, are translated here
when shown. Any other reason is shown as stored."""

import re

from django.utils.translation import gettext as _

DEPTH = re.compile(
    r"message nests MIME parts more than (\d+) deep \(limit COMPTOIR_MAX_MIME_DEPTH\)"
)
PARTS = re.compile(r"message has more than (\d+) MIME parts \(limit COMPTOIR_MAX_MIME_PARTS\)")
SIZE = re.compile(r"message is (\d+) bytes, more than (\d+) \(limit COMPTOIR_MAX_MESSAGE_SIZE\)")


def translated_reason(reason: str) -> str:
    if match := DEPTH.fullmatch(reason):
        return _(
            "message nested too deeply: more than %(levels)s levels of MIME parts "
            "(limit COMPTOIR_MAX_MIME_DEPTH)"
        ) % {"levels": match.group(1)}
    if match := PARTS.fullmatch(reason):
        return _("message has more than %(parts)s MIME parts (limit COMPTOIR_MAX_MIME_PARTS)") % {
            "parts": match.group(1)
        }
    if match := SIZE.fullmatch(reason):
        return _(
            "message is %(size)s bytes, more than %(limit)s (limit COMPTOIR_MAX_MESSAGE_SIZE)"
        ) % {"size": match.group(1), "limit": match.group(2)}
    return reason
