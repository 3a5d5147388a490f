"""Why a message is kept out of every ticket (mail.reasons): stored in English, said in the
reader's language from the same templates, so a supervisor reads the quarantine in French."""

import re
from typing import Any

from django.utils import translation

from comptoir.mail.reasons import REASONS, in_words, kept_out

PARAMS: dict[str, dict[str, Any]] = {
    "too-large": {"size": 2014, "limit": 1000},
    "too-deep": {"depth": 32},
    "too-many-parts": {"parts": 1000},
    "no-recipient": {},
    "no-campaign": {"addresses": "nobody@acme.test, other@acme.test"},
    "own-address": {"address": "support@acme.test"},
    "report-without-id": {},
    "unknown-report": {"message_id": "lost-1@acme.test"},
    "not-stored": {"error": 'duplicate key value violates unique constraint "x"'},
    "internal-error": {"error": "KeyError('x')"},
}
# The names of limits and headers read the same in both languages.
SHARED = {"comptoir_max_message_size", "comptoir_max_mime_depth", "comptoir_max_mime_parts"}
SHARED |= {"mime", "message", "message-id", "comptoir", "ticket"}


def own_words(text: str, params: dict[str, Any]) -> set[str]:
    for value in sorted(map(str, params.values()), key=len, reverse=True):
        text = text.replace(value, " ")
    return {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ_'-]{4,}", text)} - SHARED


def test_every_reason_is_stored_in_english_and_said_in_french() -> None:
    assert set(PARAMS) == set(REASONS)
    for code, params in PARAMS.items():
        stored = kept_out(code, **params)
        with translation.override("en"):
            assert in_words(stored) == stored, code
        with translation.override("fr"):
            french = in_words(stored)
        assert french != stored, code
        assert not own_words(stored, params) & own_words(french, params), (code, french)
        for value in params.values():
            assert str(value) in french, (code, french)


def test_the_english_stays_what_ingest_always_wrote() -> None:
    assert kept_out("too-large", size=2014, limit=1000) == (
        "message is 2014 bytes, more than 1000 (limit COMPTOIR_MAX_MESSAGE_SIZE)"
    )
    assert kept_out("unknown-report", message_id="a@b") == (
        "delivery report for a message Comptoir does not know (<a@b>)"
    )


def test_a_reason_outside_the_set_is_shown_as_stored() -> None:
    with translation.override("fr"):
        assert in_words("no campaign for this recipient") == "no campaign for this recipient"
