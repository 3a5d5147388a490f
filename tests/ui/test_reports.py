"""The Reports page: every figure of the core shown (French and English), each chart's data
the same numbers as its table, the downloads, and who may see what."""

import csv
import io
import json
import re
from datetime import date, timedelta
from html import unescape
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import number_format
from openpyxl import load_workbook

from comptoir.supervision.periods import days_bounds
from comptoir.supervision.report_tables import figures, minutes
from comptoir.supervision.reports.query import ReportQuery, Step
from comptoir.supervision.reports.report import Report, full_report
from comptoir.tenancy.models import User
from comptoir.ui.supervisors.reports import cell_text
from tests.supervision.conftest import MONDAY, World, make_world, processed

URL = "/supervision/reports/"
MONDAY_FORM = {
    "period": "custom",
    "first_day": "2026-11-02",
    "last_day": "2026-11-02",
    "step": "hour",
}


@pytest.fixture
def world(db: None) -> World:
    made = make_world()
    acme = made.acme
    processed(acme, acme.support, MONDAY, 95, outcome="resolu")
    processed(acme, acme.support, MONDAY + timedelta(hours=1), 185, outcome="rappel",
              reopen_at=MONDAY + timedelta(days=1))  # fmt: skip
    processed(acme, acme.orders, MONDAY + timedelta(hours=2), 30, outcome="done")
    return made


def client_of(user: User, language: str = "fr") -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def core(user: User, world: World, **filters: list[int]) -> Report:
    zone = world.acme.domain.time_zone

    start, end = days_bounds(date(2026, 11, 2), date(2026, 11, 2), ZoneInfo(zone))
    query = ReportQuery(world.acme.domain, start, end, step=Step.HOUR, **filters)
    return full_report(user, query, now=timezone.now())


def table_rows(page: str, key: str) -> list[list[str]]:
    """The body cells of a figure's table, as text."""
    table = re.search(rf'data-testid="table-{key}">(.*?)</table>', page, re.S)
    assert table is not None, key
    body = table.group(1).split("<tbody>")[1]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [unescape(c.strip()) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)]
        for r in rows
    ]


def chart(page: str, key: str) -> dict[str, Any]:
    found = re.search(
        rf'<script id="chart-{key}" type="application/json">(.*?)</script>', page, re.S
    )
    assert found is not None, key
    return json.loads(found.group(1))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_page_shows_the_cores_figures(world: World, language: str) -> None:
    response = client_of(world.sam, language).get(URL, MONDAY_FORM)
    assert response.status_code == 200
    page = response.content.decode()
    report = core(world.sam, world)
    with translation.override(language):
        expected = figures(report)
        texts = {f.key: [[cell_text(v) for v in row] for row in f.rows] for f in expected}
    for figure in expected:
        assert f'data-testid="figure-{figure.key}"' in page
        if figure.rows:  # every cell, as the core's value written in the reader's language
            assert table_rows(page, figure.key) == texts[figure.key], figure.key
    # Handling time over the day: (95 + 185 + 30) / 3 s, in minutes, as the reader writes it.
    average = minutes(report.handling.overall.average)
    assert average is not None
    with translation.override(language):
        text = number_format(average, 1, use_l10n=True)
    durations = table_rows(page, "durations")
    assert durations[4][1:3] == ["3", text]
    # Closings: "resolu" (support) and "done" (orders) are final outcomes.
    volumes = table_rows(page, "volumes")
    assert sum(int(row[7]) for row in volumes) == 2
    assert table_rows(page, "agents")[0][:2] == ["Alice Dupré", "3"]
    words = {"fr": "Première réponse", "en": "First response"}[language]
    assert words in page


def test_each_charts_data_is_its_tables_numbers(world: World) -> None:
    page = client_of(world.sam).get(URL, MONDAY_FORM).content.decode()
    for key, series in {"volumes": [1, 3, 5, 7], "backlog": [1], "attempts": [1]}.items():
        rows = table_rows(page, key)
        data = chart(page, key)
        assert data["labels"] == [row[0] for row in rows]
        for dataset, column in zip(data["datasets"], series, strict=True):
            assert [None if v is None else int(v) for v in dataset["data"]] == [
                int(row[column]) for row in rows
            ]
    times = chart(page, "times")
    rows = table_rows(page, "times")
    handling = [
        None if v is None else number_format(v, 1, use_l10n=True)
        for v in times["datasets"][0]["data"]
    ]
    with translation.override("fr"):
        assert [h or "—" for h in handling] == [row[3] for row in rows]
    assert "<script>" not in page  # data only: the charts are drawn by ui/reports.js
    assert "ui/vendor/chart-4.6.1.umd.min.js" in page and "ui/reports.js" in page


def test_tables_download_as_csv_and_xlsx(world: World) -> None:
    client = client_of(world.sam)
    response = client.get(URL, {**MONDAY_FORM, "download": "agents", "format": "csv-semicolon"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1][0] == "Alice Dupré" and rows[1][1] == "3"
    response = client.get(URL, {**MONDAY_FORM, "download": "volumes", "format": "xlsx"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    sheet = list(book.worksheets[0].iter_rows(values_only=True))
    assert sum(row[7] for row in sheet[1:]) == 2  # closings
    assert client.get(URL, {**MONDAY_FORM, "download": "nothing"}).status_code == 404


def test_a_campaign_supervisor_sees_only_their_campaigns(world: World) -> None:
    sue = client_of(world.sue)
    mine = sue.get(URL, {**MONDAY_FORM, "campaign": world.acme.support.pk})
    assert mine.status_code == 200
    assert sue.get(URL, {**MONDAY_FORM, "campaign": world.acme.orders.pk}).status_code == 404
    # Without a filter, sue's report is the support campaign's alone: two processings.
    agents = table_rows(sue.get(URL, MONDAY_FORM).content.decode(), "agents")
    assert agents[0][:2] == ["Alice Dupré", "2"]
    assert sue.get(URL, {**MONDAY_FORM, "team": 999999}).status_code == 404


def test_administrators_see_the_domain_and_agents_are_refused(world: World) -> None:
    assert client_of(world.ada).get(URL).status_code == 200
    assert client_of(world.acme.agent).get(URL).status_code == 403


def test_a_wrong_period_is_said_on_the_form(world: World) -> None:
    response = client_of(world.sam, "en").get(URL, {**MONDAY_FORM, "last_day": "2026-11-01"})
    assert response.status_code == 400
    assert "The last day must not be before the first." in response.content.decode()
