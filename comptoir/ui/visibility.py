"""Which campaigns and tickets a user may see (SPEC §4), always within the user's domain,
and whether they may act on a ticket (the rule itself lives in tickets.outbound).

Scoping for the web views; when the agent console and the API arrive these rules
belong in the domain core (tenancy/tickets) so that every edge shares them.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket
from comptoir.tickets.outbound import check_may_reply


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Supervisors see every campaign of their domain; others, those given to one of their teams."""
    campaigns = Campaign.objects.filter(domain_id=user.domain_id)
    if user.can_supervise:
        return campaigns
    # A subquery on ids rather than a join, so that a user in two teams of the same
    # campaign does not see it twice.
    given = campaigns.filter(
        Q(agent_teams__members=user) | Q(supervision_teams__members=user)
    ).values_list("id", flat=True)
    return campaigns.filter(id__in=given)


def supervised_campaign_ids(user: User) -> QuerySet[Campaign, int]:
    """Campaigns where one of the user's teams is a supervision team."""
    return Campaign.objects.filter(
        domain_id=user.domain_id, supervision_teams__members=user
    ).values_list("id", flat=True)


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Tickets of visible campaigns; one assigned to someone else only to its supervisors."""
    tickets = Ticket.objects.filter(
        domain_id=user.domain_id,
        campaign__in=visible_campaigns(user),
        # A null number exists only inside the creating transaction.
        number__isnull=False,
    )
    if user.can_supervise:
        return tickets
    return tickets.filter(
        Q(assignee__isnull=True)
        | Q(assignee=user)
        | Q(campaign_id__in=supervised_campaign_ids(user))
    )


def may_act_on(user: User, ticket: Ticket) -> bool:
    """Whether the user may reply to the ticket or add a note: the rule tickets.outbound
    enforces (same domain, a right to process or supervise, not someone else's ticket)."""
    try:
        check_may_reply(ticket, user)
    except PermissionDenied:
        return False
    return True
