# Step 3 of 3: outcomes and questions belong to a script version, no longer to a campaign.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0010_qualification_scripts_data")]

    operations = [
        migrations.RemoveField(model_name="qualificationoutcome", name="campaign"),
        migrations.RemoveField(model_name="qualificationfield", name="campaign"),
        migrations.AlterField(
            model_name="qualificationoutcome",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outcomes",
                to="campaigns.scriptversion",
            ),
        ),
        migrations.AlterField(
            model_name="qualificationfield",
            name="version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="questions",
                to="campaigns.scriptversion",
            ),
        ),
        migrations.AddConstraint(
            model_name="qualificationoutcome",
            constraint=models.UniqueConstraint(
                fields=("version", "code"), name="qualification_outcome_code_per_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="qualificationfield",
            constraint=models.UniqueConstraint(
                fields=("version", "name"), name="qualification_field_name_per_version"
            ),
        ),
    ]
