# Issue 12: qualification scripts leave the campaigns app for their own. The models move in
# the migrations' state only: their tables keep their names (Meta.db_table) and their rows,
# and no SQL runs (`sqlmigrate scripts 0001` prints none). Step 1 of 3: the models appear
# here; distribution 0003 and campaigns 0015 point their foreign keys here, then campaigns
# forgets them. tests/scripts/test_move_migration.py migrates a filled database across.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

OUTCOME_KINDS = [
    ("final", "Final (closes the ticket)"),
    ("reopen_later", "Reopen later"),
    ("waiting_customer", "Waiting for the customer"),
    ("not_finished", "Not finished (back to the queue)"),
]
FIELD_TYPES = [
    ("text", "Short text"),
    ("textarea", "Long text"),
    ("choice", "Choice"),
    ("yes_no", "Yes / no"),
    ("number", "Number"),
    ("date", "Date"),
]


def id_field():
    return models.BigAutoField(
        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
    )


def domain_field(**options):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.CASCADE, to="tenancy.domain", **options
    )


def version_field(related_name):
    return models.ForeignKey(
        on_delete=django.db.models.deletion.CASCADE,
        related_name=related_name,
        to="scripts.scriptversion",
    )


SCRIPT = migrations.CreateModel(
    name="QualificationScript",
    fields=[
        ("id", id_field()),
        ("name", models.CharField(max_length=200)),
        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
        ("domain", domain_field(related_name="qualification_scripts")),
    ],
    options={
        "db_table": "campaigns_qualificationscript",
        "ordering": ["name", "id"],
        "constraints": [
            models.UniqueConstraint(fields=("domain", "name"), name="qualification_script_name")
        ],
    },
)
VERSION = migrations.CreateModel(
    name="ScriptVersion",
    fields=[
        ("id", id_field()),
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
        ("domain", domain_field()),
        (
            "script",
            models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="versions",
                to="scripts.qualificationscript",
            ),
        ),
    ],
    options={
        "db_table": "campaigns_scriptversion",
        "ordering": ["script", "-number"],
        "constraints": [
            models.UniqueConstraint(fields=("script", "number"), name="script_version_number")
        ],
    },
)
OUTCOME = migrations.CreateModel(
    name="QualificationOutcome",
    fields=[
        ("id", id_field()),
        ("code", models.SlugField(max_length=63)),
        ("label", models.CharField(max_length=200)),
        ("kind", models.CharField(choices=OUTCOME_KINDS, max_length=32)),
        ("position", models.PositiveIntegerField(default=0)),
        ("domain", domain_field()),
        ("version", version_field("outcomes")),
    ],
    options={
        "db_table": "campaigns_qualificationoutcome",
        "ordering": ["position", "id"],
        "constraints": [
            models.UniqueConstraint(
                fields=("version", "code"), name="qualification_outcome_code_per_version"
            )
        ],
    },
)
QUESTION = migrations.CreateModel(
    name="QualificationField",
    fields=[
        ("id", id_field()),
        ("name", models.SlugField(max_length=63)),
        ("label", models.CharField(max_length=200)),
        (
            "field_type",
            models.CharField(choices=FIELD_TYPES, default="text", max_length=16),
        ),
        ("choices", models.JSONField(blank=True, default=list)),
        ("required", models.BooleanField(default=False)),
        ("position", models.PositiveIntegerField(default=0)),
        ("domain", domain_field()),
        ("version", version_field("questions")),
    ],
    options={
        "db_table": "campaigns_qualificationfield",
        "ordering": ["position", "id"],
        "constraints": [
            models.UniqueConstraint(
                fields=("version", "name"), name="qualification_field_name_per_version"
            )
        ],
    },
)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("campaigns", "0014_mail_domains_of_existing_addresses"),
        ("tenancy", "0006_mail_domain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[SCRIPT, VERSION, OUTCOME, QUESTION], database_operations=[]
        )
    ]
