"""Ticket history as a kind and its parameters (issue 12): the English sentence a row was
written with (`detail`) moves into its data as {"text": …}, which tickets.history shows as
stored. One UPDATE whatever the number of rows; no row is read into Python."""

from django.db import migrations, models

# Per database: Django has no portable expression that adds a key to a JSON object.
FORWARD = {
    "postgresql": "UPDATE {table} SET data = data || jsonb_build_object('text', detail) "
    "WHERE detail <> ''",
    "sqlite": "UPDATE {table} SET data = json_set(data, '$.text', detail) WHERE detail <> ''",
}
BACKWARD = {
    "postgresql": "UPDATE {table} SET detail = data ->> 'text', data = data - 'text' "
    "WHERE data ->> 'text' IS NOT NULL",
    "sqlite": "UPDATE {table} SET detail = json_extract(data, '$.text'), "
    "data = json_remove(data, '$.text') WHERE json_extract(data, '$.text') IS NOT NULL",
}


def run(statements: dict[str, str]):  # type: ignore[no-untyped-def]
    def update(apps, schema_editor):  # type: ignore[no-untyped-def]
        table = apps.get_model("tickets", "TicketEvent")._meta.db_table
        vendor = schema_editor.connection.vendor
        schema_editor.execute(statements[vendor].format(table=table))

    return update


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_repair_out_of_range_dates")]

    operations = [
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
        migrations.RemoveField(model_name="ticketevent", name="detail"),
        migrations.AlterField(
            model_name="ticketevent",
            name="kind",
            field=models.CharField(
                choices=[
                    ("ticket_created", "Ticket created"),
                    ("message_appended", "Message added"),
                    ("ticket_reopened", "Ticket reopened"),
                    ("reply_queued", "Reply queued for sending"),
                    ("note_added", "Internal note added"),
                    ("auto_reply_queued", "Automatic reply queued"),
                    ("auto_reply_skipped", "No automatic reply"),
                    (
                        "auto_reply_capped",
                        "Automatic reply withheld: the campaign's hourly limit is reached",
                    ),
                    ("delivery_failed", "Delivery failed"),
                    ("delivery_partial", "Delivered to some recipients only"),
                    ("processing_started", "Processing started"),
                    ("processing_qualified", "Processing qualified"),
                    ("processing_released", "Processing paused"),
                    ("lock_expired", "Lock expired"),
                    ("max_attempts_reached", "Maximum attempts reached"),
                    ("assigned", "Assigned"),
                    ("unassigned", "Assignment removed"),
                    ("reassigned", "Reassigned"),
                    ("unlocked", "Unlocked"),
                    ("requeued", "Back in the queue"),
                ],
                max_length=64,
            ),
        ),
    ]
