"""The campaign editor's Advanced, Icon, Qualification and Import history tabs: each saves
what it is given, or refuses it next to the field and leaves the database as it was."""

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.campaigns.models import (
    Campaign,
    EmailTemplate,
    Holiday,
    OpeningHours,
    OutcomeKind,
    QualificationField,
    QualificationOutcome,
)
from tests.campaigns.test_actions import PNG_1x1, encoded, png_header_only, processing_with
from tests.conftest import Acme, make_acme
from tests.ui.campaign_editor_helpers import manager, url
from tests.ui.conftest import client_for, make_ticket


@pytest.fixture
def maud(acme: Acme) -> Client:
    return client_for(manager(acme))


# --- Advanced -------------------------------------------------------------------------------


def test_templates_are_created_grouped_by_tag_and_previewed(acme: Acme, maud: Client) -> None:
    data = {"tag": "Livraison", "name": "Retard", "subject": "Ticket {{ ticket_number }}"}
    data["body"] = "Bonjour {{ customer_name }},\n{{ agent_name }}"
    assert maud.post(url("manage_template_add", acme), data).status_code == 302
    template = EmailTemplate.objects.get(campaign=acme.support, name="Retard")
    page = maud.get(url("manage_advanced", acme)).text
    assert "Livraison" in page and f'data-testid="template-{template.pk}"' in page

    # No ticket yet: a made-up one.
    preview = maud.get(url("manage_template", acme, template.pk)).text
    assert "Bonjour Claire Martin," in preview and "Ticket 12345" in preview
    # Then the campaign's latest ticket.
    ticket = make_ticket(acme.support)
    preview = maud.post(url("manage_template_preview", acme), data, HTTP_HX_REQUEST="true").text
    assert "Bonjour Claire Client," in preview and f"Ticket {ticket.number}" in preview
    assert "<html" not in preview

    maud.post(url("manage_template_remove", acme, template.pk))
    assert not EmailTemplate.objects.filter(pk=template.pk).exists()


def test_a_template_with_an_unknown_variable_is_refused_at_save(acme: Acme, maud: Client) -> None:
    data = {"tag": "", "name": "Oops", "subject": "", "body": "Bonjour {{ unknown }}"}
    response = maud.post(url("manage_template_add", acme), data)
    assert response.status_code == 400
    error = response.text.split('id="id_body_error"')[1].split("</div>")[0]
    assert "{{ unknown }}" in error
    assert not EmailTemplate.objects.filter(name="Oops").exists()


def test_advanced_settings_are_saved_in_the_domains_time_zone(acme: Acme, maud: Client) -> None:
    data = {
        "priority": 5,
        "planning_start": "2026-03-02T09:00",
        "planning_end": "2026-06-30T18:00",
        "max_attempts": 3,
        "blocking_minutes": 15,
    }
    assert maud.post(url("manage_advanced", acme), data).status_code == 302
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert not campaign.quote_previous  # unchecked
    assert (campaign.priority, campaign.max_attempts, campaign.blocking_minutes) == (5, 3, 15)
    assert campaign.planning_start is not None
    assert campaign.planning_start.isoformat() == "2026-03-02T08:00:00+00:00"  # Europe/Paris
    assert 'value="2026-03-02T09:00"' in maud.get(url("manage_advanced", acme)).text

    for bad in ({"max_attempts": 0}, {"planning_end": "2026-01-01T00:00"}):
        response = maud.post(url("manage_advanced", acme), {**data, "priority": 9, **bad})
        assert response.status_code == 400 and "field-invalid" in response.text
    assert Campaign.objects.get(pk=acme.support.pk).priority == 5


def test_opening_hours_are_added_and_removed_and_must_close_after_opening(
    acme: Acme, maud: Client
) -> None:
    maud.post(url("manage_hours_add", acme), {"weekday": 0, "opens": "09:00", "closes": "18:00"})
    hours = OpeningHours.objects.get(campaign=acme.support)
    assert f'data-testid="hours-{hours.pk}"' in maud.get(url("manage_advanced", acme)).text
    bad = {"weekday": 1, "opens": "18:00", "closes": "09:00"}
    response = maud.post(url("manage_hours_add", acme), bad)
    assert response.status_code == 400 and 'id="id_closes_error"' in response.text
    assert OpeningHours.objects.count() == 1
    maud.post(url("manage_hours_remove", acme, hours.pk))
    assert not OpeningHours.objects.exists()


def test_holidays_are_added_once_and_removed(acme: Acme, maud: Client) -> None:
    data = {"date": "2030-05-01", "name": "Fête du travail"}
    assert maud.post(url("manage_holiday_add", acme), data).status_code == 302
    holiday = Holiday.objects.get(campaign=acme.support)
    assert (holiday.domain, str(holiday.date)) == (acme.domain, "2030-05-01")
    page = maud.get(url("manage_advanced", acme)).text
    assert f'data-testid="holiday-{holiday.pk}"' in page and "Fête du travail" in page

    # The date is listed already: refused next to the field, nothing saved.
    response = maud.post(url("manage_holiday_add", acme), {**data, "name": "Again"})
    assert response.status_code == 400 and 'id="id_date_error"' in response.text
    # So is a date the whole domain has off.
    Holiday.objects.create(domain=acme.domain, date="2030-07-14", name="14 juillet")
    response = maud.post(url("manage_holiday_add", acme), {"date": "2030-07-14", "name": "X"})
    assert response.status_code == 400 and 'id="id_date_error"' in response.text
    assert Holiday.objects.count() == 2

    maud.post(url("manage_holiday_remove", acme, holiday.pk))
    assert list(Holiday.objects.values_list("name", flat=True)) == ["14 juillet"]


def test_france_s_public_holidays_are_added_once(acme: Acme, maud: Client) -> None:
    year = timezone.localdate(timezone=ZoneInfo(acme.domain.time_zone)).year
    page = maud.get(url("manage_advanced", acme)).text
    assert f"Add France's public holidays for {year} and {year + 1}" in page
    Holiday.objects.create(
        domain=acme.domain, campaign=acme.support, date=f"{year}-12-25", name="Christmas"
    )
    assert maud.post(url("manage_holidays_france", acme)).status_code == 302
    assert Holiday.objects.filter(campaign=acme.support).count() == 22
    assert Holiday.objects.get(date=f"{year}-12-25").name == "Christmas"  # kept, not doubled
    assert Holiday.objects.filter(date=f"{year + 1}-07-14", name="14 juillet").exists()
    maud.post(url("manage_holidays_france", acme))
    assert Holiday.objects.count() == 22


def test_holidays_need_the_right_and_stay_in_their_domain(acme: Acme, maud: Client) -> None:
    holiday = Holiday.objects.create(
        domain=acme.domain, campaign=acme.support, date="2030-05-01", name="1er mai"
    )
    agent = client_for(acme.agent)
    assert agent.post(url("manage_holiday_add", acme), {"date": "2030-05-08"}).status_code == 403
    assert agent.post(url("manage_holidays_france", acme)).status_code == 403
    assert agent.post(url("manage_holiday_remove", acme, holiday.pk)).status_code == 403

    globex = make_acme("globex")
    Campaign.objects.filter(pk=globex.support.pk).update(slug="globex-support")
    other = client_for(manager(globex))
    data = {"date": "2030-05-08", "name": "8 mai"}
    assert other.post(url("manage_holiday_add", acme), data).status_code == 404
    assert other.post(url("manage_holidays_france", acme)).status_code == 404
    assert other.post(url("manage_holiday_remove", acme, holiday.pk)).status_code == 404
    # Nor through her own campaign: the holiday is not hers.
    globex.support.refresh_from_db()
    address = reverse("ui:manage_holiday_remove", args=[globex.support.slug, holiday.pk])
    assert other.post(address).status_code == 404
    assert list(Holiday.objects.all()) == [holiday]


# --- Icon -----------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def upload(client: Client, acme: Acme, name: str, content: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(url("manage_icon", acme), {"icon": SimpleUploadedFile(name, content)})


def test_an_uploaded_png_becomes_the_icon(acme: Acme, maud: Client, media: None) -> None:
    assert upload(maud, acme, "logo.png", PNG_1x1).status_code == 302
    campaign = Campaign.objects.get(pk=acme.support.pk)
    assert (campaign.icon.name or "").endswith(".png")
    served = maud.get(reverse("ui:campaign_icon", args=["support"]))
    assert served["Content-Type"] == "image/png" and served.content == PNG_1x1


def test_an_svg_icon_is_served_with_a_restrictive_policy(
    acme: Acme, maud: Client, media: None
) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 8 8"><circle r="4"/></svg>'
    upload(maud, acme, "logo.svg", svg)
    served = maud.get(reverse("ui:campaign_icon", args=["support"]))
    assert served["Content-Type"] == "image/svg+xml"
    assert served["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"<circle" in served.content


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("logo.png", b"I am only text pretending", "not a PNG, JPEG or SVG"),
        ("logo.png", PNG_1x1 + b"\0" * (600 * 1024), "larger than 512"),
        ("logo.png", encoded((40, 40), "PNG")[:60], "PNG image is damaged"),
        ("logo.png", png_header_only(5000, 5000), "at most 1024"),
        (
            "evil.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>x()</script></svg>',
            "script",
        ),
    ],
)
def test_a_hostile_or_oversized_icon_is_refused(
    acme: Acme, maud: Client, media: None, name: str, content: bytes, why: str
) -> None:
    response = upload(maud, acme, name, content)
    assert response.status_code == 400
    assert 'id="id_icon_error"' in response.text and why in response.text
    assert not Campaign.objects.get(pk=acme.support.pk).icon


def test_a_builtin_icon_can_be_picked(acme: Acme, maud: Client, media: None) -> None:
    maud.post(url("manage_icon", acme), {"builtin_icon": "truck"})
    assert Campaign.objects.get(pk=acme.support.pk).builtin_icon == "truck"
    served = maud.get(reverse("ui:campaign_icon", args=["support"]))
    assert served.status_code == 302 and served["Location"].endswith("ui/icons/truck.svg")
    maud.post(url("manage_icon", acme), {"builtin_icon": "../../settings"})
    assert Campaign.objects.get(pk=acme.support.pk).builtin_icon == "truck"


# --- Qualification and history --------------------------------------------------------------


def test_the_qualification_script_is_edited_and_reordered(acme: Acme, maud: Client) -> None:
    for code, kind in (("done", "final"), ("later", "reopen_later")):
        maud.post(url("manage_outcome_add", acme), {"code": code, "label": code, "kind": kind})
    later = QualificationOutcome.objects.get(campaign=acme.support, code="later")
    maud.post(url("manage_outcome_move", acme, later.pk), {"direction": "up"})
    codes = list(acme.support.qualification_outcomes.values_list("code", flat=True))
    assert codes == ["later", "done"]
    question = {"name": "motif", "label": "Motif", "field_type": "choice", "choices": "a\nb"}
    assert maud.post(url("manage_question_add", acme), question).status_code == 302
    assert QualificationField.objects.get(campaign=acme.support).choices == ["a", "b"]
    page = maud.get(url("manage_qualification", acme)).text
    assert 'data-testid="outcome-later"' in page and 'data-testid="question-motif"' in page


def test_script_changes_that_would_break_the_past_are_refused(acme: Acme, maud: Client) -> None:
    maud.post(url("manage_outcome_add", acme), {"code": "done", "label": "Done", "kind": "final"})
    done = QualificationOutcome.objects.get(campaign=acme.support)
    processing_with(acme, "done")
    rename = {"code": "closed", "label": "Done", "kind": "final"}
    response = maud.post(url("manage_outcome", acme, done.pk), rename)
    assert response.status_code == 400 and 'id="outcome_code_error"' in response.text
    maud.post(url("manage_outcome_remove", acme, done.pk))
    assert QualificationOutcome.objects.get(pk=done.pk).code == "done"
    assert done.kind == OutcomeKind.FINAL


def test_a_script_is_copied_from_another_campaign(acme: Acme, maud: Client) -> None:
    QualificationOutcome.objects.create(
        domain=acme.domain, campaign=acme.orders, code="shipped", label="Shipped", kind="final"
    )
    maud.post(url("manage_script_copy", acme), {"source": acme.orders.pk})
    codes = list(acme.support.qualification_outcomes.values_list("code", flat=True))
    assert codes == ["shipped"]
    globex = make_acme("globex")
    maud.post(url("manage_script_copy", acme), {"source": globex.support.pk})
    assert list(acme.support.qualification_outcomes.values_list("code", flat=True)) == codes


def test_history_tab_lists_the_campaigns_imports(acme: Acme, maud: Client) -> None:
    response = maud.get(url("manage_history", acme))
    assert response.status_code == 200 and 'data-testid="import-jobs"' not in response.text
    imports = pytest.importorskip("comptoir.imports.models")
    for campaign in (acme.support, acme.orders):
        imports.ImportJob.objects.create(
            domain=acme.domain,
            campaign=campaign,
            kind="mail",
            filename=f"{campaign.slug}-archive.mbox",
            created_by=acme.supervisor,
            created_count=7,
        )
    page = maud.get(url("manage_history", acme)).text
    assert 'data-testid="import-jobs"' in page and "support-archive.mbox" in page
    assert "orders-archive.mbox" not in page


def test_a_question_is_changed_in_place(acme: Acme, maud: Client) -> None:
    question = {"name": "motif", "label": "Motif", "field_type": "choice", "choices": "a\nb"}
    maud.post(url("manage_question_add", acme), question)
    saved = QualificationField.objects.get(campaign=acme.support)
    page = maud.get(url("manage_qualification", acme)).text
    assert ">a\nb\n</textarea>" in page
    changed = {**question, "label": "Reason", "required": "on", "choices": "a\nb\nc"}
    assert maud.post(url("manage_question", acme, saved.pk), changed).status_code == 302
    saved.refresh_from_db()
    assert (saved.label, saved.required, saved.choices) == ("Reason", True, ["a", "b", "c"])
    no_choices = {**question, "choices": ""}
    response = maud.post(url("manage_question", acme, saved.pk), no_choices)
    assert response.status_code == 400 and 'id="question_choices_error"' in response.text
    # The form shown again saves the same question, not a new one.
    form_tag = response.text.split('data-testid="question-form"')[0].rsplit("<form", 1)[1]
    assert f'action="{url("manage_question", acme, saved.pk)}"' in form_tag
    saved.refresh_from_db()
    assert saved.choices == ["a", "b", "c"]
