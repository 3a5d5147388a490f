# Issue 12, step 2 of 3 of the scripts' move (scripts 0001): a processing's version is now
# scripts.ScriptVersion. State only: the column and its constraint stay as they are (the
# table kept its name), so no SQL runs.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0002_processing_script_version"),
        ("scripts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="processing",
                    name="script_version",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="processings",
                        to="scripts.scriptversion",
                    ),
                )
            ],
            database_operations=[],
        )
    ]
