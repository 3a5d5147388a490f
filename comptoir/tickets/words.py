"""The language history and its reasons are said in: the reader's, or the stable English.

English is the messages' ids themselves, said without activating a language (`language("en")`),
which costs tens of microseconds: a Reason is made for every message ingest files. Used by
tickets.history (events, threading rules, refusals) and tickets.delivery_problems.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.utils import translation

Data = Mapping[str, Any]

ENGLISH: ContextVar[bool] = ContextVar("history_in_english", default=False)


def _(msgid: str) -> str:
    return msgid if ENGLISH.get() else translation.gettext(msgid)


def ngettext(singular: str, plural: str, count: int) -> str:
    if ENGLISH.get():
        return singular if count == 1 else plural
    return translation.ngettext(singular, plural, count)


@contextmanager
def language(code: str) -> Iterator[None]:
    if code == "en":
        token = ENGLISH.set(True)
        try:
            yield
        finally:
            ENGLISH.reset(token)
    else:
        with translation.override(code):
            yield


def get(data: Data, name: str) -> str:
    """A parameter as text: a page must show even an event with missing parameters."""
    value = data.get(name, "")
    return "" if value is None else str(value)
