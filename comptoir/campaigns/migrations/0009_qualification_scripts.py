# Qualification scripts become objects of the domain, in versions (step 1 of 3: new tables
# and links, all nullable).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0008_shared_templates_signatures"),
        ("tenancy", "0003_password_reset_email"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="QualificationScript",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=200)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "domain",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="qualification_scripts",
                        to="tenancy.domain",
                    ),
                ),
            ],
            options={
                "ordering": ["name", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("domain", "name"), name="qualification_script_name"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ScriptVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("frozen", models.BooleanField(default=False)),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "domain",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="tenancy.domain"
                    ),
                ),
                (
                    "script",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="campaigns.qualificationscript",
                    ),
                ),
            ],
            options={
                "ordering": ["script", "-number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("script", "number"), name="script_version_number"
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="campaign",
            name="qualification_script",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="campaigns",
                to="campaigns.qualificationscript",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="qualificationoutcome", name="qualification_outcome_code_unique"
        ),
        migrations.RemoveConstraint(
            model_name="qualificationfield", name="qualification_field_name_unique"
        ),
        migrations.AddField(
            model_name="qualificationoutcome",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="outcomes",
                to="campaigns.scriptversion",
            ),
        ),
        migrations.AddField(
            model_name="qualificationfield",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="questions",
                to="campaigns.scriptversion",
            ),
        ),
    ]
