"""Tables written as CSV or XLSX, row by row, in memory that stays flat whatever the row count
(docs/exports.md). No row cap: a CSV has no limit, and an XLSX sheet holding Excel's maximum
(1,048,576 rows) is continued on a new sheet with the header repeated.

A `Table` is typed columns and an iterable of rows (tuples in column order). Values are
Python values: int, Decimal, bool, str, date and aware datetimes, written as the domain's
local time. The writers never hold more than a chunk of rows:
- CSV: UTF-8 with a byte order mark (Excel reads UTF-8 only with it), yielded in chunks of
  about 64 KB for a StreamingHttpResponse; `,` and a decimal point by default, or the French
  Excel dialect: `;` and a decimal comma.
- XLSX: XlsxWriter in `constant_memory` mode (each row goes to a temporary file as written),
  into a temporary file the response then streams; dates are real Excel dates.
"""

import csv
import io
import math
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import IO, Any
from zoneinfo import ZoneInfo

import xlsxwriter

# Bytes gathered before a CSV chunk is handed to the response.
CSV_CHUNK = 64 * 1024
# Excel's rows per sheet, the header included.
SHEET_ROWS = 1_048_576
# A spreadsheet runs a text cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_DATETIME = "yyyy-mm-dd hh:mm:ss"
EXCEL_DATE = "yyyy-mm-dd"


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


class Dialect(StrEnum):
    """`comma`: `,` and a decimal point (tools, English Excel); `semicolon`: `;` and a decimal
    comma, what French Excel opens into columns."""

    COMMA = "comma"
    SEMICOLON = "semicolon"


@dataclass(frozen=True)
class Column:
    key: str  # stable, for machines (docs/exports.md)
    label: str  # for people, in the reader's language
    kind: Kind
    width: int = 14  # characters, in XLSX


@dataclass
class Table:
    columns: list[Column]
    rows: Iterable[Sequence[Any]]
    zone: ZoneInfo
    # The header row: the columns' labels (people) or keys (BI tools, the API's default).
    keys_header: bool = False

    def header(self) -> list[str]:
        return [c.key if self.keys_header else c.label for c in self.columns]


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    """The domain's wall-clock time, naive (to the second): what a spreadsheet shows."""
    return moment.astimezone(zone).replace(tzinfo=None, microsecond=0)


def csv_text(value: Any, zone: ZoneInfo, dialect: Dialect) -> str:
    """One value as CSV text, by its type: numbers unformatted (no thousands separator),
    times in the domain's local time, booleans 1 and 0."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return local(value, zone).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | float):
        text = format(value, "f")
        return text.replace(".", ",") if dialect == Dialect.SEMICOLON else text
    text = str(value)
    # A leading quote makes a spreadsheet show the text instead of running it.
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(table: Table, *, dialect: Dialect = Dialect.COMMA) -> Iterator[bytes]:
    """The table as CSV bytes, chunk by chunk: the first chunk (BOM and header) at once."""
    delimiter = ";" if dialect == Dialect.SEMICOLON else ","
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([csv_text(label, table.zone, dialect) for label in table.header()])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    zone = table.zone
    for row in table.rows:
        writer.writerow([csv_text(value, zone, dialect) for value in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


class SheetWriter:
    """Rows into an XlsxWriter workbook, a new sheet (header repeated) when one is full."""

    def __init__(self, workbook: Any, table: Table, title: str, sheet_rows: int) -> None:
        self.workbook, self.table, self.title, self.sheet_rows = workbook, table, title, sheet_rows
        self.formats = {
            Kind.DATETIME: workbook.add_format({"num_format": EXCEL_DATETIME}),
            Kind.DATE: workbook.add_format({"num_format": EXCEL_DATE}),
        }
        self.bold = workbook.add_format({"bold": True})
        self.sheets = 0
        self.sheet: Any = None
        self.row = 0

    def new_sheet(self) -> None:
        self.sheets += 1
        name = self.title if self.sheets == 1 else f"{self.title} ({self.sheets})"
        self.sheet = self.workbook.add_worksheet(name[:31])
        for index, column in enumerate(self.table.columns):
            self.sheet.set_column(index, index, column.width)
        self.sheet.freeze_panes(1, 0)
        self.sheet.write_row(0, 0, self.table.header(), self.bold)
        self.row = 1

    def write(self, values: Sequence[Any]) -> None:
        if self.sheet is None or self.row >= self.sheet_rows:
            self.new_sheet()
        for index, (value, column) in enumerate(zip(values, self.table.columns, strict=True)):
            if value is not None and value != "":
                self.cell(index, value, column.kind)
        self.row += 1

    def cell(self, index: int, value: Any, kind: Kind) -> None:
        """One value as its kind; one that is not of it (a stored answer whose question
        changed type) is written as text rather than refused."""
        sheet, row = self.sheet, self.row
        if kind == Kind.DATETIME and isinstance(value, datetime):
            sheet.write_datetime(row, index, local(value, self.table.zone), self.formats[kind])
        elif kind == Kind.DATE and isinstance(value, date):
            sheet.write_datetime(row, index, value, self.formats[kind])
        elif kind == Kind.BOOLEAN and isinstance(value, bool):
            sheet.write_boolean(row, index, value)
        elif kind in (Kind.INTEGER, Kind.DECIMAL) and is_number(value):
            sheet.write_number(row, index, float(value))
        else:
            sheet.write_string(row, index, str(value))

    def finish(self) -> None:
        if self.sheet is None:  # no row: the header alone
            self.new_sheet()


def is_number(value: Any) -> bool:
    """A number Excel can hold (a float's range; an int or a Decimal beyond it is text)."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def write_xlsx(
    table: Table, target: IO[bytes], *, title: str, sheet_rows: int = SHEET_ROWS
) -> None:
    """The table as an XLSX workbook written to `target` (a seekable binary file)."""
    options = {
        "constant_memory": True,
        "tmpdir": tempfile.gettempdir(),
        # Text is text: never a formula, a link or a number guessed from it.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "default_date_format": EXCEL_DATETIME,
    }
    workbook = xlsxwriter.Workbook(target, options)
    writer = SheetWriter(workbook, table, title, sheet_rows)
    for values in table.rows:
        writer.write(values)
    writer.finish()
    workbook.close()


def xlsx_file(table: Table, *, title: str, sheet_rows: int = SHEET_ROWS) -> IO[bytes]:
    """The workbook in an anonymous temporary file, rewound, for a FileResponse to stream
    (and close, which deletes it)."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it)
    try:
        write_xlsx(table, target, title=title, sheet_rows=sheet_rows)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


class Format(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


CONTENT_TYPES = {
    Format.CSV: "text/csv; charset=utf-8",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def encoded(
    table: Table, fmt: Format, *, dialect: Dialect = Dialect.COMMA, title: str
) -> Iterator[bytes] | IO[bytes]:
    """What to send: CSV chunks as they are made, or the XLSX workbook's temporary file (an
    XLSX is a zip whose sheet is complete only at the end: its first byte waits for it)."""
    if fmt == Format.XLSX:
        return xlsx_file(table, title=title)
    return csv_chunks(table, dialect=dialect)
