"""Reports (issue 13): when an agent first replied to each ticket, kept on the ticket
(`first_response_at`, set by tickets.outbound.reply from now on), and the indexes the
reports read by. The past is filled from the stored replies in one UPDATE: the first
outbound message of each ticket that is not an automatic reply."""

from django.db import migrations, models

# UPDATE … FROM: PostgreSQL, and SQLite since 3.33; one pass over the replies, no row read
# into Python, whatever the number of tickets.
BACKFILL = (
    "UPDATE {tickets} SET first_response_at = first.at FROM ("
    " SELECT ticket_id, MIN(created_at) AS at FROM {messages}"
    " WHERE direction = 'outbound' AND NOT is_automatic GROUP BY ticket_id"
    ") AS first WHERE first.ticket_id = {tickets}.id"
)


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    tickets = apps.get_model("tickets", "Ticket")._meta.db_table
    messages = apps.get_model("tickets", "Message")._meta.db_table
    schema_editor.execute(BACKFILL.format(tickets=tickets, messages=messages))


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0014_mail_domains_of_existing_addresses"),
        ("tenancy", "0006_mail_domain"),
        ("tickets", "0007_event_data"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="first_response_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(fields=["campaign", "created_at"], name="ticket_received"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("first_response_at__isnull", False)),
                fields=["campaign", "first_response_at"],
                name="ticket_first_response",
            ),
        ),
        migrations.AddIndex(
            model_name="ticketevent",
            index=models.Index(
                condition=models.Q(("kind", "ticket_reopened")),
                fields=["domain", "created_at"],
                name="event_reopened",
            ),
        ),
    ]
