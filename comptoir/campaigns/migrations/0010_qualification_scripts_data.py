# Step 2 of 3: each campaign that had outcomes or questions of its own gets a script of the
# same name (made unique in its domain), version 1 holding them, assigned to the campaign.

from django.db import migrations


def forwards(apps, schema_editor):
    Campaign = apps.get_model("campaigns", "Campaign")
    Script = apps.get_model("campaigns", "QualificationScript")
    Version = apps.get_model("campaigns", "ScriptVersion")
    Outcome = apps.get_model("campaigns", "QualificationOutcome")
    Field = apps.get_model("campaigns", "QualificationField")
    for campaign in Campaign.objects.order_by("pk"):
        outcomes = Outcome.objects.filter(campaign=campaign)
        questions = Field.objects.filter(campaign=campaign)
        if not outcomes.exists() and not questions.exists():
            continue
        name, n = campaign.name, 1
        while Script.objects.filter(domain_id=campaign.domain_id, name=name).exists():
            n += 1
            name = f"{campaign.name} ({n})"
        script = Script.objects.create(domain_id=campaign.domain_id, name=name)
        version = Version.objects.create(domain_id=campaign.domain_id, script=script, number=1)
        outcomes.update(version=version)
        questions.update(version=version)
        campaign.qualification_script = script
        campaign.save(update_fields=["qualification_script"])


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0009_qualification_scripts")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
