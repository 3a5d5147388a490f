"""The Exports page: the form, the streamed download (its type and its name, accents
included), the form's refusals, and who may reach it."""

import csv
import io
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.http import FileResponse, StreamingHttpResponse
from django.test import Client
from openpyxl import load_workbook

from comptoir.tenancy.models import User
from tests.supervision.conftest import MONDAY, World, make_world, processed

URL = "/supervision/exports/"
MONDAY_FORM = {"period": "custom", "first_day": "2026-11-02", "last_day": "2026-11-02"}


@pytest.fixture
def world(db: None) -> World:
    made = make_world()
    acme = made.acme
    acme.support.name = "Réclamations « SAV »"
    acme.support.save(update_fields=["name"])
    processed(acme, acme.support, MONDAY, 95, outcome="resolu", answers={"motif": "Œuvre"})
    processed(acme, acme.orders, MONDAY + timedelta(hours=1), 30, outcome="done")
    return made


def client_of(user: User, language: str = "fr") -> Client:
    client = Client(HTTP_HOST="acme.localhost", HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def download(client: Client, **fields: str) -> StreamingHttpResponse:
    response = client.get(URL, {**MONDAY_FORM, "download": "1", **fields})
    assert response.status_code == 200, response.content
    assert isinstance(response, StreamingHttpResponse)
    return response


def test_the_page_offers_the_periods_filters_and_formats(world: World) -> None:
    page = client_of(world.sam).get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    for words in ("Hier", "Semaine dernière", "Réclamations « SAV »", "Agents", "Alice Dupré"):
        assert words in text, words
    # For a French reader, the CSV for French Excel comes before the comma one.
    assert text.index("CSV pour Excel") < text.index("CSV (séparateur ,")
    assert 'data-testid="nav-exports"' in text


def test_a_csv_for_french_excel_is_streamed_with_its_name_in_rfc_5987(world: World) -> None:
    response = download(
        client_of(world.sam), format="csv-semicolon", campaign=str(world.acme.support.pk)
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = "traitements-2026-11-02-Réclamations-SAV.csv"
    assert response["Content-Disposition"] == (f"attachment; filename*=utf-8''{quote(name)}")
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Traitement", "Ticket", "Code de la campagne"]
    assert len(rows) == 2 and rows[1][3] == "Réclamations « SAV »"
    assert rows[1][-4] == "Œuvre"


def test_an_xlsx_download_opens_with_real_dates(world: World) -> None:
    response = download(client_of(world.ada), format="xlsx", keys_header="on")
    assert isinstance(response, FileResponse)
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert 'filename="traitements-2026-11-02.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    header = rows[0]
    assert len(rows) == 3 and header[7] == "ended_at"
    assert rows[1][7].isoformat() == "2026-11-02T09:01:35"  # 09:00 in Paris, plus 95 s


def test_custom_dates_are_needed_for_a_custom_period(world: World) -> None:
    answer = client_of(world.sam).get(URL, {"period": "custom", "format": "csv", "download": "1"})
    assert answer.status_code == 400
    assert "Ce champ est obligatoire." in answer.content.decode()


def test_a_supervisor_of_one_campaign_cannot_choose_another(world: World) -> None:
    world.sue.can_export = True
    world.sue.save(update_fields=["can_export"])
    client = client_of(world.sue)
    page = client.get(URL).content.decode()
    assert "Réclamations « SAV »" in page and "Commandes" not in page
    refused = client.get(
        URL, {**MONDAY_FORM, "format": "csv", "download": "1",
              "campaign": str(world.acme.orders.pk)},
    )  # fmt: skip
    assert refused.status_code == 400
    rows = b"".join(download(client, format="csv").streaming_content).decode("utf-8-sig")
    assert rows.count("\r\n") == 2  # the header and support's one processing


def test_agents_and_supervisors_without_the_right_are_refused(world: World) -> None:
    world.acme.agent.can_export = True
    world.acme.agent.save(update_fields=["can_export"])
    assert client_of(world.acme.agent).get(URL).status_code == 403
    world.sam.can_export = False
    world.sam.save(update_fields=["can_export"])
    client = client_of(world.sam)
    assert client.get(URL).status_code == 403
    assert 'data-testid="nav-exports"' not in client.get("/supervision/flagged/").content.decode()
