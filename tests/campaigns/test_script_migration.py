"""The migration to versioned scripts keeps every campaign's outcomes and questions."""

from tests.conftest import Migrate

BEFORE = [("campaigns", "0008_shared_templates_signatures")]
AFTER = [("campaigns", "0011_qualification_scripts_finish")]


def test_each_campaign_s_script_becomes_a_script_of_its_domain(migrator: Migrate) -> None:
    old = migrator(BEFORE)
    Domain = old.get_model("tenancy", "Domain")
    Campaign = old.get_model("campaigns", "Campaign")
    Outcome = old.get_model("campaigns", "QualificationOutcome")
    Field = old.get_model("campaigns", "QualificationField")
    domain = Domain.objects.create(slug="acme", name="Acme")
    support = Campaign.objects.create(domain=domain, slug="support", name="Support")
    twin = Campaign.objects.create(domain=domain, slug="twin", name="Support")
    Campaign.objects.create(domain=domain, slug="bare", name="Bare")
    for campaign in (support, twin):
        Outcome.objects.create(
            domain=domain, campaign=campaign, code="done", label="Fait", kind="final"
        )
    Field.objects.create(domain=domain, campaign=support, name="why", label="Pourquoi")

    new = migrator(AFTER)
    Campaign = new.get_model("campaigns", "Campaign")
    Script = new.get_model("campaigns", "QualificationScript")
    scripts = {c.slug: c.qualification_script for c in Campaign.objects.all()}
    assert scripts["bare"] is None
    assert (scripts["support"].name, scripts["twin"].name) == ("Support", "Support (2)")
    version = scripts["support"].versions.get()
    assert version.number == 1 and not version.frozen
    assert [(o.code, o.label) for o in version.outcomes.all()] == [("done", "Fait")]
    assert [q.name for q in version.questions.all()] == ["why"]
    assert Script.objects.count() == 2
