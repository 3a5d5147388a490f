"""Reports (issue 13): processings ended in a period, closings (also counted from the
beginning for the backlog) and reopening dates, each read through an index of its own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("distribution", "0002_processing_script_version")]

    operations = [
        migrations.AddIndex(
            model_name="processing",
            index=models.Index(fields=["campaign", "ended_at"], name="processing_ended"),
        ),
        migrations.AddIndex(
            model_name="processing",
            index=models.Index(
                condition=models.Q(("outcome_kind", "final")),
                fields=["campaign", "ended_at"],
                name="processing_closing",
            ),
        ),
        migrations.AddIndex(
            model_name="processing",
            index=models.Index(
                condition=models.Q(("reopen_at__isnull", False)),
                fields=["campaign", "reopen_at"],
                name="processing_reopen",
            ),
        ),
    ]
