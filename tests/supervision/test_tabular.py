"""The CSV and XLSX writers: what a spreadsheet opens (BOM, separators, French characters,
real dates), the sheets past Excel's row limit, and memory that stays flat as rows grow."""

import csv
import io
import tempfile
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from comptoir.supervision.tabular import (
    Column,
    Dialect,
    Kind,
    Table,
    csv_chunks,
    write_xlsx,
    xlsx_file,
)

PARIS = ZoneInfo("Europe/Paris")
START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # 09:00 in Paris
COLUMNS = [
    Column("ticket", "Ticket", Kind.INTEGER),
    Column("agent", "Agent", Kind.TEXT),
    Column("ended_at", "Fin", Kind.DATETIME),
    Column("duration_seconds", "Durée (secondes)", Kind.INTEGER),
    Column("amount", "Montant (€)", Kind.DECIMAL),
    Column("callback", "Rappel", Kind.BOOLEAN),
    Column("due", "Échéance", Kind.DATE),
    Column("outcome", "Qualification", Kind.TEXT),
]


def generated(count: int) -> Iterator[tuple[Any, ...]]:
    for index in range(count):
        yield (
            *(index + 1, "Françoise Lœuvre", START + timedelta(seconds=index), 95),
            *(Decimal("12.5"), index % 2 == 0, date(2026, 11, 30), "À rappeler « vite »"),
        )  # fmt: skip


def table(rows: Any) -> Table:
    return Table(COLUMNS, rows, PARIS)


def read_csv(data: bytes, delimiter: str) -> list[list[str]]:
    """As a spreadsheet opens it: UTF-8 when the file starts with its BOM."""
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def test_csv_is_utf8_with_a_bom_and_keeps_french_characters(db: None) -> None:
    data = b"".join(csv_chunks(table(generated(2))))
    rows = read_csv(data, ",")
    assert rows[0] == [c.label for c in COLUMNS]
    assert rows[1] == [
        *("1", "Françoise Lœuvre", "2026-11-02 09:00:00", "95"),
        *("12.5", "1", "2026-11-30", "À rappeler « vite »"),
    ]
    assert rows[2][2:6] == ["2026-11-02 09:00:01", "95", "12.5", "0"]
    assert data.count(b"\r\n") == 3


def test_the_semicolon_dialect_is_what_french_excel_splits_into_columns(db: None) -> None:
    data = b"".join(csv_chunks(table(generated(1)), dialect=Dialect.SEMICOLON))
    rows = read_csv(data, ";")
    assert len(rows[1]) == len(COLUMNS)
    assert rows[1][4] == "12,5"  # a decimal comma
    assert rows[0][3] == "Durée (secondes)"


def test_csv_quotes_separators_quotes_and_line_breaks(db: None) -> None:
    tricky = 'Il a dit "non", puis;\nau revoir'
    rows = read_csv(
        b"".join(csv_chunks(table([(1, tricky, None, None, None, None, None, "")]))), ","
    )
    assert rows[1][1] == tricky and rows[1][2:] == ["", "", "", "", "", ""]


def test_text_that_a_spreadsheet_would_run_as_a_formula_is_kept_as_text(db: None) -> None:
    row = (1, '=HYPERLINK("http://x")', None, None, None, None, None, "@SUM(A1)")
    rows = read_csv(b"".join(csv_chunks(table([row]))), ",")
    assert rows[1][1] == '\'=HYPERLINK("http://x")' and rows[1][7] == "'@SUM(A1)"
    workbook = load_workbook(xlsx_file(table([row]), title="t"), read_only=True)
    cells = [c.value for c in next(workbook.active.iter_rows(min_row=2))]
    assert cells[1] == '=HYPERLINK("http://x")'  # a string cell, not a formula
    assert workbook.active["B2"].data_type == "s"


def test_csv_comes_in_chunks_the_header_first(db: None) -> None:
    chunks = csv_chunks(table(generated(5000)))
    first = next(chunks)
    assert first.startswith(b"\xef\xbb\xbfTicket,Agent") and first.endswith(b"\r\n")
    rest = list(chunks)
    assert len(rest) > 3 and all(len(c) < 70 * 1024 for c in rest)


def test_xlsx_has_real_dates_numbers_and_booleans(db: None) -> None:
    rows = [*generated(2), (3, "", None, None, Decimal("1e400"), None, None, None)]
    workbook = load_workbook(xlsx_file(table(rows), title="Traitements"), read_only=True)
    sheet = workbook["Traitements"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0] == [c.label for c in COLUMNS]
    assert values[1] == [
        *(1, "Françoise Lœuvre", datetime(2026, 11, 2, 9, 0), 95, 12.5, True),
        *(datetime(2026, 11, 30), "À rappeler « vite »"),
    ]
    assert values[2][5] is False
    # A number Excel cannot hold is kept, as text.
    assert values[3][:5] == [3, None, None, None, "1E+400"]


def test_a_sheet_full_at_excels_limit_goes_on_in_a_new_one_header_repeated(db: None) -> None:
    workbook = load_workbook(
        xlsx_file(table(generated(12)), title="Traitements", sheet_rows=5), read_only=True
    )
    assert workbook.sheetnames == ["Traitements", "Traitements (2)", "Traitements (3)"]
    sheets = [list(workbook[name].iter_rows(values_only=True)) for name in workbook.sheetnames]
    assert [len(rows) for rows in sheets] == [5, 5, 5]
    assert all(rows[0][0] == "Ticket" for rows in sheets)
    assert [row[0] for rows in sheets for row in rows[1:]] == list(range(1, 13))


def test_an_empty_table_is_its_header(db: None) -> None:
    workbook = load_workbook(xlsx_file(table([]), title="Vide"), read_only=True)
    assert list(workbook["Vide"].iter_rows(values_only=True)) == [tuple(c.label for c in COLUMNS)]
    assert read_csv(b"".join(csv_chunks(table([]))), ",") == [[c.label for c in COLUMNS]]


def peak_bytes(write: Any, count: int) -> int:
    tracemalloc.start()
    try:
        write(count)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_from_ten_thousand_to_a_hundred_thousand_rows(db: None) -> None:
    """Three columns (a number, a time, a text) keep the traced run short: what could grow
    is per row, not per column."""
    narrow = COLUMNS[:3]

    def rows(count: int) -> Iterator[tuple[Any, ...]]:
        return (row[:3] for row in generated(count))

    def to_csv(count: int) -> None:
        for _chunk in csv_chunks(Table(narrow, rows(count), PARIS)):
            pass

    def to_xlsx(count: int) -> None:
        # Into a temporary file, as the response does: the finished workbook is on disk.
        with tempfile.TemporaryFile() as sink:
            write_xlsx(Table(narrow, rows(count), PARIS), sink, title="t")

    for write in (to_csv, to_xlsx):
        small, large = peak_bytes(write, 10_000), peak_bytes(write, 100_000)
        assert large < 2 * small, (write.__name__, small, large)
