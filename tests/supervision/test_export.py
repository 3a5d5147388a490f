"""`comptoir export`: the public JSON lines format, tickets and quarantine."""

import base64
import json
from io import StringIO

from django.core.management import call_command

from comptoir.mail.ingest import ingest_email
from tests.conftest import Acme, read_eml


def export(*args: str) -> list[dict]:
    out = StringIO()
    call_command("export", *args, stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_export_has_one_line_per_ticket_in_the_documented_format(acme: Acme) -> None:
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    ingest_email(read_eml("ingest/reply-in-reply-to.eml"), domain=acme.domain)
    ingest_email(read_eml("ingest/no-message-id.eml"), domain=acme.domain)
    rows = export("--domain", "acme", "--format", "jsonl")
    assert [r["number"] for r in rows] == [1, 2]
    first = rows[0]
    assert first["campaign"] == "support"
    assert first["status"] == "open"
    assert first["contact"] == {"email": "camille.durand@exemple.fr", "name": "Camille Durand"}
    assert [m["message_id"] for m in first["messages"]] == [
        "req-1@exemple.fr",
        "req-1-followup@exemple.fr",
    ]
    message = first["messages"][0]
    assert set(message) >= {
        "direction",
        "message_id",
        "from",
        "to",
        "cc",
        "subject",
        "date",
        "text",
        "html",
        "attachments",
    }
    assert message["direction"] == "inbound"
    assert message["to"] == [{"email": "support@acme.test", "name": ""}]
    assert message["date"] == "2026-11-16T08:12:00+00:00"  # stored and exported in UTC
    assert rows[1]["messages"][0]["text"].startswith("Ma commande n'est pas arrivée.")


def test_export_never_shows_another_domains_tickets(acme: Acme) -> None:
    from tests.conftest import make_acme

    make_acme("globex")
    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    assert export("--domain", "globex") == []


def test_quarantine_export_includes_the_raw_bytes_and_reason(acme: Acme) -> None:
    raw = read_eml("ingest/from-our-own-address.eml")
    ingest_email(raw, domain=acme.domain)
    rows = export("--domain", "acme", "--quarantine")
    assert len(rows) == 1
    assert rows[0]["quarantine"] is True
    assert "own address" in rows[0]["reason"]
    assert base64.b64decode(rows[0]["raw_base64"]) == raw


def test_export_keeps_the_history_in_its_stable_english_machine_form(acme: Acme) -> None:
    from django.utils import translation

    ingest_email(read_eml("ingest/new-request.eml"), domain=acme.domain)
    ingest_email(read_eml("ingest/reply-in-reply-to.eml"), domain=acme.domain)
    with translation.override("fr"):  # whoever exports, whatever their language
        (row,) = export("--domain", "acme")
    assert set(row) == {
        "number",
        "campaign",
        "subject",
        "status",
        "created_at",
        "contact",
        "messages",
        "history",
    }
    assert [set(event) for event in row["history"]] == [{"at", "kind", "actor", "data", "text"}] * 2
    created, appended = row["history"]
    assert (created["kind"], created["data"], created["actor"]) == (
        "ticket_created",
        {"rule": "new"},
        None,
    )
    assert created["text"] == "new ticket: no known Message-ID referenced and no usable subject tag"
    assert appended["kind"] == "message_appended"
    assert appended["data"] == {"rule": "in-reply-to", "message_id": "req-1@exemple.fr"}
    assert appended["text"] == "matched In-Reply-To header <req-1@exemple.fr>"
