"""Replace the dates Python cannot read (year 10000 UTC and the like), written before every
action checked its dates' range (issue 10, finding 8): see comptoir/tickets/repair.py."""

from django.db import migrations


def repair(apps, schema_editor):  # type: ignore[no-untyped-def]
    from comptoir.tickets.repair import repair_out_of_range_dates

    repair_out_of_range_dates(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0005_automatic_replies_index"),
        ("distribution", "0002_processing_script_version"),
        ("campaigns", "0014_mail_domains_of_existing_addresses"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
