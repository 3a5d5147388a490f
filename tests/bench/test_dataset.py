"""The supervision data set (bench.dataset_fill), built small on the test database: its counts,
and the invariants the benchmarks and issue 14's search rely on."""

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, Q

from bench.dataset_fill import default_anchor
from bench.dataset_people import play_logins
from comptoir.campaigns.models import Campaign
from comptoir.distribution.models import Processing
from comptoir.scripts.models import ScriptVersion
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.models import Message, Ticket, TicketCounter, TicketEvent
from tests.bench.conftest import ANCHOR, TICKETS

# The same on both databases: the rows are computed from their numbers by the same SQL.
STATUSES = {"closed": 2070, "open": 18, "waiting": 12}


pytestmark = pytest.mark.django_db


def test_counts(built: object) -> None:
    bench = Domain.objects.get(slug="bench")
    other = Domain.objects.get(slug="bench-autre")
    assert Ticket.objects.filter(domain=bench).count() == TICKETS
    assert Ticket.objects.filter(domain=other).count() == 100
    assert Campaign.objects.filter(domain=bench).count() == 20
    assert User.objects.filter(domain=bench, role="agent").count() == 200
    assert User.objects.filter(domain=bench, role="supervisor").count() == 20
    messages = Message.objects.filter(domain=bench).count()
    assert 2.3 * TICKETS < messages < 2.7 * TICKETS
    assert Processing.objects.filter(domain=bench).count() > 100
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert dict(statuses) == STATUSES


def test_every_ticket_has_a_first_message_at_its_creation(built: object) -> None:
    first = Message.objects.filter(ticket=OuterRef("pk"), created_at=OuterRef("created_at"))
    assert not Ticket.objects.filter(~Exists(first)).exists()
    assert not Message.objects.filter(created_at__gt=ANCHOR).exists()
    created = TicketEvent.objects.filter(kind="ticket_created")
    assert created.count() == Ticket.objects.count()


def test_tenancy_holds(built: object) -> None:
    assert not Ticket.objects.exclude(campaign__domain_id=F("domain_id")).exists()
    assert not Ticket.objects.exclude(contact__domain_id=F("domain_id")).exists()
    assert not Message.objects.exclude(ticket__domain_id=F("domain_id")).exists()
    assert not Processing.objects.exclude(ticket__domain_id=F("domain_id")).exists()
    assert not Processing.objects.exclude(campaign_id=F("ticket__campaign_id")).exists()
    assert not Processing.objects.exclude(agent__domain_id=F("domain_id")).exists()
    assert (
        not Ticket.objects.filter(assignee__isnull=False)
        .exclude(assignee__domain_id=F("domain_id"))
        .exists()
    )


def test_numbers_unique_per_domain_and_counted(built: object) -> None:
    for domain in Domain.objects.filter(slug__startswith="bench"):
        found = Ticket.objects.filter(domain=domain).values_list("number", flat=True)
        numbers = [n for n in found if n is not None]
        assert sorted(numbers) == list(range(1, len(numbers) + 1))
        assert TicketCounter.objects.get(domain=domain).last_number == len(numbers)


def test_processings_are_consistent(built: object) -> None:
    ended = Processing.objects.filter(ended_at__isnull=False)
    assert not ended.filter(ended_at__lte=F("started_at")).exists()
    assert not ended.filter(ended_at__gt=ANCHOR).exists()
    overlapping = Processing.objects.filter(
        Exists(
            Processing.objects.filter(
                ticket_id=OuterRef("ticket_id"), started_at__gt=OuterRef("started_at"),
                started_at__lt=OuterRef("ended_at"),
            ).exclude(pk=OuterRef("pk"))
        )
    )  # fmt: skip
    assert not overlapping.exists()
    # The version a processing was qualified with belongs to its campaign's script.
    assert not ended.exclude(
        script_version__script_id=F("campaign__qualification_script_id")
    ).exists()
    assert set(ScriptVersion.objects.values_list("number", flat=True)) == {1, 2}


def test_live_processings_hold_their_locks(built: object) -> None:
    live = Processing.objects.filter(ended_at__isnull=True)
    assert live.exists()
    per_agent = live.values("agent").annotate(n=Count("id")).filter(n__gt=1)
    assert not per_agent.exists()
    assert not live.exclude(ticket__locked_by_id=F("agent_id")).exists()
    assert Ticket.objects.filter(locked_by__isnull=False).count() == live.count()
    players = set(play_logins(40))
    assert not live.filter(agent__login__in=players).exists()


def test_ticket_states_match_their_processings(built: object) -> None:
    flagged = Ticket.objects.filter(flagged=True)
    assert flagged.exists()
    assert not flagged.exclude(attempts=F("campaign__max_attempts")).exists()
    closed = Ticket.objects.filter(status="closed", created_at__gte=ANCHOR - timedelta(days=30))
    last = Processing.objects.filter(ticket=OuterRef("pk")).order_by("-started_at")
    pairs = list(
        closed.annotate(code=last.values("outcome_code")[:1]).values_list(
            "closing_qualification", "code"
        )
    )
    assert pairs
    assert all(q is not None and q["outcome"] == code for q, code in pairs)
    assert not Ticket.objects.filter(status="open", reopen_at__isnull=False, assignee=None).exists()
    answered = Q(status="waiting") | Q(status="closed")
    waiting_unread = Ticket.objects.filter(answered, has_unread=True)
    assert not waiting_unread.exists()


def test_play_agents_play_the_round_the_clock_campaign(built: object) -> None:
    campaign = Campaign.objects.get(domain__slug="bench", slug="service-client")
    members = set(
        User.objects.filter(teams__agent_campaigns=campaign).values_list("login", flat=True)
    )
    assert set(play_logins(40)) == members
    assert not campaign.opening_hours.exists()


def test_agent_states_when_the_schema_has_them(built: dict[str, object]) -> None:
    """A month of spans and one presence per agent (issue 13's supervision models), or, in a
    schema without them, none and the data set says so."""
    from bench.dataset_states import has_tables

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM bench_dataset WHERE key = 'states'")
        said = cursor.fetchone()[0]
    if not has_tables():
        assert said == "no"
        return
    from comptoir.supervision import models as supervision  # type: ignore[attr-defined]

    spans, presences = supervision.AgentStateSpan.objects, supervision.AgentPresence.objects
    agents = User.objects.filter(role="agent", domain__slug__startswith="bench")
    assert said == "yes"
    assert spans.filter(ended_at__isnull=True).count() == agents.count()
    assert presences.count() == agents.count()
    assert not spans.filter(ended_at__lte=F("started_at")).exists()
    assert not spans.filter(ended_at__gt=ANCHOR).exists()
    assert not spans.exclude(agent__domain_id=F("domain_id")).exists()
    states = set(spans.values_list("state", flat=True))
    assert states == {"processing", "available", "paused", "offline"}


@pytest.mark.parametrize(
    ("now", "anchor"),
    [
        ("2026-12-04T19:30:00+00:00", "2026-12-04T14:00:00+00:00"),  # Friday evening
        ("2026-12-04T10:00:00+00:00", "2026-12-03T14:00:00+00:00"),  # Friday morning
        ("2026-12-06T10:00:00+00:00", "2026-12-04T14:00:00+00:00"),  # Sunday
        ("2026-07-06T13:00:00+00:00", "2026-07-06T13:00:00+00:00"),  # Monday 15:00 in summer
    ],
)
def test_the_default_anchor_is_a_working_afternoon(now: str, anchor: str) -> None:
    assert default_anchor(datetime.fromisoformat(now)) == datetime.fromisoformat(anchor)
