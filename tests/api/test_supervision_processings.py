"""GET /api/v1/supervision/processings: JSON pages with a cursor, CSV and XLSX streamed, the
API's rights, and parameters refused by name."""

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from comptoir.api.actions import create_token
from comptoir.tenancy.models import Role, User
from tests.api.conftest import Api
from tests.conftest import make_acme
from tests.distribution.conftest import customer_writes
from tests.supervision.conftest import MONDAY, World, bulk_processings, make_world, processed

URL = "/api/v1/supervision/processings"
MONDAY_PARAMS = "start=2026-11-02&end=2026-11-02"


@pytest.fixture
def sup(db: None) -> World:
    """Acme's supervisors and script (tests/supervision/conftest.py)."""
    return make_world()


def token(user: User) -> str:
    user.can_use_api = True
    user.save(update_fields=["can_use_api"])
    return create_token(user, name="bi")[1]


def fetch(api: Api, key: str, query: str) -> Any:
    return api.client.get(f"{URL}?{query}", headers={"Authorization": f"Bearer {key}"})


def both_campaigns(sup: World) -> None:
    processed(sup.acme, sup.acme.support, MONDAY, 95, outcome="resolu",
              answers={"motif": "Facture « double »"})  # fmt: skip
    processed(sup.acme, sup.acme.orders, MONDAY + timedelta(hours=1), 30, outcome="done")


def test_json_pages_follow_the_cursor(sup: World, api: Api) -> None:
    ticket = customer_writes(sup.acme)
    bulk_processings(ticket, sup.acme.agent, 5, first_end=MONDAY, version=sup.version)
    key, seen, cursor = token(sup.sam), [], ""
    while True:
        answer = fetch(api, key, f"{MONDAY_PARAMS}&limit=2&cursor={cursor}")
        assert answer.status_code == 200
        body = answer.json()
        seen += body["processings"]
        if body["next_cursor"] is None:
            break
        cursor = body["next_cursor"]
    assert len(seen) == 5 and len({row["processing"] for row in seen}) == 5
    first = seen[0]
    assert first["ended_at"] == "2026-11-02T09:00:00+01:00"
    assert first["started_at"] == "2026-11-02T08:58:25+01:00"
    assert (first["duration_seconds"], first["end_reason"], first["outcome_kind"]) == (
        95,
        "qualified",
        "final",
    )
    assert first["answers"]["motif"] == "Réclamation n°0"


def test_csv_is_streamed_with_keys_by_default_and_labels_on_request(sup: World, api: Api) -> None:
    both_campaigns(sup)
    sup.sam.language = "en"  # else the domain's: French
    sup.sam.save(update_fields=["language"])
    key = token(sup.sam)
    answer = fetch(api, key, f"{MONDAY_PARAMS}&format=csv")
    assert answer.status_code == 200 and isinstance(answer, StreamingHttpResponse)
    assert answer["Content-Type"] == "text/csv; charset=utf-8"
    assert answer["Content-Disposition"] == 'attachment; filename="processings-2026-11-02.csv"'
    data = b"".join(answer.streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["processing", "ticket", "campaign_slug"]
    assert [row[2] for row in rows[1:]] == ["support", "orders"]
    assert rows[1][rows[0].index("answer_motif")] == "Facture « double »"
    # sam reads French: the labels and the name of the file are in French.
    sup.sam.language = "fr"
    sup.sam.save(update_fields=["language"])
    answer = fetch(api, key, f"{MONDAY_PARAMS}&format=csv&headers=labels&separator=semicolon")
    assert "traitements-2026-11-02.csv" in answer["Content-Disposition"]
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    assert text.startswith("Traitement;Ticket;")


def test_xlsx_is_a_workbook_sent_from_a_temporary_file(sup: World, api: Api) -> None:
    both_campaigns(sup)
    answer = fetch(api, token(sup.sam), f"{MONDAY_PARAMS}&format=xlsx&campaign=support")
    assert answer.status_code == 200 and isinstance(answer, FileResponse)
    assert answer["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    workbook = load_workbook(io.BytesIO(b"".join(answer.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][2] == "support"


def test_supervisors_see_only_their_campaigns_and_agents_are_refused(sup: World, api: Api) -> None:
    both_campaigns(sup)
    sup.sue.can_export = True
    sup.sue.save(update_fields=["can_export"])
    sue = token(sup.sue)
    rows = fetch(api, sue, MONDAY_PARAMS).json()["processings"]
    assert [row["campaign_slug"] for row in rows] == ["support"]
    assert fetch(api, sue, f"{MONDAY_PARAMS}&campaign=orders").status_code == 404
    assert fetch(api, token(sup.acme.agent), MONDAY_PARAMS).status_code == 403
    sup.sam.can_export = False
    sup.sam.save(update_fields=["can_export"])
    assert fetch(api, token(sup.sam), MONDAY_PARAMS).status_code == 403


def test_another_domain_finds_nothing(sup: World, api: Api) -> None:
    both_campaigns(sup)
    globex = make_acme("globex")
    boss = User(domain=globex.domain, login="boss", role=Role.ADMIN)
    boss.apply_role_rights()
    boss.save()
    key = token(boss)
    assert fetch(api, key, MONDAY_PARAMS).json() == {"processings": [], "next_cursor": None}
    assert fetch(api, key, f"{MONDAY_PARAMS}&agent=alice").json()["processings"] == []
    assert fetch(api, key, f"{MONDAY_PARAMS}&agent=sue").status_code == 404


def test_parameters_are_refused_by_name(sup: World, api: Api) -> None:
    key = token(sup.sam)
    for query, field in [
        ("start=yesterday", "start"),
        ("start=2026-11-02T09:00:00", "start"),  # no offset
        ("start=0001-01-01", "start"),
        ("end=2026-02-30", "end"),
        ("start=2026-11-03&end=2026-11-01", "end"),
        ("format=pdf", "format"),
        ("limit=0", "limit"),
        ("limit=99999", "limit"),
        ("cursor=nope", "cursor"),
        ("format=csv&separator=tab", "separator"),
    ]:
        answer = fetch(api, key, query)
        assert answer.status_code == 400, query
        assert field in answer.json()["fields"], (query, answer.json())


def test_a_name_no_database_can_hold_names_nothing(sup: World, api: Api) -> None:
    """Found by the fuzzer: a NUL in a team's name reached PostgreSQL (a 500)."""
    key = token(sup.sam)
    for query in ("team=a%00b", "agent=%00", "campaign=support%00"):
        assert fetch(api, key, query).status_code == 404, query
