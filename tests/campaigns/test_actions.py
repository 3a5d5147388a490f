"""The campaign editor's actions (comptoir/campaigns/actions/, by topic): each refuses bad input
by field and writes nothing then."""

import struct
import zlib
from datetime import UTC, date, datetime, time
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from PIL import Image

from comptoir.campaigns.actions import planning, routing, templates
from comptoir.campaigns.actions.campaign import create_campaign
from comptoir.campaigns.icons import checked_icon
from comptoir.campaigns.models import Campaign, EmailTemplate, Holiday, InboundAddress, OpeningHours
from comptoir.distribution.models import Processing
from comptoir.scripts import actions as script_actions
from comptoir.scripts.models import OutcomeKind, QualificationScript, ScriptVersion
from comptoir.tenancy.models import Role, User
from tests.conftest import Acme, make_acme
from tests.ui.conftest import make_ticket


def boss(acme: Acme) -> User:
    """The domain's campaign manager (created on first use)."""
    user, _created = User.objects.get_or_create(
        domain=acme.domain,
        login="maud",
        defaults={"role": Role.ADMIN, "can_manage_campaigns": True},
    )
    return user


def encoded(size: tuple[int, int], image_format: str) -> bytes:
    """A real image, as an image editor would save it."""
    buffer = BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, image_format)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header (with right checksums) claims that size, over an empty body."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b""))
        + png_chunk(b"IEND", b"")
    )


PNG_1x1 = encoded((1, 1), "PNG")


def test_a_new_campaign_gets_a_unique_slug_from_its_name(acme: Acme) -> None:
    first = create_campaign(acme.domain, name="Service Après-Vente", by=boss(acme))
    second = create_campaign(acme.domain, name="Service après vente", by=boss(acme))
    assert (first.slug, second.slug) == ("service-apres-vente", "service-apres-vente-2")
    assert create_campaign(acme.domain, name="New", by=boss(acme)).slug == "new-campaign"
    # The same name in another domain is that domain's business.
    globex = make_acme("globex")
    assert (
        create_campaign(globex.domain, name="Service après-vente", by=boss(globex)).slug
        == first.slug
    )


def test_an_inbound_address_is_stored_lower_case_and_only_in_its_mail_domain(acme: Acme) -> None:
    added = routing.add_inbound_address(acme.support, "  Help@Acme.TEST ", by=boss(acme))
    assert added.address == "help@acme.test"
    globex = make_acme("globex")
    with pytest.raises(ValidationError) as refused:
        routing.add_inbound_address(globex.support, "HELP@acme.test", by=boss(globex))
    assert "address" in refused.value.error_dict
    with pytest.raises(ValidationError):
        routing.add_inbound_address(acme.orders, "not an address", by=boss(acme))
    assert InboundAddress.objects.filter(address="help@acme.test").count() == 1
    assert not InboundAddress.objects.filter(campaign=globex.support, address__startswith="help")


def test_a_template_with_an_unknown_variable_is_refused_and_not_saved(acme: Acme) -> None:
    with pytest.raises(ValidationError) as refused:
        templates.save_template(
            acme.support,
            None,
            tag="",
            name="Bad",
            subject="Hi",
            body="Hello {{ unknown }}",
            by=boss(acme),
        )
    assert "body" in refused.value.error_dict
    assert not EmailTemplate.objects.filter(name="Bad").exists()


def test_a_template_used_by_the_automatic_reply_is_not_deleted(acme: Acme) -> None:
    template = templates.save_template(
        acme.support,
        None,
        tag="auto",
        name="Ack",
        subject="",
        body="Bonjour {{ customer_name }}",
        by=boss(acme),
    )
    Campaign.objects.filter(pk=acme.support.pk).update(
        auto_reply_enabled=True, auto_reply_template=template
    )
    with pytest.raises(ValidationError):
        templates.delete_template(template, by=boss(acme))
    assert EmailTemplate.objects.filter(pk=template.pk).exists()


def test_opening_hours_must_close_after_they_open(acme: Acme) -> None:
    with pytest.raises(ValidationError) as refused:
        planning.add_opening_hours(
            acme.support, weekday=0, opens=time(18), closes=time(9), by=boss(acme)
        )
    assert "closes" in refused.value.error_dict
    assert not OpeningHours.objects.exists()


def test_icons_are_checked_by_their_content() -> None:
    assert checked_icon(PNG_1x1).extension == "png"
    for hostile in (
        b"just text.png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.test/a.png"/></svg>',
        b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg>&x;</svg>',
        png_header_only(5000, 1),
    ):
        with pytest.raises(ValidationError):
            checked_icon(hostile)


def icon_refusal(content: bytes) -> str:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        checked_icon(content)
    return " ".join(refused.value.message_dict["icon"])


def test_real_png_and_jpeg_icons_are_stored_as_uploaded() -> None:
    for content, extension in (
        (encoded((32, 32), "PNG"), "png"),
        (encoded((1024, 1024), "PNG"), "png"),
        (encoded((48, 24), "JPEG"), "jpg"),
    ):
        icon = checked_icon(content)
        assert (icon.extension, icon.content) == (extension, content)


def test_a_valid_header_on_a_broken_body_is_refused() -> None:
    png, jpeg = encoded((64, 64), "PNG"), encoded((64, 64), "JPEG")
    assert "PNG image is damaged" in icon_refusal(png[: len(png) // 2])
    assert "PNG image is damaged" in icon_refusal(png[:33] + b"garbage" * 40)
    assert "PNG image is damaged" in icon_refusal(png_header_only(16, 16))
    assert "JPEG image is damaged" in icon_refusal(jpeg[: len(jpeg) // 2])
    # Another format behind a PNG signature is not taken for a PNG.
    assert "damaged" in icon_refusal(b"\x89PNG\r\n\x1a\n" + encoded((4, 4), "GIF"))


@pytest.mark.parametrize("size", [(100_000, 100_000), (1500, 800), (1025, 1), (1, 5000)])
def test_a_header_claiming_a_huge_image_is_refused(size: tuple[int, int]) -> None:
    # (100000, 100000) is a decompression bomb for Pillow, (1500, 800) a warning made an error.
    assert "at most 1024 × 1024 pixels" in icon_refusal(png_header_only(*size))


def processing_with(acme: Acme, code: str, version: ScriptVersion | None = None) -> Processing:
    """A qualified processing of the support campaign (with that version of its script)."""
    ticket = make_ticket(acme.support)
    if version is not None and not version.frozen:
        version.frozen = True
        version.save(update_fields=["frozen"])
    return Processing.objects.create(
        domain=acme.domain,
        ticket=ticket,
        campaign=acme.support,
        agent=acme.agent,
        outcome_code=code,
        outcome_label="Done",
        outcome_kind=OutcomeKind.FINAL,
        script_version=version,
    )


def test_only_the_domains_campaign_managers_may_change_a_campaign(acme: Acme) -> None:
    globex = make_acme("globex")
    for user in (acme.agent, acme.supervisor, boss(globex)):
        with pytest.raises(PermissionDenied):
            routing.add_inbound_address(acme.support, "new@acme.test", by=user)
        with pytest.raises(PermissionDenied):
            script_actions.create_script(acme.domain.pk, "Mine", by=user)
    assert not InboundAddress.objects.filter(address="new@acme.test").exists()
    assert not QualificationScript.objects.exists()


def test_holidays_are_changed_only_by_the_domains_campaign_managers(acme: Acme) -> None:
    holiday = planning.add_holiday(
        acme.support, date=date(2030, 5, 1), name=" 1er mai ", by=boss(acme)
    )
    assert (holiday.domain_id, holiday.name) == (acme.domain.pk, "1er mai")
    globex = make_acme("globex")
    for user in (acme.agent, acme.supervisor, boss(globex)):
        with pytest.raises(PermissionDenied):
            planning.add_holiday(acme.support, date=date(2030, 5, 8), name="8 mai", by=user)
        with pytest.raises(PermissionDenied):
            planning.add_french_holidays(acme.support, by=user)
        with pytest.raises(PermissionDenied):
            planning.remove_holiday(acme.support, holiday.pk, by=user)
    # Another campaign cannot remove it either.
    planning.remove_holiday(acme.orders, holiday.pk, by=boss(acme))
    assert list(Holiday.objects.all()) == [holiday]


def test_a_holiday_needs_a_name_and_a_free_date(acme: Acme) -> None:
    for bad, field in (({"name": " "}, "name"), ({"date": date(2030, 5, 1)}, "date")):
        if field == "date":
            planning.add_holiday(acme.support, date=date(2030, 5, 1), name="1er mai", by=boss(acme))
        with pytest.raises(ValidationError) as refused:
            planning.add_holiday(
                acme.support, **{"date": date(2030, 5, 2), "name": "x", **bad}, by=boss(acme)
            )
        assert field in refused.value.error_dict
    assert Holiday.objects.count() == 1


def test_france_s_holidays_are_added_for_this_year_and_the_next_once(acme: Acme) -> None:
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # already 2027 in Paris
    assert planning.add_french_holidays(acme.support, by=boss(acme), now=now) == 22
    assert planning.add_french_holidays(acme.support, by=boss(acme), now=now) == 0
    days = Holiday.objects.filter(campaign=acme.support).values_list("date", flat=True)
    assert {day.year for day in days} == {2027, 2028}
    assert date(2027, 3, 29) in days  # Lundi de Pâques 2027


def test_one_holiday_action_serves_a_campaign_and_its_domain_each_with_its_rules(
    acme: Acme,
) -> None:
    may_day = planning.add_holiday(
        acme.domain, date=date(2030, 5, 1), name="1er mai", by=boss(acme)
    )
    # The domain's holiday closes the campaign already: the campaign may not list it again.
    with pytest.raises(ValidationError) as refused:
        planning.add_holiday(acme.support, date=date(2030, 5, 1), name="Fête", by=boss(acme))
    assert refused.value.message_dict["date"] == [
        "Cette date est déjà un jour férié de cette campagne."
    ]
    own = planning.add_holiday(acme.support, date=date(2030, 5, 8), name="8 mai", by=boss(acme))
    # A campaign's own date does not stop the domain's, which a date holds once.
    planning.add_holiday(acme.domain, date=date(2030, 5, 8), name="8 mai", by=boss(acme))
    with pytest.raises(ValidationError) as refused:
        planning.add_holiday(acme.domain, date=date(2030, 5, 8), name="8 mai", by=boss(acme))
    assert refused.value.message_dict["date"] == ["Cette date est déjà un jour férié du domaine."]
    assert planning.holidays_of(acme.support) == [own]
    assert [h.date for h in planning.holidays_of(acme.domain)] == [
        date(2030, 5, 1),
        date(2030, 5, 8),
    ]
    # Each owner removes only its own holidays.
    planning.remove_holiday(acme.domain, own.pk, by=boss(acme))
    planning.remove_holiday(acme.support, may_day.pk, by=boss(acme))
    assert Holiday.objects.count() == 3
    planning.remove_holiday(acme.support, own.pk, by=boss(acme))
    assert planning.holidays_of(acme.support) == []


def test_france_s_holidays_for_a_domain_or_a_campaign_skip_the_dates_listed(acme: Acme) -> None:
    assert planning.add_french_holidays(acme.domain, year=2030, by=boss(acme)) == 11
    assert planning.add_french_holidays(acme.support, year=2030, by=boss(acme)) == 0
    now = datetime(2030, 6, 1, tzinfo=UTC)
    assert planning.add_french_holidays(acme.support, by=boss(acme), now=now) == 11  # 2031's
    assert {h.date.year for h in planning.holidays_of(acme.support)} == {2031}
    assert planning.add_french_holidays(acme.domain, year=2031, by=boss(acme)) == 11


def test_a_template_is_changed_only_through_its_owner(acme: Acme) -> None:
    text = {"tag": "", "subject": "", "body": "Merci"}
    own = templates.save_template(acme.support, None, name="Merci", by=boss(acme), **text)
    shared = templates.save_template(acme.domain, None, name="Merci", by=boss(acme), **text)
    assert (own.campaign_id, shared.campaign_id) == (acme.support.pk, None)
    for owner, template in ((acme.domain, own), (acme.support, shared), (acme.orders, own)):
        with pytest.raises(PermissionDenied):
            templates.save_template(owner, template, name="Autre", by=boss(acme), **text)
    with pytest.raises(ValidationError) as refused:
        templates.save_template(acme.domain, None, name="Merci", by=boss(acme), **text)
    assert refused.value.message_dict["name"] == [
        "Le domaine a déjà un modèle partagé portant ce nom."
    ]
    assert sorted(EmailTemplate.objects.values_list("name", flat=True)) == ["Merci", "Merci"]
