"""Play mode (SPEC §4): the agent asks for work, Comptoir pushes the next ticket, locked to them.

Every state change is one function here; the console, the API and the tests call them. Each
takes `now` (default: the current time) so that time-based rules can be tested with a clock.

The lock is two columns of the ticket (`locked_by`, `locked_until`) set by one atomic UPDATE:
`UPDATE … WHERE id = (SELECT … ORDER BY … LIMIT 1 FOR UPDATE SKIP LOCKED)` on PostgreSQL, the
same statement on SQLite, where writers take turns. It lasts COMPTOIR_LOCK_SECONDS and the open
console renews it (heartbeat); an expired lock is simply claimable again.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign
from comptoir.distribution.claim import (
    claim_row,
    live_processing,
    lock_until,
    may_play,
    new_processing,
    stale_processings,
)
from comptoir.distribution.errors import PlayError as PlayError  # the UI's and API's import
from comptoir.distribution.handback import (
    apply_outcome,
    did_something,
    flag_at_max_attempts,
    give_back,
    held_ticket,
)
from comptoir.distribution.models import EndReason, Processing
from comptoir.distribution.planning import availability
from comptoir.scripts.answers import check
from comptoir.scripts.frozen import script_for
from comptoir.supervision import states
from comptoir.supervision.models import AgentState, PauseReason
from comptoir.tenancy.models import User
from comptoir.tickets.access import playable_campaigns, visible_tickets
from comptoir.tickets.actions import record_event
from comptoir.tickets.models import EventKind, Ticket


@dataclass
class NextTicket:
    ticket: Ticket | None
    processing: Processing | None
    reason: str = ""  # why there is none, for the agent
    opens_at: datetime | None = None
    paused: bool = False  # the waiting page asked, but the agent is paused meanwhile


def check_may_play(agent: User, campaign: Campaign) -> None:
    if not may_play(agent, campaign):
        raise PermissionDenied("this campaign is not given to one of the user's teams")


def claim_next_ticket(
    agent: User, campaign: Campaign, *, now: datetime | None = None, waiting: bool = False
) -> NextTicket:
    """The ticket the agent processes now: the one they hold, else the next one, locked.
    The agent is processing it, or in play waiting for one (supervision.states). `waiting`:
    the waiting page asking again, which never ends a pause (only play does)."""
    now = now or timezone.now()
    check_may_play(agent, campaign)
    if waiting and stays_paused(agent, now):
        return NextTicket(None, None, _("You are paused."), paused=True)
    current = live_processing(agent, campaign)
    if current is not None and not end_if_lapsed(current, now):
        states.mark_processing(agent, current, now=now)
        return NextTicket(current.ticket, current)
    where = availability(campaign, now)
    if not where.open:
        states.enter_play(agent, campaign, now=now)
        return NextTicket(None, None, where.reason, where.opens_at)
    with transaction.atomic():
        # The ticket, then the presence: no deadlock with the paths that lock the presence
        # first (qualify, release, a supervisor's forcing), whose tickets are live ones, never
        # the one this claim takes.
        ticket_id = claim_row(agent, campaign, now)
        if ticket_id is None:
            states.enter_play(agent, campaign, now=now)
            return NextTicket(None, None, _("No ticket is waiting in this campaign."))
        ticket, processing = start_processing(agent, campaign, ticket_id, now)
        states.mark_processing(agent, processing, now=now)
        return NextTicket(ticket, processing)


def stays_paused(agent: User, now: datetime) -> bool:
    """Paused, or taken out of play by a supervisor: the waiting page leaves it so (its poll
    counts as a sign of life). An agent gone offline by silence alone is back in play."""
    presence = states.beat(agent, now=now)
    forced_out = presence.state == AgentState.OFFLINE and presence.forced
    return presence.state == AgentState.PAUSED or forced_out


def still_holds(processing: Processing, now: datetime) -> bool:
    ticket = processing.ticket
    held = ticket.locked_by_id == processing.agent_id
    return held and ticket.locked_until is not None and ticket.locked_until >= now


def end_if_lapsed(processing: Processing, now: datetime) -> bool:
    """End a live processing whose lock expired (True), as the next claim would; False when
    its agent still holds the ticket. The one place that settles a lapsed lock: play, the
    campaign cards and "My tickets" call it, so their counts read what play will serve."""
    if still_holds(processing, now):
        return False
    end_processing(processing, EndReason.EXPIRED, now)
    return True


def settle_lapsed(agent: User, *, now: datetime | None = None) -> int:
    """End every live processing of the agent whose lock expired (an abandoned console);
    how many. An expired processing held the ticket as read: ending it gives back the unread
    customer message, which makes the ticket due for its assignee again (end_processing)."""
    now = now or timezone.now()
    live = Processing.objects.filter(
        domain_id=agent.domain_id, agent=agent, ended_at__isnull=True
    ).select_related("ticket")
    ended = 0
    for processing in live:
        with transaction.atomic():
            ended += end_if_lapsed(processing, now)
    return ended


def start_processing(
    agent: User, campaign: Campaign, ticket_id: int, now: datetime
) -> tuple[Ticket, Processing]:
    ticket = Ticket.objects.get(pk=ticket_id)
    # Whoever held it before let the lock expire: their processing ends here.
    for stale in stale_processings(ticket_id):
        end_processing(stale, EndReason.EXPIRED, now)
    processing = new_processing(agent, campaign, ticket, now)
    record_event(ticket=ticket, kind=EventKind.PROCESSING_STARTED, actor_id=agent.pk)
    return ticket, processing


def end_processing(processing: Processing, reason: str, now: datetime) -> None:
    """Close a processing (no attempt counted) and free its lock if it still holds it."""
    processing.ended_at = now
    processing.end_reason = reason
    processing.save(update_fields=["ended_at", "end_reason"])
    freed = Ticket.objects.filter(pk=processing.ticket_id, locked_by_id=processing.agent_id)
    # Served because a customer wrote, then abandoned with nothing done: the message is still
    # unread, so the ticket stays due for its assignee (as after a pause), not lost to play.
    unread = processing.was_unread and not did_something(processing)
    if unread:
        freed.update(locked_by=None, locked_until=None, has_unread=True)
    else:
        freed.update(locked_by=None, locked_until=None)
    if reason == EndReason.EXPIRED:
        ticket = Ticket.objects.get(pk=processing.ticket_id)
        record_event(ticket=ticket, kind=EventKind.LOCK_EXPIRED)


def idle_seconds() -> int:
    """How long a console may stay open without the agent doing anything (0: no limit)."""
    return max(0, int(settings.COMPTOIR_IDLE_SECONDS))


def idle_warning_seconds() -> int:
    """How long before the idle release the console warns: a quarter of the limit, at most
    two minutes."""
    return min(120, idle_seconds() // 4)


def idle_for(last_activity: datetime | None, now: datetime) -> float:
    return 0.0 if last_activity is None else max(0.0, (now - last_activity).total_seconds())


def heartbeat(
    processing: Processing,
    *,
    now: datetime | None = None,
    last_activity: datetime | None = None,
) -> bool:
    """The console is still open: keep the lock. False when the ticket was lost meanwhile, or
    given back because the agent did nothing for COMPTOIR_IDLE_SECONDS (`last_activity`, sent
    by the console; without it the beat only renews): a forgotten console must not hold a
    ticket forever. The give-back is a pause (`release_after_inactivity`). A beat is the agent's
    sign of life (supervision.states): back after being offline, they are processing again."""
    now = now or timezone.now()
    limit = idle_seconds()
    if limit and idle_for(last_activity, now) >= limit:
        with contextlib.suppress(PlayError):  # already over or taken: lost either way
            release_after_inactivity(processing, now=now)
        return False
    # Read from the database: the processing may have been ended elsewhere (expired and
    # taken, unlocked) while this agent's console still has it.
    if not Processing.objects.filter(pk=processing.pk, ended_at__isnull=True).exists():
        return False
    renewed = Ticket.objects.filter(
        pk=processing.ticket_id, locked_by_id=processing.agent_id
    ).update(locked_until=lock_until(now))
    if renewed == 1 and states.beat(processing.agent, now=now).state == AgentState.OFFLINE:
        states.mark_processing(processing.agent, processing, now=now)
    return renewed == 1


def qualify(
    processing: Processing,
    *,
    outcome: str,
    answers: dict[str, object],
    reopen_at: datetime | None = None,
    now: datetime | None = None,
) -> Processing:
    """End a processing through the campaign's qualification script (SPEC §4)."""
    now = now or timezone.now()
    with transaction.atomic():
        # Waiting for the next ticket (the next claim on the same clock replaces this state).
        # First: the presence is locked before the ticket, as every path but the claim does;
        # a refusal below undoes it with the rest.
        states.enter_play(processing.agent, processing.campaign, now=now)
        ticket = held_ticket(processing, now)
        # Read (and frozen) in this transaction: the processing records the exact version.
        script = script_for(processing.campaign, freeze=True)
        chosen, cleaned = check(script, outcome, answers, reopen_at, now)
        processing.script_version_id = script.version_id
        # The outcome first: a final one is written on the ticket by apply_outcome.
        processing.outcome_code, processing.outcome_label = chosen.code, chosen.label
        processing.outcome_kind, processing.answers = chosen.kind, cleaned
        counted = apply_outcome(ticket, processing, chosen.kind, reopen_at, now)
        processing.ended_at, processing.end_reason = now, EndReason.QUALIFIED
        processing.reopen_at, processing.counted_attempt = reopen_at, counted
        processing.save()
        record_event(
            ticket=ticket,
            kind=EventKind.PROCESSING_QUALIFIED,
            actor_id=processing.agent_id,
            outcome=chosen.label,
            code=chosen.code,
        )
        if counted:
            flag_at_max_attempts(ticket, processing.campaign.max_attempts)
    return processing


def release(
    processing: Processing,
    *,
    now: datetime | None = None,
    reason: PauseReason | None = None,
) -> Processing:
    """The agent pauses (with the `reason` they chose): the ticket goes back (handback)."""
    now = now or timezone.now()
    states.checked_reason(processing.agent, reason)  # refused before anything is written
    with transaction.atomic():
        states.pause(processing.agent, reason=reason, now=now)  # the presence first, locked
        kind = EventKind.PROCESSING_RELEASED
        give_back(processing, now, kind=kind, actor_id=processing.agent_id)
    return processing


def release_after_inactivity(processing: Processing, *, now: datetime) -> Processing:
    """The console stayed open COMPTOIR_IDLE_SECONDS without the agent doing anything: the
    ticket goes back as after a pause (the agent is paused, no reason), and the history says
    why (its own kind of event)."""
    with transaction.atomic():
        states.pause(processing.agent, reason=None, now=now)  # the presence first, locked
        kind = EventKind.RELEASED_IDLE
        give_back(processing, now, kind=kind, actor_id=processing.agent_id, seconds=idle_seconds())
    return processing


def assign_to_me(ticket: Ticket, agent: User, *, now: datetime | None = None) -> Ticket:
    """ "M'affecter ce ticket": only this agent will be served (and may open) it from now on."""
    now = now or timezone.now()
    # Only an agent of the campaign: anyone else would hold a ticket play never serves them.
    playable = playable_campaigns(agent).filter(pk=ticket.campaign_id).exists()
    if not playable or not visible_tickets(agent).filter(pk=ticket.pk).exists():
        raise PermissionDenied("this user may not take this ticket")
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.assignee_id not in (None, agent.pk):
            raise PlayError(_("This ticket is already assigned to someone else."))
        if held_by_another(ticket, agent, now):
            raise PlayError(_("Another agent is processing this ticket."))
        ticket.assignee = agent
        ticket.save(update_fields=["assignee"])
        kind = EventKind.ASSIGNED
        record_event(ticket=ticket, kind=kind, actor_id=agent.pk, agent=agent.login)
    return ticket


def held_by_another(ticket: Ticket, agent: User, now: datetime) -> bool:
    """Whether another agent holds a live lock on the ticket."""
    live = ticket.locked_until is not None and ticket.locked_until >= now
    return live and ticket.locked_by_id not in (None, agent.pk)


def remove_my_assignment(ticket: Ticket, agent: User, *, now: datetime | None = None) -> Ticket:
    """ "Supprimer mon affectation": the ticket goes back to the whole team's queue."""
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if ticket.assignee_id != agent.pk:
            raise PlayError(_("This ticket is not assigned to you."))
        ticket.assignee = None
        ticket.save(update_fields=["assignee"])
        kind = EventKind.UNASSIGNED
        record_event(ticket=ticket, kind=kind, actor_id=agent.pk, agent=agent.login)
    return ticket
