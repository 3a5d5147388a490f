"""The scheduled reports' page: reached from the Reports page, in French and English; a
schedule added with the form, refused with the core's message, deleted after a question."""

import pytest
from django.urls import reverse

from comptoir.supervision.models import ScheduledReport
from tests.supervision.conftest import World, make_world
from tests.ui.conftest import client_for


@pytest.fixture
def world(db: None) -> World:
    world = make_world()
    for user in (world.sam, world.sue, world.acme.agent):
        user.email = f"{user.login}@acme.test"
        user.save()
    return world


def test_a_supervisor_schedules_and_deletes_a_report(world: World) -> None:
    client = client_for(world.sue)
    page = client.get(reverse("ui:reports"))
    assert reverse("ui:scheduled_reports") in page.content.decode()
    url = reverse("ui:scheduled_reports")
    form = client.get(url).content.decode()
    assert "Rapports programmés" in form and "Chaque jour (la veille)" in form
    assert "Commandes" not in form  # sue supervises support only
    data = {"name": "Matin", "frequency": "daily", "campaigns": [world.acme.support.pk]}
    answer = client.post(url, data | {"recipients": [world.sue.pk]})
    assert answer.status_code == 302
    schedule = ScheduledReport.objects.get()
    assert (schedule.created_by, list(schedule.recipients.all())) == (world.sue, [world.sue])
    refused = client.post(url, data | {"recipients": [world.acme.agent.pk]})
    assert refused.status_code == 400
    assert "ne peut pas recevoir ce rapport" in refused.content.decode()
    delete = reverse("ui:delete_scheduled_report", args=[schedule.pk])
    question = client.get(delete).content.decode()
    assert "Supprimer le rapport programmé « Matin » ?" in question
    assert ScheduledReport.objects.exists()  # asked, not done
    assert client.post(delete).status_code == 302
    assert not ScheduledReport.objects.exists()
    world.sue.language = "en"
    world.sue.save()
    english = client_for(world.sue).get(url).content.decode()
    assert "Scheduled reports" in english and "Every day (the day before)" in english


def test_agents_and_other_supervisors_are_refused(world: World) -> None:
    schedule = ScheduledReport.objects.create(
        domain=world.acme.domain, name="Sam", frequency="daily", created_by=world.sam
    )
    agent = client_for(world.acme.agent)
    assert agent.get(reverse("ui:scheduled_reports")).status_code == 403
    delete = reverse("ui:delete_scheduled_report", args=[schedule.pk])
    assert client_for(world.sue).post(delete).status_code == 404  # not hers
    assert ScheduledReport.objects.exists()
