"""The hot path of play: pick and lock the next ticket, start the processing.

Plain SQL and cached INSERTs (lib/fastsql), because on the reference machine building the ORM's
queries cost more CPU than the database spent running them (docs/benchmarks.md, play mode):
a claim went from about 11 ms to about 5 ms. The rules are those of docs/distribution.md.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection

from comptoir.campaigns.models import Campaign
from comptoir.distribution.models import Processing
from comptoir.lib.claims import Claim, Lease, db_time
from comptoir.lib.fastsql import insert
from comptoir.tenancy.models import Team, User
from comptoir.tickets.models import Ticket

TABLE = Ticket._meta.db_table
ELIGIBLE = (
    "domain_id = %s AND campaign_id = %s AND status = 'open' AND flagged = %s "
    "AND number IS NOT NULL AND attempts < %s "
    "AND (locked_until IS NULL OR locked_until < %s) "
    "AND (blocked_until IS NULL OR blocked_until <= %s) "
    "AND (reopen_at IS NULL OR reopen_at <= %s)"
)


def ticket_claim(due: str, order: str) -> Claim:
    """The lock is lib.claims' lease, in the ticket's own columns; play takes one ticket at a
    time (`id = (SELECT … LIMIT 1)`)."""
    return Claim(TABLE, ELIGIBLE + due, order, holder="locked_by_id", until="locked_until")


# First the agent's own tickets that came back (a customer wrote, the reopen date came),
# then the unassigned ones: priority first, then the longest-waiting customer.
MINE = ticket_claim(
    " AND assignee_id = %s AND (has_unread = %s OR reopen_at IS NOT NULL)", "waiting_since, id"
)
QUEUE = ticket_claim(" AND assignee_id IS NULL", "priority DESC, waiting_since, id")


def lock_until(now: datetime) -> datetime:
    """Where a heartbeat moves the lock (the claim's lease, renewed)."""
    return now + timedelta(seconds=settings.COMPTOIR_LOCK_SECONDS)


def claim_row(agent: User, campaign: Campaign, now: datetime) -> int | None:
    """Lock the next eligible ticket to the agent, in one statement; its id, or None."""
    lease = Lease.start(agent.pk, settings.COMPTOIR_LOCK_SECONDS, now)
    stamp = db_time(now)
    head = [lease.worker, db_time(lease.until)]
    eligible = [campaign.domain_id, campaign.pk, False, campaign.max_attempts] + [stamp] * 3
    # One cursor for both statements, the SQL built once (lib.claims.statement): this runs
    # for every ticket served.
    with connection.cursor() as cursor:
        cursor.execute(MINE.sql(1), [*head, *eligible, agent.pk, True])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(QUEUE.sql(1), [*head, *eligible])
            row = cursor.fetchone()
    return int(row[0]) if row else None


AGENT_TEAMS = Campaign.agent_teams.through._meta.db_table
MEMBERS = Team.members.through._meta.db_table
MAY_PLAY_SQL = (
    f"SELECT 1 FROM {AGENT_TEAMS} given JOIN {MEMBERS} seat ON seat.team_id = given.team_id "
    "WHERE given.campaign_id = %s AND seat.user_id = %s LIMIT 1"
)


def may_play(agent: User, campaign: Campaign) -> bool:
    """tickets.access.playable_campaigns for one campaign, in one small query."""
    if not (agent.is_active and agent.can_process) or agent.domain_id != campaign.domain_id:
        return False
    with connection.cursor() as cursor:
        cursor.execute(MAY_PLAY_SQL, [campaign.pk, agent.pk])
        return cursor.fetchone() is not None


PROCESSING = Processing._meta.db_table
LIVE_SQL = (
    f"SELECT id FROM {PROCESSING} WHERE agent_id = %s AND campaign_id = %s "
    "AND ended_at IS NULL LIMIT 1"
)


def live_processing(agent: User, campaign: Campaign) -> Processing | None:
    """The agent's unfinished processing in this campaign (an index lookup; rarely any)."""
    with connection.cursor() as cursor:
        cursor.execute(LIVE_SQL, [agent.pk, campaign.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    return Processing.objects.select_related("ticket").get(pk=row[0])


STALE_SQL = f"SELECT id FROM {PROCESSING} WHERE ticket_id = %s AND ended_at IS NULL"
READ_SQL = f"UPDATE {TABLE} SET has_unread = %s WHERE id = %s"


def stale_processings(ticket_id: int) -> list[Processing]:
    """Processings still open on a ticket just claimed: their lock expired."""
    with connection.cursor() as cursor:
        cursor.execute(STALE_SQL, [ticket_id])
        ids = [row[0] for row in cursor.fetchall()]
    return list(Processing.objects.filter(pk__in=ids)) if ids else []


def new_processing(agent: User, campaign: Campaign, ticket: Ticket, now: datetime) -> Processing:
    """The Processing row of a claim, and the ticket marked read (the agent reads it now)."""
    processing = Processing(
        domain_id=ticket.domain_id,
        ticket=ticket,
        campaign=campaign,
        agent=agent,
        started_at=now,
        was_unread=ticket.has_unread,
    )
    insert(processing)
    if ticket.has_unread:
        ticket.has_unread = False
        with connection.cursor() as cursor:
            cursor.execute(READ_SQL, [False, ticket.pk])
    return processing
