"""A supervisor forces an agent into a pause or out of play: the ticket goes back as a pause
does, the history says who forced it, the agent's state says why; and who may."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import claim_next_ticket, heartbeat
from comptoir.distribution.models import EndReason, Processing
from comptoir.supervision import states
from comptoir.supervision.models import AgentPresence, AgentState, AgentStateSpan, PauseReason
from comptoir.supervision.presence import settle_offline
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import EventKind, Ticket
from tests.conftest import Acme, make_acme
from tests.ui.conftest import make_ticket

PARIS = ZoneInfo("Europe/Paris")


def at(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, 10, hour, minute, second, tzinfo=PARIS)


def reason(acme: Acme, label: str = "Réunion") -> PauseReason:
    return PauseReason.objects.get(domain=acme.domain, label=label)


def processing_alice(acme: Acme, now: datetime) -> Processing:
    make_ticket(acme.support)
    processing = claim_next_ticket(acme.agent, acme.support, now=now).processing
    assert processing is not None
    return processing


def team_supervisor(acme: Acme, login: str, campaign: Campaign) -> User:
    """A supervisor by a seat in the campaign's supervision team only (no domain-wide right)."""
    user = User.objects.create_user(
        domain=acme.domain, login=login, password="pw", role=Role.SUPERVISOR, can_supervise=False
    )
    team = Team.objects.create(domain=acme.domain, name=f"Supervision {login}")
    team.members.add(user)
    campaign.supervision_teams.add(team)
    return user


def test_a_forced_pause_gives_the_ticket_back_and_says_who_and_why(acme: Acme) -> None:
    processing = processing_alice(acme, at(10))
    states.beat(acme.agent, now=at(10, 1))
    presence = states.force_pause(
        acme.agent, reason=reason(acme), by=acme.supervisor, now=at(10, 2)
    )
    assert (presence.state, presence.pause_reason_label) == (AgentState.PAUSED, "Réunion")
    assert presence.forced_by_id == acme.supervisor.pk and presence.since == at(10, 2)
    assert presence.last_seen == at(10, 1)  # a supervisor's act is no sign of the agent's life
    assert presence.campaign_id == acme.support.pk
    processing.refresh_from_db()
    assert (processing.ended_at, processing.end_reason) == (at(10, 2), EndReason.RELEASED)
    ticket = Ticket.objects.get(pk=processing.ticket_id)
    assert ticket.locked_by_id is None and ticket.attempts == 0
    event = ticket.events.get(kind=EventKind.PROCESSING_TAKEN_BACK)
    assert event.actor_id == acme.supervisor.pk
    assert event.detail == "sam took the processing back from alice: paused (Réunion)"
    assert event.text("fr") == "sam a repris le traitement à alice : mis en pause (Réunion)"
    # The console's next beat learns the processing is over.
    assert not heartbeat(processing, now=at(10, 2, 30))


def test_out_of_play_is_offline_with_the_reason_the_agent_reads(acme: Acme) -> None:
    processing = processing_alice(acme, at(10))
    out = states.force_out_of_play(
        acme.agent, reason_text=" Fin de service ", by=acme.supervisor, now=at(10, 1)
    )
    assert (out.state, out.forced_message, out.forced_by_id) == (
        AgentState.OFFLINE,
        "Fin de service",
        acme.supervisor.pk,
    )
    event = Ticket.objects.get(pk=processing.ticket_id).events.get(
        kind=EventKind.PROCESSING_TAKEN_BACK
    )
    assert event.text("fr") == "sam a repris le traitement à alice : mis hors jeu (Fin de service)"
    assert event.detail.endswith("out of play (Fin de service)")


def test_the_waiting_page_keeps_a_forced_pause_and_play_ends_it(acme: Acme) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10))
    states.force_pause(acme.agent, reason=reason(acme), by=acme.supervisor, now=at(10, 0, 30))
    make_ticket(acme.support)
    polled = claim_next_ticket(acme.agent, acme.support, now=at(10, 1), waiting=True)
    assert polled.paused and polled.processing is None
    played = claim_next_ticket(acme.agent, acme.support, now=at(10, 2))
    assert played.processing is not None
    presence = AgentPresence.objects.get(agent=acme.agent)
    assert presence.state == AgentState.PROCESSING and presence.forced_by_id is None


def test_forced_out_of_play_the_waiting_page_stays_out(acme: Acme) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10))
    states.force_out_of_play(acme.agent, reason_text="Fin", by=acme.supervisor, now=at(10, 0, 30))
    assert claim_next_ticket(acme.agent, acme.support, now=at(10, 1), waiting=True).paused


def test_a_forced_pause_unseen_since_is_offline_from_the_moment_it_was_forced(
    acme: Acme,
) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10))
    states.force_pause(acme.agent, reason=reason(acme), by=acme.supervisor, now=at(10, 1))
    settle_offline(now=at(10, 5))
    rows = AgentStateSpan.objects.filter(agent=acme.agent).order_by("started_at", "pk")
    assert [(s.state, s.started_at, s.ended_at) for s in rows] == [
        (AgentState.AVAILABLE, at(10), at(10, 1)),
        (AgentState.OFFLINE, at(10, 1), None),  # the pause never had the agent there
    ]
    # The agent still learns why, when they come back to their page.
    assert AgentPresence.objects.get(agent=acme.agent).forced_by_id == acme.supervisor.pk


def test_an_offline_agent_cannot_be_paused(acme: Acme) -> None:
    with pytest.raises(ValidationError):
        states.force_pause(acme.agent, reason=reason(acme), by=acme.supervisor, now=at(10))
    states.enter_play(acme.agent, acme.support, now=at(10))
    with pytest.raises(ValidationError):  # silent for an hour: offline since 10:00
        states.force_pause(acme.agent, reason=reason(acme), by=acme.supervisor, now=at(11))


def test_a_forcing_needs_its_reason(acme: Acme) -> None:
    states.enter_play(acme.agent, acme.support, now=at(10))
    with pytest.raises(ValidationError) as refused:
        states.force_pause(acme.agent, reason=None, by=acme.supervisor, now=at(10))
    assert "reason" in refused.value.message_dict
    for text in ("", "   ", "x" * 501):
        with pytest.raises(ValidationError):
            states.force_out_of_play(acme.agent, reason_text=text, by=acme.supervisor, now=at(10))
    other = PauseReason.objects.filter(domain=make_acme("globex").domain)[0]
    with pytest.raises(ValidationError):
        states.force_pause(acme.agent, reason=other, by=acme.supervisor, now=at(10))
    assert AgentPresence.objects.get(agent=acme.agent).state == AgentState.AVAILABLE


# --- Who may force ---------------------------------------------------------------------------


def test_a_supervisor_of_a_campaign_the_agent_plays_may_force(acme: Acme) -> None:
    lea = team_supervisor(acme, "lea", acme.support)
    states.enter_play(acme.agent, acme.support, now=at(10))
    states.force_pause(acme.agent, reason=reason(acme), by=lea, now=at(10))
    assert AgentPresence.objects.get(agent=acme.agent).forced_by_id == lea.pk


def test_a_supervisor_of_other_campaigns_an_agent_or_another_domain_may_not(acme: Acme) -> None:
    sales = Campaign.objects.create(domain=acme.domain, slug="ventes", name="Ventes")
    max_ = team_supervisor(acme, "max", sales)
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw")
    globex = make_acme("globex")
    retired = User.objects.create_user(
        domain=acme.domain, login="old", password="pw", can_supervise=True, is_active=False
    )
    states.enter_play(acme.agent, acme.support, now=at(10))
    for user in (max_, bob, globex.supervisor, retired):
        with pytest.raises(PermissionDenied):
            states.force_pause(acme.agent, reason=reason(acme), by=user, now=at(10))
        with pytest.raises(PermissionDenied):
            states.force_out_of_play(acme.agent, reason_text="Fin", by=user, now=at(10))
    assert AgentPresence.objects.get(agent=acme.agent).forced_by_id is None
