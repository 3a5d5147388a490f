"""The campaign editor's Advanced, Icon, Qualification and Import history tabs: each saves
what it is given, or refuses it next to the field and leaves the database as it was."""

from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comptoir.campaigns.models import Campaign, EmailTemplate, Holiday, OpeningHours
from comptoir.imports.models import ImportJob
from comptoir.scripts.models import (
    QualificationField,
    QualificationOutcome,
    QualificationScript,
    ScriptVersion,
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


def script_url(name: str, *args: object) -> str:
    return reverse(f"ui:{name}", args=list(args))


def new_script(acme: Acme, maud: Client, name: str = "Support") -> QualificationScript:
    """Created from the campaign's tab: the campaign uses it at once."""
    response = maud.post(url("manage_script_new_for_campaign", acme), {"name": name})
    assert response.status_code == 302
    script = QualificationScript.objects.get(domain=acme.domain, name=name)
    assert Campaign.objects.get(pk=acme.support.pk).qualification_script_id == script.pk
    return script


def newest(script: QualificationScript) -> ScriptVersion:
    return script.versions.order_by("-number").first()  # type: ignore[return-value]


def test_the_qualification_script_is_edited_and_reordered(acme: Acme, maud: Client) -> None:
    page = maud.get(url("manage_qualification", acme)).text
    assert 'data-testid="standard-outcomes"' in page
    script = new_script(acme, maud)
    back = {"campaign": "support"}
    for code, kind in (("done", "final"), ("later", "reopen_later")):
        response = maud.post(
            script_url("manage_outcome_add", script.pk),
            {"code": code, "label": code, "kind": kind, **back},
        )
        assert response["Location"].endswith("/support/qualification/#script")
    later = QualificationOutcome.objects.get(version__script=script, code="later")
    maud.post(script_url("manage_outcome_move", script.pk, later.pk), {"direction": "up"})
    assert [o.code for o in newest(script).outcomes.all()] == ["later", "done"]
    question = {"name": "motif", "label": "Motif", "field_type": "choice", "choices": "a\nb"}
    assert maud.post(script_url("manage_question_add", script.pk), question).status_code == 302
    assert QualificationField.objects.get(version__script=script).choices == ["a", "b"]
    page = maud.get(url("manage_qualification", acme)).text
    assert 'data-testid="outcome-later"' in page and 'data-testid="question-motif"' in page
    assert 'name="campaign" value="support"' in page
    library = maud.get(script_url("manage_script", script.pk)).text
    assert 'data-testid="outcome-later"' in library and "Support" in library
    assert script.versions.count() == 1


def test_a_used_script_changes_in_a_new_version(acme: Acme, maud: Client) -> None:
    script = new_script(acme, maud)
    add = script_url("manage_outcome_add", script.pk)
    maud.post(add, {"code": "done", "label": "Done", "kind": "final"})
    done = QualificationOutcome.objects.get(version__script=script)
    processing_with(acme, "done", version=done.version)
    rename = {"code": "closed", "label": "Closed", "kind": "final"}
    assert maud.post(script_url("manage_outcome", script.pk, done.pk), rename).status_code == 302
    assert [o.code for o in newest(script).outcomes.all()] == ["closed"]
    done.refresh_from_db()
    assert (done.code, done.version.number) == ("done", 1)
    page = maud.get(script_url("manage_script", script.pk)).text
    assert 'data-testid="script-versions"' in page and "Version 2." in page
    old = maud.get(script_url("manage_script_version", script.pk, 1)).text
    assert "1 processing was qualified with this version." in old and "(done" in old
    # The last final outcome stays, with its message; nothing changes.
    maud.post(script_url("manage_outcome_remove", script.pk, done.pk))
    assert [o.code for o in newest(script).outcomes.all()] == ["closed"]
    assert script.versions.count() == 2


def test_a_script_is_shared_or_copied_between_campaigns(acme: Acme, maud: Client) -> None:
    script = new_script(acme, maud)
    maud.post(
        script_url("manage_outcome_add", script.pk), {"code": "ok", "label": "OK", "kind": "final"}
    )
    orders = reverse("ui:manage_qualification", args=["orders"])
    assert maud.post(orders, {"script": script.pk}).status_code == 302
    assert Campaign.objects.get(pk=acme.orders.pk).qualification_script_id == script.pk
    page = maud.get(url("manage_qualification", acme)).text
    assert 'data-testid="script-used-by"' in page and "Commandes" in page
    copy = reverse("ui:manage_script_new_for_campaign", args=["orders"])
    maud.post(copy, {"name": "Commandes", "copy_of": script.pk})
    copied = QualificationScript.objects.get(name="Commandes")
    assert Campaign.objects.get(pk=acme.orders.pk).qualification_script_id == copied.pk
    assert [o.code for o in newest(copied).outcomes.all()] == ["ok"]
    # Another domain's script is not a choice.
    globex = make_acme("globex")
    theirs = QualificationScript.objects.create(domain=globex.domain, name="Globex")
    response = maud.post(orders, {"script": theirs.pk})
    assert response.status_code == 400 and 'id="id_script_error"' in response.text
    assert Campaign.objects.get(pk=acme.orders.pk).qualification_script_id == copied.pk
    # Back to the standard outcomes.
    maud.post(orders, {"script": ""})
    assert Campaign.objects.get(pk=acme.orders.pk).qualification_script_id is None


def test_library_lists_creates_renames_and_removes_scripts(acme: Acme, maud: Client) -> None:
    response = maud.post(script_url("manage_script_add"), {"name": "Vente"})
    vente = QualificationScript.objects.get(name="Vente")
    assert response["Location"] == script_url("manage_script", vente.pk)
    duplicate = maud.post(script_url("manage_script_add"), {"name": "Vente"})
    assert duplicate.status_code == 400 and 'id="id_name_error"' in duplicate.text
    listing = maud.get(script_url("manage_scripts")).text
    assert f'data-testid="script-{vente.pk}"' in listing and "no campaign" in listing
    renamed = maud.post(script_url("manage_script", vente.pk), {"name": "Ventes"})
    assert renamed.status_code == 302
    script_actions_used = new_script(acme, maud)
    refused = maud.post(script_url("manage_script_remove", script_actions_used.pk))
    assert (
        refused.status_code == 302
        and QualificationScript.objects.filter(pk=script_actions_used.pk).exists()
    )
    maud.post(script_url("manage_script_remove", vente.pk))
    assert list(QualificationScript.objects.values_list("name", flat=True)) == ["Support"]


def test_history_tab_lists_the_campaigns_imports(acme: Acme, maud: Client) -> None:
    response = maud.get(url("imports", acme))
    assert response.status_code == 200 and 'data-testid="import-jobs"' not in response.text
    assert f'<a href="{url("imports", acme)}" aria-current="page">' in response.text  # a tab
    for campaign in (acme.support, acme.orders):
        ImportJob.objects.create(
            domain=acme.domain,
            campaign=campaign,
            kind="mail",
            filename=f"{campaign.slug}-archive.mbox",
            created_by=acme.supervisor,
            created_count=7,
        )
    page = maud.get(url("imports", acme)).text
    assert 'data-testid="import-jobs"' in page and "support-archive.mbox" in page
    assert "orders-archive.mbox" not in page


def test_the_former_history_address_leads_to_the_one_import_history_for_good(
    acme: Acme, maud: Client
) -> None:
    response = maud.get(url("manage_history", acme))
    assert response.status_code == 301
    assert response["Location"] == url("imports", acme)
    assert url("manage_history", acme).endswith("/support/history/")
    assert url("imports", acme).endswith("/support/imports/")
    # The redirect tells nothing to those without the right, nor of another domain's campaign.
    assert client_for(acme.agent).get(url("manage_history", acme)).status_code == 403
    assert maud.get(url("manage_history", acme).replace("support", "nowhere")).status_code == 404


def test_a_question_is_changed_in_place(acme: Acme, maud: Client) -> None:
    script = new_script(acme, maud)
    question = {"name": "motif", "label": "Motif", "field_type": "choice", "choices": "a\nb"}
    maud.post(script_url("manage_question_add", script.pk), question)
    saved = QualificationField.objects.get(version__script=script)
    page = maud.get(url("manage_qualification", acme)).text
    assert ">a\nb\n</textarea>" in page
    changed = {**question, "label": "Reason", "required": "on", "choices": "a\nb\nc"}
    question_url = script_url("manage_question", script.pk, saved.pk)
    assert maud.post(question_url, changed).status_code == 302
    saved.refresh_from_db()
    assert (saved.label, saved.required, saved.choices) == ("Reason", True, ["a", "b", "c"])
    no_choices = {**question, "choices": "", "campaign": "support"}
    response = maud.post(question_url, no_choices)
    assert response.status_code == 400 and 'id="question_choices_error"' in response.text
    # The form shown again saves the same question, not a new one.
    form_tag = response.text.split('data-testid="question-form"')[0].rsplit("<form", 1)[1]
    assert f'action="{question_url}"' in form_tag
    assert 'data-testid="script-assign-form"' in response.text  # the campaign's tab
    saved.refresh_from_db()
    assert saved.choices == ["a", "b", "c"]
    other = {"name": "note", "label": "Note", "field_type": "number"}
    maud.post(script_url("manage_question_add", script.pk), other)
    note = QualificationField.objects.get(version__script=script, name="note")
    maud.post(script_url("manage_question_move", script.pk, note.pk), {"direction": "up"})
    assert [q.name for q in newest(script).questions.all()] == ["note", "motif"]
    removed = maud.post(script_url("manage_question_remove", script.pk, saved.pk))
    assert removed.status_code == 302
    assert [q.name for q in newest(script).questions.all()] == ["note"]
