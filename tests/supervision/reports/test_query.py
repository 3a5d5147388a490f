"""A report's period (named periods in the domain's time zone, weeks from Monday), its
checks, and who may see which campaigns' figures."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comptoir.campaigns.models import Campaign
from comptoir.supervision.periods import Period
from comptoir.supervision.reports.query import (
    ReportQuery,
    Step,
    period_bounds,
    scope,
)
from comptoir.supervision.reports.volumes import tickets_received
from comptoir.tenancy.models import Role, Team, User
from tests.conftest import Acme, make_acme
from tests.supervision.reports.conftest import PARIS, make_user, paris

NOW = paris(12, 15, 30)  # Wednesday 12 March 2025


def bounds(acme: Acme, period: str, **days: date) -> tuple[datetime, datetime]:
    return period_bounds(acme.domain, period, now=NOW, **days)


def test_today_and_yesterday_are_whole_local_days(acme: Acme) -> None:
    assert bounds(acme, Period.TODAY) == (paris(12, 0), paris(13, 0))
    assert bounds(acme, Period.YESTERDAY) == (paris(11, 0), paris(12, 0))


def test_weeks_start_on_monday(acme: Acme) -> None:
    assert bounds(acme, Period.THIS_WEEK) == (paris(10, 0), paris(17, 0))
    assert bounds(acme, Period.LAST_WEEK) == (paris(3, 0), paris(10, 0))


def test_this_month_runs_to_its_last_day(acme: Acme) -> None:
    assert bounds(acme, Period.THIS_MONTH) == (paris(1, 0), paris(1, 0, month=4))
    february = period_bounds(acme.domain, Period.THIS_MONTH, now=paris(28, 23, month=2))
    assert february == (paris(1, 0, month=2), paris(1, 0, month=3))
    december = period_bounds(acme.domain, Period.THIS_MONTH, now=paris(31, 12, month=12))
    assert december[1] == datetime(2026, 1, 1, tzinfo=PARIS)


def test_custom_days_are_both_included(acme: Acme) -> None:
    period = bounds(acme, Period.CUSTOM, first_day=date(2025, 3, 29), last_day=date(2025, 3, 30))
    assert period == (paris(29, 0), paris(31, 0))
    # The change to summer time: 47 hours.
    assert period[1].timestamp() - period[0].timestamp() == 47 * 3600


def test_periods_are_in_the_domains_time_zone(acme: Acme) -> None:
    acme.domain.time_zone = "America/New_York"
    york = ZoneInfo("America/New_York")
    # 12 March 01:00 in Paris is still the 11th in New York.
    start, end = period_bounds(acme.domain, Period.TODAY, now=paris(12, 1))
    assert (start, end) == (datetime(2025, 3, 11, tzinfo=york), datetime(2025, 3, 12, tzinfo=york))


@pytest.mark.parametrize(
    ("days", "field"),
    [
        ({}, "first_day"),
        ({"first_day": date(2025, 3, 2), "last_day": date(2025, 3, 1)}, "last_day"),
        ({"first_day": date(2020, 1, 1), "last_day": date(2025, 1, 1)}, "last_day"),
        ({"first_day": date(1, 1, 1), "last_day": date(2025, 1, 1)}, "first_day"),
    ],
)
def test_custom_days_are_checked(acme: Acme, days: dict[str, date], field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        bounds(acme, Period.CUSTOM, **days)
    assert field in refused.value.message_dict


def test_an_unknown_period_is_refused(acme: Acme) -> None:
    with pytest.raises(ValidationError):
        bounds(acme, "fortnight")


def query(acme: Acme, **fields: object) -> ReportQuery:
    values: dict[str, object] = {"start": paris(1, 0), "end": paris(1, 0, month=4), **fields}
    return ReportQuery(acme.domain, **values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end": paris(1, 0)}, "end"),
        ({"start": datetime(2025, 3, 1)}, "start"),
        ({"step": "week"}, "step"),
        ({"step": Step.HOUR, "end": paris(2, 0, month=4)}, "step"),  # 32 days by hour
        ({"end": paris(1, 0, month=4) + timedelta(days=800)}, "end"),
        ({"start": datetime(1, 1, 1, tzinfo=PARIS)}, "start"),
        ({"campaign_ids": [2**70]}, "campaign_ids"),
        ({"agent_ids": ["1"]}, "agent_ids"),
    ],
)
def test_a_query_that_cannot_make_a_report_is_refused(
    acme: Acme, fields: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        scope(acme.supervisor, query(acme, **fields))
    assert field in refused.value.message_dict


def test_a_supervisor_sees_the_campaigns_of_their_supervision_teams_only(acme: Acme) -> None:
    # Issue 13's rule (it was: the right alone gave every campaign of the domain); sam's
    # team supervises support and orders, not a third campaign; an administrator sees it.
    extra = Campaign.objects.create(domain=acme.domain, slug="extra", name="Extra")
    assert scope(acme.supervisor, query(acme)).campaign_ids == sorted(
        [acme.support.pk, acme.orders.pk]
    )
    with pytest.raises(Campaign.DoesNotExist):
        scope(acme.supervisor, query(acme, campaign_ids=[extra.pk]))
    ada = make_user(acme, "ada", Role.ADMIN, can_supervise=True)
    assert extra.pk in scope(ada, query(acme)).campaign_ids


def test_a_seat_in_a_supervision_team_gives_that_campaign_only(acme: Acme) -> None:
    tina = make_user(acme, "tina")
    watchers = Team.objects.create(domain=acme.domain, name="Veille")
    watchers.members.add(tina)
    acme.support.supervision_teams.add(watchers)
    assert scope(tina, query(acme)).campaign_ids == [acme.support.pk]
    with pytest.raises(Campaign.DoesNotExist):
        scope(tina, query(acme, campaign_ids=[acme.orders.pk]))


def test_agents_get_no_report(acme: Acme) -> None:
    with pytest.raises(PermissionDenied):
        tickets_received(acme.agent, query(acme), now=NOW)


def test_an_inactive_supervisor_gets_no_report(acme: Acme) -> None:
    acme.supervisor.is_active = False
    with pytest.raises(PermissionDenied):
        scope(acme.supervisor, query(acme))


def test_another_domains_report_and_ids_do_not_exist_for_the_user(acme: Acme) -> None:
    other = make_acme("globex")
    with pytest.raises(PermissionDenied):
        scope(acme.supervisor, query(other))
    with pytest.raises(Campaign.DoesNotExist):
        scope(acme.supervisor, query(acme, campaign_ids=[other.support.pk]))
    foreign_team = Team.objects.get(domain=other.domain, name="Agents")
    with pytest.raises(Team.DoesNotExist):
        scope(acme.supervisor, query(acme, team_ids=[foreign_team.pk]))
    with pytest.raises(User.DoesNotExist):
        scope(acme.supervisor, query(acme, agent_ids=[other.agent.pk]))


def test_team_and_agent_filters_narrow_each_other(acme: Acme) -> None:
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    team = Team.objects.get(domain=acme.domain, name="Agents")
    team.members.add(bob)
    assert scope(acme.supervisor, query(acme)).agent_ids is None
    everyone = scope(acme.supervisor, query(acme, team_ids=[team.pk])).agent_ids
    assert everyone == sorted([acme.agent.pk, bob.pk])
    narrowed = scope(acme.supervisor, query(acme, team_ids=[team.pk], agent_ids=[bob.pk]))
    assert narrowed.agent_ids == [bob.pk]
