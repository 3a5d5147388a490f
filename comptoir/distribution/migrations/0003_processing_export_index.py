"""The processings detail (issue 13, supervision.processings): a domain's processings ended in
a period, read a page at a time in (ended_at, id) order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("distribution", "0002_processing_script_version")]

    operations = [
        migrations.AddIndex(
            model_name="processing",
            index=models.Index(
                fields=["domain", "ended_at", "id"], name="processing_domain_ended"
            ),
        ),
    ]
