"""Issue 10, finding 8, the whole class: every action that takes a date checks its range
(comptoir.lib.dates), whether the date comes from the API, a web form or a command."""

from datetime import UTC, date, datetime, timedelta
from datetime import timezone as tz

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from comptoir.campaigns.actions.campaign import AdvancedSettings, update_advanced_settings
from comptoir.campaigns.actions.planning import add_holiday
from comptoir.scripts.answers import QualificationError, check
from comptoir.scripts.frozen import script_for
from comptoir.scripts.models import FieldType, QualificationField
from comptoir.tenancy.models import Role, User
from tests.conftest import Acme, script_version
from tests.ui.conftest import client_for
from tests.ui.test_console import HTMX, english, play, qualify_url, script, waiting_ticket

YEAR_10000_IN_UTC = datetime(9999, 12, 31, 23, 59, 59, tzinfo=tz(timedelta(hours=-14)))


def manager(acme: Acme) -> User:
    return User.objects.create_user(
        domain=acme.domain,
        login="uma",
        password="pw",
        role=Role.ADMIN,
        can_manage_users=True,
        can_manage_campaigns=True,
    )


def settings_with(start: datetime | None, end: datetime | None) -> AdvancedSettings:
    return AdvancedSettings(
        quote_previous=True,
        priority=0,
        planning_start=start,
        planning_end=end,
        max_attempts=3,
        blocking_minutes=0,
    )


@pytest.mark.parametrize("field", ["planning_start", "planning_end"])
def test_planning_dates_out_of_range_are_refused(acme: Acme, field: str) -> None:
    dates = {"start": None, "end": None, field.removeprefix("planning_"): YEAR_10000_IN_UTC}
    uma = manager(acme)
    with pytest.raises(ValidationError) as refused:
        update_advanced_settings(acme.support, settings_with(**dates), by=uma)
    assert set(refused.value.message_dict) == {field}
    ancient = datetime(1, 1, 1, tzinfo=UTC)
    with pytest.raises(ValidationError):
        update_advanced_settings(acme.support, settings_with(ancient, None), by=uma)
    fine = timezone.now() + timedelta(days=30)
    update_advanced_settings(acme.support, settings_with(None, fine), by=uma)


def test_holidays_out_of_range_are_refused(acme: Acme) -> None:
    uma = manager(acme)
    for day in (date(9999, 12, 31), date(1, 1, 1), date(2101, 1, 1)):
        with pytest.raises(ValidationError) as refused:
            add_holiday(acme.support, date=day, name="Jamais", by=uma)
        assert set(refused.value.message_dict) == {"date"}
        with pytest.raises(ValidationError) as refused:
            add_holiday(acme.domain, date=day, name="Jamais", by=uma)
        assert set(refused.value.message_dict) == {"date"}
    add_holiday(acme.support, date=date(2030, 5, 1), name="Fête", by=uma)


def test_date_answers_out_of_range_are_refused(acme: Acme) -> None:
    version = script_version(acme.support)
    QualificationField.objects.create(
        domain=acme.domain,
        version=version,
        name="rappel",
        label="Rappel",
        field_type=FieldType.DATE,
        required=True,
        position=1,
    )
    loaded = script_for(acme.support)
    now = timezone.now()
    with pytest.raises(QualificationError) as refused:
        check(loaded, "done", {"rappel": "9999-12-31"}, None, now)
    assert set(refused.value.errors) == {"rappel"}
    assert check(loaded, "done", {"rappel": "2030-01-31"}, None, now)[1] == {"rappel": "2030-01-31"}


def test_the_console_refuses_a_far_reopen_date_next_to_the_field(acme: Acme) -> None:
    script(acme)
    waiting_ticket(acme)
    client = english(client_for(acme.agent))
    processing = play(client)
    answers = {"outcome": "a-reouvrir", "answer_motif": "Livraison"}
    far = client.post(qualify_url(processing), {**answers, "reopen_at": "9999-12-31T23:59"}, **HTMX)
    assert far.status_code == 200
    assert "The reopening date must be at most 5 years ahead." in far.text
    processing.refresh_from_db()
    assert processing.ended_at is None
