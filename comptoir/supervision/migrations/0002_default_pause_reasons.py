"""The default pause reasons for the domains that exist already, in each domain's language
(new domains get them when created: supervision.apps). A domain that has reasons keeps
them. The labels are written out here, not translated at run time, so that the migration
gives the same rows whatever the translations become."""

from django.db import migrations

LABELS = {
    "fr": ["Déjeuner", "Pause", "Formation", "Réunion", "Tâche annexe"],
    "en": ["Lunch", "Break", "Training", "Meeting", "Side task"],
}


def labels(language: str) -> list[str]:
    return LABELS.get((language or "").split("-")[0].lower(), LABELS["en"])


def add_defaults(apps, schema_editor):  # type: ignore[no-untyped-def]
    Domain = apps.get_model("tenancy", "Domain")
    PauseReason = apps.get_model("supervision", "PauseReason")
    having = set(PauseReason.objects.values_list("domain_id", flat=True).distinct())
    rows = [
        PauseReason(domain_id=domain_id, label=label, position=position)
        for domain_id, language in Domain.objects.values_list("id", "language")
        if domain_id not in having
        for position, label in enumerate(labels(language))
    ]
    PauseReason.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("supervision", "0001_agent_states")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
