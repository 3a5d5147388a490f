"""Agent states (issue 13): en traitement, disponible, en pause (with a reason), hors ligne.

Play records what happens (distribution.actions calls these: a served ticket, a
qualification, a pause, the console's heartbeat), the agent's pages and logging out too,
and supervisors may force a pause or take an agent out of play. Every action takes `now`;
each change closes the open span and opens the next in one transaction with the presence
locked (supervision.presence). The right to play is play's to check (claim_next_ticket
does before anything is recorded); the forcing actions check the supervisor's right here.

Readers: `current_states` and `time_in_states` (exact from the spans, clipped to the
period, an open span counted until `now`), after settling who went offline meanwhile, so
that what they say is exact without the worker.
"""

import contextlib
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign
from comptoir.distribution.errors import PlayError
from comptoir.distribution.handback import give_back
from comptoir.distribution.models import Processing
from comptoir.lib.checks import Errors, check_text, raise_if_any
from comptoir.supervision.models import AgentPresence, AgentState, AgentStateSpan, PauseReason
from comptoir.supervision.presence import (
    Presence,
    locked,
    move,
    never_seen,
    offline_if_stale,
    read_locked,
    settle_offline,
    snapshot,
    unchanged,
)
from comptoir.supervision.presence import save as save_presence
from comptoir.tenancy.models import User
from comptoir.tickets.access import oversees_domain, supervised_campaign_ids
from comptoir.tickets.models import EventKind

__all__ = [
    "Presence",
    "beat",
    "current_states",
    "enter_play",
    "force_out_of_play",
    "force_pause",
    "leave_play",
    "mark_processing",
    "pause",
    "settle_offline",
    "time_in_states",
]

MESSAGE_LENGTH = 500
States = dict[str, float]


def change(
    agent: User,
    state: str,
    *,
    now: datetime,
    campaign_id: int | None = None,
    label: str = "",
    keep_campaign: bool = False,
) -> Presence:
    """The agent themself changes state: one span more, unless nothing changes (then only
    seen again). Their own change ends what a supervisor forced."""
    with transaction.atomic(savepoint=False):  # play's transaction when play calls
        row = locked(agent.pk, agent.domain_id, now)
        offline_if_stale(row, now)  # away too long: offline since, then the new state
        if keep_campaign:
            campaign_id = row.campaign_id
        if unchanged(row, state, campaign_id, label):
            row.last_seen, row.forced_by_id, row.forced_message = now, None, ""
            save_presence(row)
        else:
            move(row, state, now=now, campaign_id=campaign_id, label=label)
        return snapshot(row)


def enter_play(agent: User, campaign: Campaign, *, now: datetime) -> Presence:
    """In play, waiting for a ticket of `campaign` (play found none, or one was qualified)."""
    if campaign.domain_id != agent.domain_id:
        raise PermissionDenied("not a campaign of the agent's domain")
    return change(agent, AgentState.AVAILABLE, now=now, campaign_id=campaign.pk)


def mark_processing(agent: User, processing: Processing, *, now: datetime) -> Presence:
    """Processing a ticket: a new span for each processing; the same one again (play
    pressed while holding it, the console back after a break) is no change."""
    if processing.agent_id != agent.pk:
        raise PermissionDenied("not this agent's processing")
    with transaction.atomic(savepoint=False):
        row = locked(agent.pk, agent.domain_id, now)
        offline_if_stale(row, now)
        same = unchanged(row, AgentState.PROCESSING, processing.campaign_id, "")
        if same and row.since >= processing.started_at:
            row.last_seen, row.forced_by_id, row.forced_message = now, None, ""
            save_presence(row)
        else:
            move(row, AgentState.PROCESSING, now=now, campaign_id=processing.campaign_id)
        return snapshot(row)


def checked_reason(agent: User, reason: PauseReason | None) -> str:
    """The label of a reason the agent may choose (an active one of their domain)."""
    if reason is None:
        return ""
    if reason.domain_id != agent.domain_id or not reason.is_active:
        raise ValidationError({"reason": _("Choose one of the domain's pause reasons.")})
    return reason.label


def pause(agent: User, *, reason: PauseReason | None, now: datetime) -> Presence:
    """Paused, with the reason chosen (None: the console gave the ticket back for
    idleness, or an API client paused); the campaign stays, for "Reprendre"."""
    label = checked_reason(agent, reason)
    return change(agent, AgentState.PAUSED, now=now, label=label, keep_campaign=True)


def leave_play(agent: User, *, now: datetime) -> Presence:
    """Offline now (logging out); nothing for whoever never played."""
    if not AgentPresence.objects.filter(agent_id=agent.pk).exists():
        return never_seen(agent.pk)
    return change(agent, AgentState.OFFLINE, now=now)


def beat(agent: User, *, now: datetime) -> Presence:
    """A sign of life (the console's heartbeat, the waiting and pause pages' polls): the
    state stays, seen now; an agent away too long is offline from when last seen (their
    page may then put them back in play, as the console and the waiting page do)."""
    with transaction.atomic(savepoint=False):
        row = read_locked(agent.pk)
        if row is None:
            return never_seen(agent.pk)
        if not offline_if_stale(row, now) and row.state != AgentState.OFFLINE:
            row.last_seen = max(row.last_seen, now)
            save_presence(row)
        return snapshot(row)


def presence_of(agent: User, *, now: datetime) -> Presence:
    """The agent's state now (settled first), for their own pages."""
    return current_states([agent.pk], now=now)[agent.pk]


# --- A supervisor forces ------------------------------------------------------------------


def check_may_force(by: User, agent: User) -> None:
    """A supervisor of a campaign the agent plays (tickets.access: a seat in one of its
    supervision teams), or a domain administrator (any agent of the domain)."""
    if by.domain_id != agent.domain_id:
        raise PermissionDenied("not an agent of this domain")
    if not by.is_active:
        raise PermissionDenied("inactive user")
    if oversees_domain(by):
        return
    played = Campaign.objects.filter(domain_id=agent.domain_id, agent_teams__members=agent)
    if not played.filter(id__in=supervised_campaign_ids(by)).exists():
        raise PermissionDenied("only a supervisor of one of the agent's campaigns")


def take_back(agent: User, by: User, now: datetime, **data: str) -> None:
    """The agent's live processings end as a pause does; their history says who forced it."""
    live = Processing.objects.filter(
        domain_id=agent.domain_id, agent_id=agent.pk, ended_at__isnull=True
    ).select_related("campaign")
    for processing in live:
        kind = EventKind.PROCESSING_TAKEN_BACK
        extra = {"agent": agent.login, "supervisor": by.login, **data}
        with contextlib.suppress(PlayError), transaction.atomic():  # lost meanwhile: nothing
            give_back(processing, now, kind=kind, actor_id=by.pk, **extra)


def force_pause(agent: User, *, reason: PauseReason | None, by: User, now: datetime) -> Presence:
    """Pause the agent with `reason` (which they see); their ticket goes back as a pause."""
    check_may_force(by, agent)
    if reason is None:
        raise ValidationError({"reason": _("Choose one of the domain's pause reasons.")})
    label = checked_reason(agent, reason)
    with transaction.atomic():
        row = locked(agent.pk, agent.domain_id, now)
        offline_if_stale(row, now)
        if row.state == AgentState.OFFLINE:
            text = _("%(agent)s is offline: there is nothing to pause.") % {"agent": agent}
            raise ValidationError({"reason": text})
        take_back(agent, by, now, state=AgentState.PAUSED, why=label)
        move(
            row,
            AgentState.PAUSED,
            now=now,
            campaign_id=row.campaign_id,
            label=label,
            seen=False,
            forced_by_id=by.pk,
        )
        return snapshot(row)


def force_out_of_play(agent: User, *, reason_text: str, by: User, now: datetime) -> Presence:
    """Take the agent out of play (offline) with a reason they see; their ticket goes back."""
    check_may_force(by, agent)
    errors: Errors = {}
    text = check_text(errors, "reason", str(reason_text), limit=MESSAGE_LENGTH, required=True)
    raise_if_any(errors)
    with transaction.atomic():
        row = locked(agent.pk, agent.domain_id, now)
        offline_if_stale(row, now)
        take_back(agent, by, now, state=AgentState.OFFLINE, why=text)
        if row.state == AgentState.OFFLINE:  # nothing to end; they see why when back
            row.forced_by_id, row.forced_message = by.pk, text
            save_presence(row)
        else:
            move(row, AgentState.OFFLINE, now=now, seen=False, forced_by_id=by.pk, message=text)
        return snapshot(row)


# --- Readers -------------------------------------------------------------------------------


def current_states(agent_ids: Iterable[int], *, now: datetime) -> dict[int, Presence]:
    """Each agent's state at `now` (never seen in play: offline, `since` None)."""
    ids = list(agent_ids)
    settle_offline(now=now, agent_ids=ids)
    found = {row.agent_id: snapshot(row) for row in AgentPresence.objects.filter(agent_id__in=ids)}
    return {agent_id: found.get(agent_id) or never_seen(agent_id) for agent_id in ids}


def time_in_states(
    agent_ids: Iterable[int], start: datetime, end: datetime, *, now: datetime
) -> dict[int, States]:
    """Seconds each agent spent in each state between `start` and `end`: the spans clipped
    to the period, the open one counted until `now` (and nothing after `now`)."""
    ids = list(agent_ids)
    settle_offline(now=now, agent_ids=ids)
    totals = {agent_id: dict.fromkeys(AgentState.values, 0.0) for agent_id in ids}
    end = min(end, now)
    if end <= start:
        return totals
    spans = AgentStateSpan.objects.filter(agent_id__in=ids, started_at__lt=end).filter(
        Q(ended_at__gt=start) | Q(ended_at__isnull=True)
    )
    for agent_id, state, started, ended in spans.values_list(
        "agent_id", "state", "started_at", "ended_at"
    ):
        stop = min(ended or now, end)
        seconds = (stop - max(started, start)).total_seconds()
        if seconds > 0:
            totals[agent_id][state] += seconds
    return totals


def pause_time(
    agent_ids: Iterable[int], start: datetime, end: datetime, *, now: datetime
) -> dict[int, float]:
    """Seconds paused (whatever the reason) in the period, per agent."""
    times = time_in_states(agent_ids, start, end, now=now)
    return {agent_id: states[AgentState.PAUSED] for agent_id, states in times.items()}


def occupation(states: States) -> float | None:
    """The occupation rate (taux d'occupation): time processing over time in play and not
    paused (processing + available); None when the agent was never in play then."""
    busy, ready = states[AgentState.PROCESSING], states[AgentState.AVAILABLE]
    return busy / (busy + ready) if busy + ready > 0 else None
