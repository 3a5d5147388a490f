"""Who may see, open and process what (SPEC §4), always within the user's domain.

The one place for these rules: the web views, the agent console, the API and the actions all
ask here. A campaign the user has no team in does not exist for them; a ticket assigned to
someone else exists only for its assignee and the campaign's supervisors.
"""

from django.db.models import Q, QuerySet

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket


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


def playable_campaigns(user: User) -> QuerySet[Campaign]:
    """Campaigns the user may press play on: active, given to one of their agent teams.
    An inactive (archived) campaign is no longer offered to its agents; its tickets stay
    visible (visible_tickets) to its supervisors."""
    if not user.can_process:
        return Campaign.objects.none()
    given = Campaign.objects.filter(
        domain_id=user.domain_id, agent_teams__members=user
    ).values_list("id", flat=True)
    return Campaign.objects.filter(domain_id=user.domain_id, id__in=given, active=True)


def supervised_campaign_ids(user: User) -> QuerySet[Campaign, int]:
    """Campaigns where one of the user's teams is a supervision team."""
    return Campaign.objects.filter(
        domain_id=user.domain_id, supervision_teams__members=user
    ).values_list("id", flat=True)


def supervised_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns the user supervises (every one of the domain with the right to)."""
    campaigns = Campaign.objects.filter(domain_id=user.domain_id)
    if not user.is_active:
        return campaigns.none()
    if user.can_supervise:
        return campaigns
    return campaigns.filter(id__in=supervised_campaign_ids(user))


def supervises(user: User, campaign: Campaign) -> bool:
    """The right to supervise, or a seat in one of the campaign's supervision teams."""
    if user.domain_id != campaign.domain_id or not user.is_active:
        return False
    return user.can_supervise or supervised_campaign_ids(user).filter(id=campaign.pk).exists()


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


def may_open(user: User, ticket: Ticket) -> bool:
    """Whether the ticket exists for this user (else: 404 everywhere)."""
    return visible_tickets(user).filter(pk=ticket.pk).exists()
