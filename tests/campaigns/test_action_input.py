"""Every campaign editor action checks its own input (issue 12 §2): called directly, without
a form, bad input is a ValidationError by field and nothing is written; never an
IntegrityError or DataError from the database (a 500), on SQLite as on PostgreSQL."""

from dataclasses import replace
from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation

from comptoir.campaigns.actions import mailboxes, planning, routing, templates
from comptoir.campaigns.actions.campaign import (
    AdvancedSettings,
    CampaignInfo,
    create_campaign,
    update_advanced_settings,
    update_campaign_info,
)
from comptoir.campaigns.models import Campaign, EmailTemplate, Holiday, ImapMailbox, OpeningHours
from comptoir.tenancy.models import Team
from tests.campaigns.test_actions import boss
from tests.conftest import Acme, make_acme

HUGE = 10**20  # past any integer column (and SQLite's 64 bits)
LONG = "x" * 201


def info(acme: Acme, **changes: object) -> CampaignInfo:
    good = CampaignInfo(
        name="Support",
        sender_name="Support Acme",
        sender_email="support@acme.test",
        reply_to="",
        attachment_display="list",
        signature="",
        auto_reply_enabled=False,
        auto_reply_template_id=None,
        auto_reply_daily_limit=3,
        agent_team_ids=[],
        supervision_team_ids=[],
    )
    return replace(good, **changes)  # type: ignore[arg-type]


def refused(call: object, *fields: str) -> ValidationError:
    """The action refuses with a ValidationError naming `fields`, in a transaction that is
    still usable afterwards (no database error happened inside it)."""
    assert callable(call)
    with transaction.atomic(), pytest.raises(ValidationError) as caught:
        call()
    error = caught.value
    if fields:
        assert set(fields) <= set(error.message_dict), error.message_dict
    assert Campaign.objects.exists()  # the connection still answers
    return error


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sender_email": "not an address"}, "sender_email"),
        ({"sender_email": "a@@acme.test"}, "sender_email"),
        ({"reply_to": "nobody"}, "reply_to"),
        ({"reply_to": "x" * 250 + "@acme.test"}, "reply_to"),
        ({"sender_email": "support@globex.test"}, "sender_email"),
        ({"auto_reply_daily_limit": -1}, "auto_reply_daily_limit"),
        ({"auto_reply_daily_limit": HUGE}, "auto_reply_daily_limit"),
        ({"auto_reply_hourly_limit": -5}, "auto_reply_hourly_limit"),
        ({"auto_reply_hourly_limit": 2**31}, "auto_reply_hourly_limit"),
        ({"name": "   "}, "name"),
        ({"name": LONG}, "name"),
        ({"sender_name": LONG}, "sender_name"),
        ({"attachment_display": "carousel"}, "attachment_display"),
        ({"agent_team_ids": [HUGE]}, "agent_teams"),
        ({"auto_reply_enabled": True}, "auto_reply_template"),
        ({"qualification_script_id": HUGE}, "qualification_script"),
    ],
)
def test_campaign_info_refuses_bad_input_by_field(
    acme: Acme, changes: dict[str, object], field: str
) -> None:
    before = Campaign.objects.values().get(pk=acme.support.pk)
    refused(
        lambda: update_campaign_info(acme.support, info(acme, **changes), by=boss(acme)),
        field,
    )
    assert Campaign.objects.values().get(pk=acme.support.pk) == before


def test_campaign_info_refuses_another_domains_team_template_and_signature(acme: Acme) -> None:
    globex = make_acme("globex")
    theirs = EmailTemplate.objects.create(domain=globex.domain, name="Leur", body="b")
    team = Team.objects.get(domain=globex.domain, name="Agents")
    bad = info(acme, agent_team_ids=[team.pk], auto_reply_template_id=theirs.pk)
    refused(
        lambda: update_campaign_info(acme.support, bad, by=boss(acme)),
        "agent_teams",
        "auto_reply_template",
    )


def test_campaign_info_reports_every_refused_field_at_once_in_french(acme: Acme) -> None:
    bad = info(acme, sender_email="nope", auto_reply_daily_limit=-1)
    with translation.override("fr"):
        error = refused(lambda: update_campaign_info(acme.support, bad, by=boss(acme)))
    assert error.message_dict == {
        "sender_email": ["Saisissez une adresse électronique valide."],
        "auto_reply_daily_limit": ["Saisissez un nombre entier de 0 à 1000."],
    }


def test_good_campaign_info_is_saved(acme: Acme) -> None:
    good = info(acme, reply_to="Help@Acme.test", auto_reply_daily_limit=0)
    update_campaign_info(acme.support, good, by=boss(acme))
    acme.support.refresh_from_db()
    assert (acme.support.reply_to, acme.support.auto_reply_daily_limit) == ("help@acme.test", 0)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"priority": HUGE}, "priority"),
        ({"priority": -1001}, "priority"),
        ({"max_attempts": 0}, "max_attempts"),
        ({"max_attempts": HUGE}, "max_attempts"),
        ({"blocking_minutes": -1}, "blocking_minutes"),
        ({"blocking_minutes": 2**40}, "blocking_minutes"),
    ],
)
def test_advanced_settings_refuse_out_of_range_numbers(
    acme: Acme, changes: dict[str, object], field: str
) -> None:
    good = AdvancedSettings(
        quote_previous=True,
        priority=0,
        planning_start=None,
        planning_end=None,
        max_attempts=5,
        blocking_minutes=60,
    )
    bad = replace(good, **changes)  # type: ignore[arg-type]
    refused(lambda: update_advanced_settings(acme.support, bad, by=boss(acme)), field)


def test_new_campaign_names_are_checked_not_cut(acme: Acme) -> None:
    refused(lambda: create_campaign(acme.domain, name=" ", by=boss(acme)), "name")
    refused(lambda: create_campaign(acme.domain, name=LONG, by=boss(acme)), "name")
    assert Campaign.objects.filter(domain=acme.domain).count() == 2


@pytest.mark.parametrize(
    "address", ["", "nobody", "x" * 250 + "@acme.test", "a b@acme.test", "help@globex.test"]
)
def test_inbound_addresses_are_checked(acme: Acme, address: str) -> None:
    make_acme("globex")
    refused(lambda: routing.add_inbound_address(acme.support, address, by=boss(acme)), "address")


def test_templates_are_checked_and_another_campaigns_template_is_not_changed(acme: Acme) -> None:
    def save(template: EmailTemplate | None = None, **fields: str) -> EmailTemplate:
        values = {"tag": "", "name": "Merci", "subject": "", "body": "Merci", **fields}
        return templates.save_template(acme.support, template, by=boss(acme), **values)

    refused(lambda: save(name=""), "name")
    refused(lambda: save(name=LONG), "name")
    refused(lambda: save(tag="t" * 101), "tag")
    refused(lambda: save(subject="s" * 999), "subject")
    refused(lambda: save(body="{{ nothing_known }}"), "body")
    others = EmailTemplate.objects.create(
        domain=acme.domain, campaign=acme.orders, name="Commandes", body="c"
    )
    with pytest.raises(PermissionDenied):
        save(others, name="Pris")
    assert not EmailTemplate.objects.filter(name="Pris").exists()


def test_opening_hours_and_holidays_are_checked(acme: Acme) -> None:
    def hours(weekday: int, opens: time, closes: time) -> OpeningHours:
        return planning.add_opening_hours(
            acme.support, weekday=weekday, opens=opens, closes=closes, by=boss(acme)
        )

    refused(lambda: hours(-1, time(9), time(17)), "weekday")
    refused(lambda: hours(HUGE, time(9), time(17)), "weekday")
    refused(lambda: hours(0, time(17), time(9)), "closes")
    day = date(2030, 5, 2)
    for name in ("", "   ", LONG):
        refused(
            lambda n=name: planning.add_holiday(acme.support, date=day, name=n, by=boss(acme)),
            "name",
        )
        refused(
            lambda n=name: planning.add_holiday(acme.domain, date=day, name=n, by=boss(acme)),
            "name",
        )
    refused(
        lambda: planning.add_holiday(
            acme.support, date=date(9999, 1, 1), name="Loin", by=boss(acme)
        ),
        "date",
    )
    refused(
        lambda: planning.add_french_holidays(acme.domain, year=HUGE, by=boss(acme)),
        "year",
    )
    assert not OpeningHours.objects.exists() and not Holiday.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"port": 0}, "port"),
        ({"port": 70000}, "port"),
        ({"port": HUGE}, "port"),
        ({"host": ""}, "host"),
        ({"host": "h" * 256}, "host"),
        ({"username": ""}, "username"),
        ({"folder": "f" * 256}, "folder"),
        ({"move_to": "m" * 256}, "move_to"),
    ],
)
def test_mailboxes_are_checked(acme: Acme, changes: dict[str, object], field: str) -> None:
    values = {
        "host": "imap.acme.test",
        "port": 993,
        "security": "tls",
        "username": "support",
        "folder": "INBOX",
        "move_to": "",
        "enabled": True,
        "password": "secret",
        **changes,
    }
    refused(lambda: mailboxes.save_mailbox(acme.support, None, values, by=boss(acme)), field)
    refused(lambda: mailboxes.mailbox_to_test(acme.support, None, values, by=boss(acme)), field)
    assert not ImapMailbox.objects.exists()
