"""Reports (issue 13): `message_report` covers what the messages figure reads (ticket,
direction, is_automatic, author), so a month of one domain is an index-only scan
instead of a scan of the whole messages table (1.8 s → see docs/benchmarks.md). Key columns
rather than INCLUDE, which SQLite does not have: the range on created_at is still the
prefix's."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0013_merge_reports_ui"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="message", name="message_report"),
        migrations.AddIndex(
            model_name="message",
            index=models.Index(
                fields=["domain", "created_at", "ticket", "direction", "is_automatic", "author"],
                name="message_report",
            ),
        ),
    ]
