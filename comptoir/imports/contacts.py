"""Contacts files (CSV): read, checked as a whole, then validated row by row.

The first line is a header naming at least an `email` column; `name` and `language` are
known too (French headers accepted: courriel, nom, langue); any other column is kept in the
contact's `extra`. The delimiter (comma, semicolon, tab, |) is found with csv.Sniffer.
"""

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from comptoir.lib.text import clean

ALIASES = {
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "courriel": "email",
    "adresse email": "email",
    "name": "name",
    "nom": "name",
    "language": "language",
    "langue": "language",
    "lang": "language",
}
DELIMITERS = ",;\t|"
EXTRA_VALUE_LENGTH = 1000


class CsvError(Exception):
    """The file as a whole is refused: nothing was imported."""


class RowError(Exception):
    """This row is refused; the others go on."""


@dataclass
class ContactRow:
    email: str
    name: str
    language: str
    extra: dict[str, str] = field(default_factory=dict)


def decode(content: bytes) -> str:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvError(
            _(
                "the file is not UTF-8 text (byte %(byte)s is not): save it as 'CSV UTF-8' "
                "and upload it again"
            )
            % {"byte": exc.start}
        ) from exc
    if not text.strip():
        raise CsvError(_("the file is empty"))
    if "\x00" in text:
        raise CsvError(_("the file holds NUL bytes: it is not a CSV text file"))
    return text


def sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:65536], delimiters=DELIMITERS)
    except csv.Error:  # e.g. a single column: no delimiter to find
        return csv.excel


def columns_of(header: list[str] | None) -> list[str]:
    if not header:
        raise CsvError(_("the file has no header line"))
    columns = [ALIASES.get(h.strip().lower(), h.strip()) for h in header]
    if "email" not in columns:
        found = ", ".join(repr(h) for h in header[:10])
        raise CsvError(
            _(
                "the first line must be a header with an 'email' column; found %(found)s. "
                "Check the delimiter (comma, semicolon or tab) and that the file has a header"
            )
            % {"found": found}
        )
    if len(set(columns)) != len(columns) or "" in columns:
        raise CsvError(_("the header has an empty or repeated column name"))
    return columns


def open_csv(content: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """(columns, rows): each row with its line number in the file (the header is line 1).
    Raises CsvError for a file that cannot be a contacts CSV."""
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""), sniff(text))
    try:
        columns = columns_of(next(reader, None))
    except csv.Error as exc:
        raise CsvError(_("malformed CSV: %(error)s") % {"error": exc}) from exc
    return columns, rows_of(reader)


def rows_of(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvError(
                _("malformed CSV after line %(line)s: %(error)s") % {"line": number, "error": exc}
            ) from exc
        number += 1
        yield number, cells


def parse_row(columns: list[str], cells: list[str]) -> ContactRow | None:
    """The contact a row describes; None for a blank line. Raises RowError with the reason."""
    if not any(cell.strip() for cell in cells):
        return None
    if len(cells) > len(columns):
        raise RowError(
            _("%(cells)s cells, but the header names %(columns)s columns")
            % {"cells": len(cells), "columns": len(columns)}
        )
    values = dict(zip(columns, [c.strip() for c in cells] + [""] * len(columns), strict=False))
    email = values.pop("email").lower()
    if not email:
        raise RowError(_("no email address"))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise RowError(_("invalid email address '%(address)s'") % {"address": email}) from exc
    language = values.pop("language", "").lower()
    codes = [code for code, _name in settings.LANGUAGES]
    if language and language not in codes:
        raise RowError(
            _("unknown language '%(language)s' (expected one of %(codes)s)")
            % {"language": language, "codes": ", ".join(codes)}
        )
    name = values.pop("name", "")
    if len(name) > 200:
        raise RowError(_("name longer than 200 characters"))
    extra = {key: clean(value, EXTRA_VALUE_LENGTH) for key, value in values.items() if value}
    return ContactRow(email=email, name=clean(name, 200), language=language, extra=extra)
