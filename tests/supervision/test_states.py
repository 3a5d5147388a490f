"""Agent states (issue 13): a scripted day through play's actions with a clock, the time in
each state computed by hand; what each action records; offline from the last sign of life."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from comptoir.distribution.actions import claim_next_ticket, heartbeat, qualify, release
from comptoir.distribution.models import Processing
from comptoir.supervision import states
from comptoir.supervision.models import AgentPresence, AgentState, AgentStateSpan, PauseReason
from comptoir.supervision.presence import settle_offline
from comptoir.tenancy.models import User
from tests.conftest import Acme, make_acme
from tests.ui.conftest import make_ticket

PARIS = ZoneInfo("Europe/Paris")
# Processing, available, paused (zzz), offline.
P, A, Z, OFF = (AgentState.PROCESSING, AgentState.AVAILABLE, AgentState.PAUSED, AgentState.OFFLINE)


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, second, tzinfo=PARIS)


def minutes(count: float) -> float:
    return count * 60.0


def lunch(acme: Acme) -> PauseReason:
    return PauseReason.objects.get(domain=acme.domain, label="Déjeuner")


def served(acme: Acme, now: datetime) -> Processing:
    processing = claim_next_ticket(acme.agent, acme.support, now=now).processing
    assert processing is not None
    return processing


def beats(agent: User, start: datetime, end: datetime) -> None:
    """The agent's page beats every minute from `start` to `end` (both included)."""
    moment = start
    while moment <= end:
        states.beat(agent, now=moment)
        moment += timedelta(minutes=1)


def spans(agent: User) -> list[tuple[str, datetime, datetime | None, str]]:
    rows = AgentStateSpan.objects.filter(agent=agent).order_by("started_at", "pk")
    return [(s.state, s.started_at, s.ended_at, s.pause_reason_label) for s in rows]


def play_the_day(acme: Acme) -> dict[str, dict[str, float]]:
    """Alice's morning, with what the readers said on the way (by the time they asked)."""
    said: dict[str, dict[str, float]] = {}
    make_ticket(acme.support, subject="Premier")
    first = served(acme, at(9))  # play at 09:00: a ticket at once
    beats(acme.agent, at(9, 1), at(9, 6))
    qualify(first, outcome="done", answers={}, now=at(9, 7))
    assert claim_next_ticket(acme.agent, acme.support, now=at(9, 7)).processing is None
    beats(acme.agent, at(9, 8), at(9, 9))
    make_ticket(acme.support, subject="Deuxième")
    second = served(acme, at(9, 10))  # the waiting page serves it at 09:10
    make_ticket(acme.support, subject="Troisième")
    beats(acme.agent, at(9, 11), at(9, 24))
    # "Qualify and next" on one clock: no moment available between the two tickets.
    qualify(second, outcome="done", answers={}, now=at(9, 25))
    third = served(acme, at(9, 25))
    beats(acme.agent, at(9, 26), at(9, 39))
    qualify(third, outcome="done", answers={}, now=at(9, 40))
    assert claim_next_ticket(acme.agent, acme.support, now=at(9, 40)).processing is None
    beats(acme.agent, at(9, 41), at(11, 59))
    states.pause(acme.agent, reason=lunch(acme), now=at(12))
    beats(acme.agent, at(12, 1), at(12, 59))  # the pause page's poll
    said["12:30"] = states.time_in_states([acme.agent.pk], at(0), at(23, 59), now=at(12, 30))[
        acme.agent.pk
    ]
    assert claim_next_ticket(acme.agent, acme.support, now=at(13)).processing is None
    beats(acme.agent, at(13, 1), at(13, 30))  # then the agent closes the page
    return said


def test_a_scripted_day_gives_the_time_in_each_state_computed_by_hand(acme: Acme) -> None:
    said = play_the_day(acme)
    # By hand: processing 09:00-09:07, 09:10-09:25, 09:25-09:40; available 09:07-09:10,
    # 09:40-12:00, 13:00-13:30; lunch 12:00-13:00; offline from the last beat, 13:30.
    assert said["12:30"] == {
        P: minutes(7 + 15 + 15),
        A: minutes(3 + 140),
        Z: minutes(30),  # the open pause, until "now"
        OFF: 0.0,
    }
    day = states.time_in_states([acme.agent.pk], at(0), at(23, 59), now=at(14))
    assert day[acme.agent.pk] == {
        P: minutes(37),
        A: minutes(3 + 140 + 30),
        Z: minutes(60),
        OFF: minutes(30),
    }
    assert states.pause_time([acme.agent.pk], at(0), at(23, 59), now=at(14)) == {
        acme.agent.pk: minutes(60)
    }
    assert states.occupation(day[acme.agent.pk]) == pytest.approx(37 / (37 + 173))


def test_the_day_is_recorded_as_spans_one_open_at_a_time(acme: Acme) -> None:
    play_the_day(acme)
    settle_offline(now=at(14))
    support = acme.support.pk
    assert spans(acme.agent) == [
        (P, at(9), at(9, 7), ""),
        (A, at(9, 7), at(9, 10), ""),
        (P, at(9, 10), at(9, 25), ""),
        (P, at(9, 25), at(9, 40), ""),
        (A, at(9, 40), at(12), ""),
        (Z, at(12), at(13), "Déjeuner"),
        (A, at(13), at(13, 30), ""),
        (OFF, at(13, 30), None, ""),
    ]
    campaigns = AgentStateSpan.objects.filter(agent=acme.agent).values_list("campaign", flat=True)
    assert list(campaigns.order_by("started_at", "pk")) == [support] * 7 + [None]


def test_a_period_clips_the_spans(acme: Acme) -> None:
    play_the_day(acme)
    part = states.time_in_states([acme.agent.pk], at(9, 5), at(9, 12), now=at(14))
    assert part[acme.agent.pk] == {P: minutes(2 + 2), A: minutes(3), Z: 0.0, OFF: 0.0}
    lunch_only = states.time_in_states([acme.agent.pk], at(12, 15), at(12, 45), now=at(14))
    assert lunch_only[acme.agent.pk][Z] == minutes(30)
    nothing = states.time_in_states([acme.agent.pk], at(8), at(9), now=at(14))
    assert nothing[acme.agent.pk] == dict.fromkeys([P, A, Z, OFF], 0.0)


def test_current_states_say_the_state_since_when_and_why(acme: Acme) -> None:
    play_the_day(acme)
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw")
    now = states.current_states([acme.agent.pk, bob.pk], now=at(13, 31))
    alice = now[acme.agent.pk]
    assert (alice.state, alice.since, alice.campaign_id) == (A, at(13), acme.support.pk)
    assert alice.seconds(at(13, 31)) == minutes(31)
    assert (now[bob.pk].state, now[bob.pk].since) == (OFF, None)  # never played
    later = states.current_states([acme.agent.pk], now=at(14))[acme.agent.pk]
    assert (later.state, later.since, later.campaign_id) == (OFF, at(13, 30), None)


# --- Offline ------------------------------------------------------------------------------


@override_settings(COMPTOIR_OFFLINE_SECONDS=90)
def test_an_agent_silent_for_the_setting_is_offline_from_their_last_sign_of_life(
    acme: Acme,
) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10))
    states.beat(acme.agent, now=at(10, 1))
    assert settle_offline(now=at(10, 2, 30)) == 0  # 90 s exactly: still there
    assert settle_offline(now=at(10, 2, 31)) == 1
    presence = AgentPresence.objects.get(agent=acme.agent)
    assert (presence.state, presence.since, presence.last_seen) == (OFF, at(10, 1), at(10, 1))


def test_an_action_after_a_silence_records_the_offline_time_first(acme: Acme) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10))
    states.beat(acme.agent, now=at(10, 1))
    states.enter_play(acme.agent, acme.support, now=at(10, 30))  # back after 29 min
    assert spans(acme.agent) == [
        (A, at(10), at(10, 1), ""),
        (OFF, at(10, 1), at(10, 30), ""),
        (A, at(10, 30), None, ""),
    ]


def test_a_console_beating_again_after_a_silence_is_processing_again(acme: Acme) -> None:
    make_ticket(acme.support)
    processing = served(acme, at(10))
    assert heartbeat(processing, now=at(10, 0, 30))
    # The laptop slept two minutes (the lock, 5 minutes, still holds): offline meanwhile.
    assert heartbeat(processing, now=at(10, 2, 30))
    assert [(s[0], s[1]) for s in spans(acme.agent)] == [
        (P, at(10)),
        (OFF, at(10, 0, 30)),
        (P, at(10, 2, 30)),
    ]


def test_a_beat_keeps_the_state_and_an_agent_never_seen_stays_offline(acme: Acme) -> None:
    assert states.beat(acme.agent, now=at(10)).state == OFF
    assert not AgentPresence.objects.filter(agent=acme.agent).exists()
    states.pause(acme.agent, reason=lunch(acme), now=at(10))
    assert states.beat(acme.agent, now=at(10, 1)).state == Z
    assert AgentStateSpan.objects.filter(agent=acme.agent).count() == 1


def test_logging_out_is_offline_and_nothing_for_whoever_never_played(acme: Acme) -> None:
    states.leave_play(acme.supervisor, now=at(10))
    assert not AgentPresence.objects.filter(agent=acme.supervisor).exists()
    states.enter_play(acme.agent, acme.support, now=at(10))
    assert states.leave_play(acme.agent, now=at(10, 1)).state == OFF
    assert spans(acme.agent) == [(A, at(10), at(10, 1), ""), (OFF, at(10, 1), None, "")]


# --- What play records ----------------------------------------------------------------------


def test_playing_the_same_ticket_again_is_no_change(acme: Acme) -> None:
    make_ticket(acme.support)
    first = served(acme, at(10))
    assert served(acme, at(10, 1)).pk == first.pk
    assert len(spans(acme.agent)) == 1


def test_a_pause_keeps_the_campaign_and_its_reason(acme: Acme) -> None:
    make_ticket(acme.support)
    processing = served(acme, at(10))
    heartbeat(processing, now=at(10, 4))
    release(processing, reason=lunch(acme), now=at(10, 5))
    presence = states.current_states([acme.agent.pk], now=at(10, 6))[acme.agent.pk]
    assert (presence.state, presence.pause_reason_label) == (Z, "Déjeuner")
    assert presence.campaign_id == acme.support.pk and not presence.forced


def test_a_pause_refuses_another_domains_or_an_inactive_reason(acme: Acme) -> None:
    from django.core.exceptions import ValidationError

    other = PauseReason.objects.filter(domain=make_acme("globex").domain).first()
    inactive = lunch(acme)
    inactive.is_active = False
    inactive.save()
    make_ticket(acme.support)
    processing = served(acme, at(10))
    for reason in (other, inactive):
        with pytest.raises(ValidationError):
            release(processing, reason=reason, now=at(10, 5))
    processing.refresh_from_db()
    assert processing.ended_at is None  # refused before anything was written


def test_the_waiting_page_never_ends_a_pause_but_play_does(acme: Acme) -> None:
    states.pause(acme.agent, reason=lunch(acme), now=at(10))
    make_ticket(acme.support)
    asked = claim_next_ticket(acme.agent, acme.support, now=at(10, 1), waiting=True)
    assert asked.paused and asked.processing is None
    assert states.current_states([acme.agent.pk], now=at(10, 1))[acme.agent.pk].state == Z
    assert claim_next_ticket(acme.agent, acme.support, now=at(10, 2)).processing is not None


def test_a_state_of_another_domains_campaign_is_refused(acme: Acme) -> None:
    globex = make_acme("globex")
    with pytest.raises(PermissionDenied):
        states.enter_play(acme.agent, globex.support, now=at(10))


def test_a_clock_a_little_behind_never_ends_a_span_before_it_began(acme: Acme) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10, 0, 5))
    states.pause(acme.agent, reason=None, now=at(10, 0, 3))  # another server, 2 s behind
    assert spans(acme.agent) == [(Z, at(10, 0, 5), None, "")]


def test_the_worker_settles_who_went_offline(acme: Acme) -> None:
    from comptoir.ops.management.commands.worker import JOBS
    from comptoir.supervision.presence import offline_job

    assert ("agent-states", offline_job) in JOBS
    states.enter_play(acme.agent, acme.support, now=at(10))  # long ago: the real clock is later
    assert offline_job("test-worker", True) == 1
    presence = AgentPresence.objects.get(agent=acme.agent)
    assert (presence.state, presence.since) == (OFF, at(10))
