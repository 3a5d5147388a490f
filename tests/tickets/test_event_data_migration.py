"""Migration 0007: the sentence a history row was written with moves into its data, in one
UPDATE whatever the number of rows, and stays readable (and reversible)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.tickets.history import sentence
from tests.conftest import Migrate

BEFORE = [("tickets", "0006_repair_out_of_range_dates")]
AFTER = [("tickets", "0007_event_data")]
TEXT = "new ticket: no known Message-ID referenced and no usable subject tag"


def old_history(migrator: Migrate) -> None:
    old = migrator(BEFORE)
    domain = old.get_model("tenancy", "Domain").objects.create(slug="acme", name="Acme")
    campaign = old.get_model("campaigns", "Campaign").objects.create(
        domain=domain, slug="support", name="Support"
    )
    contact = old.get_model("tickets", "Contact").objects.create(
        domain=domain, email="claire@client.test"
    )
    ticket = old.get_model("tickets", "Ticket").objects.create(
        domain=domain, campaign=campaign, contact=contact, number=1
    )
    Event = old.get_model("tickets", "TicketEvent")
    Event.objects.create(
        domain=domain, ticket=ticket, kind="ticket_created", detail=TEXT, data={"rule": "new"}
    )
    Event.objects.create(domain=domain, ticket=ticket, kind="unlocked", detail="l'agent « x »")
    Event.objects.create(domain=domain, ticket=ticket, kind="requeued", detail="")


def test_old_sentences_move_into_the_data_in_one_update(migrator: Migrate) -> None:
    old_history(migrator)
    with CaptureQueriesContext(connection) as queries:
        new = migrator(AFTER)
    table = new.get_model("tickets", "TicketEvent")._meta.db_table
    updates = [q["sql"] for q in queries if q["sql"].startswith(f"UPDATE {table}")]
    assert len(updates) == 1
    rows = new.get_model("tickets", "TicketEvent").objects.order_by("pk")
    assert [(e.kind, e.data) for e in rows] == [
        ("ticket_created", {"rule": "new", "text": TEXT}),
        ("unlocked", {"text": "l'agent « x »"}),
        ("requeued", {}),
    ]
    shown = [sentence(e.kind, e.data, "fr") for e in rows]
    assert shown == [TEXT, "l'agent « x »", "remis dans la file"]


def test_the_migration_goes_back_to_the_sentences(migrator: Migrate) -> None:
    old_history(migrator)
    migrator(AFTER)
    back = migrator(BEFORE)
    rows = back.get_model("tickets", "TicketEvent").objects.order_by("pk")
    assert [(e.detail, e.data) for e in rows] == [
        (TEXT, {"rule": "new"}),
        ("l'agent « x »", {}),
        ("", {}),
    ]
