"""Replace the dates Python cannot read (year 10000 UTC and the like), written before every
action checked its dates' range (issue 10, finding 8): see comptoir/tickets/repair.py."""

from django.db import migrations


def repair(apps, schema_editor):  # type: ignore[no-untyped-def]
    from comptoir.tickets.repair import repair_out_of_range_dates

    repair_out_of_range_dates(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_contact_extra"),
        ("distribution", "0002_processing_script_version"),
        ("campaigns", "0011_qualification_scripts_finish"),
    ]

    operations = [migrations.RunPython(repair, migrations.RunPython.noop)]
