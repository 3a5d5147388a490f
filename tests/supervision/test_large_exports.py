"""Large exports through the whole path (the database, the processings detail, the writer):
a 100,000-row XLSX opened back with a reader, and memory that does not grow with the rows."""

import tracemalloc
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from comptoir.supervision.processings import ProcessingQuery, processing_rows
from comptoir.supervision.tabular import csv_chunks, xlsx_file
from tests.distribution.conftest import customer_writes
from tests.supervision.conftest import MONDAY, World, bulk_processings

PARIS = ZoneInfo("Europe/Paris")


def month(world: World) -> ProcessingQuery:
    start = datetime(2026, 11, 1, tzinfo=PARIS)
    return ProcessingQuery(world.acme.domain, start, datetime(2026, 12, 1, tzinfo=PARIS))


def test_a_hundred_thousand_processings_as_xlsx_read_back(world: World) -> None:
    ticket = customer_writes(world.acme)
    bulk_processings(ticket, world.acme.agent, 100_000, first_end=MONDAY, version=world.version)
    table = processing_rows(world.sam, month(world), keys_header=True)
    with xlsx_file(table, title="Traitements") as file:
        workbook = load_workbook(file, read_only=True)
        sheet = workbook["Traitements"]
        header = None
        count = 0
        for values in sheet.iter_rows(values_only=True):
            if header is None:
                header = values
                continue
            if count in (0, 99_999):
                row = dict(zip(header, values, strict=True))
                seconds = timedelta(seconds=count)
                # 09:00 in Paris (08:00 UTC) for the first, a second more for each next.
                assert row["ended_at"] == datetime(2026, 11, 2, 9, 0) + seconds
                assert row["started_at"] == datetime(2026, 11, 2, 8, 58, 25) + seconds
                assert row["duration_seconds"] == 95
                assert row["answer_motif"] == f"Réclamation n°{count}"
                assert (row["answer_montant"], row["answer_rappel"]) == (12.5, True)
                assert (row["ticket"], row["agent_login"]) == (ticket.number, "alice")
            count += 1
        workbook.close()
    assert count == 100_000
    assert header is not None and header[:3] == ("processing", "ticket", "campaign_slug")


def traced_peak(world: World) -> int:
    tracemalloc.start()
    try:
        for _chunk in csv_chunks(processing_rows(world.sam, month(world))):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_from_the_database_keeps_memory_flat(world: World) -> None:
    """Pages of 2,000 rows: 40,000 rows take no more memory than 4,000."""
    ticket = customer_writes(world.acme)
    bulk_processings(ticket, world.acme.agent, 4_000, first_end=MONDAY, version=world.version)
    small = traced_peak(world)
    later = MONDAY + timedelta(days=1)
    bulk_processings(ticket, world.acme.agent, 36_000, first_end=later, version=world.version)
    large = traced_peak(world)
    assert large < 2 * small, (small, large)
