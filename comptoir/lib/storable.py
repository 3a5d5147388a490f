"""Text a database can store: PostgreSQL refuses NUL characters, and neither database can
encode a lone UTF-16 surrogate (which JSON's "\\ud800" escape produces). Checked where people's
text comes in (the API's bodies, the reply and note actions), so that it is refused with words
rather than failing deep inside a write with a 500."""

import re

from django.utils.translation import gettext as _

SURROGATE = re.compile("[\ud800-\udfff]")


def unstorable_reason(text: str) -> str:
    """Why this text cannot be stored, or "" when it can."""
    if "\x00" in text:
        return _("The text contains a NUL character, which cannot be stored.")
    if SURROGATE.search(text):
        return _("The text is not valid Unicode (a lone surrogate).")
    return ""
