# Issue 12, step 3 of 3 of the scripts' move (scripts 0001): a campaign's script is now
# scripts.QualificationScript, and the campaigns app forgets the four models. State only:
# their tables and rows stay (the scripts app uses them under the same names), so no SQL runs.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0014_mail_domains_of_existing_addresses"),
        ("scripts", "0001_initial"),
        # The processings' foreign key leaves campaigns.ScriptVersion first.
        ("distribution", "0003_script_version_moved"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="campaign",
                    name="qualification_script",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="campaigns",
                        to="scripts.qualificationscript",
                    ),
                ),
                migrations.DeleteModel(name="QualificationField"),
                migrations.DeleteModel(name="QualificationOutcome"),
                migrations.DeleteModel(name="ScriptVersion"),
                migrations.DeleteModel(name="QualificationScript"),
            ],
            database_operations=[],
        )
    ]
