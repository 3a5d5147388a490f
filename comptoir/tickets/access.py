"""Who may see, open and process what (SPEC §4), always within the user's domain.

The one place for these rules: the web views, the agent console, the API, the reports, the
exports and the actions all ask here. A campaign the user has no team in does not exist for
them; a ticket assigned to someone else exists only for its assignee and the campaign's
supervisors.

Who supervises which campaign (issue 13, "Rights"): a user supervises the campaigns whose
supervision teams they sit in, and only those; a domain administrator with the right to
supervise (role admin, or the right to manage campaigns or users: whoever could give
themselves a seat anyway) supervises every campaign of the domain. The `can_supervise`
right alone gives no campaign: it opens the supervisors' pages, empty until a team is
entrusted with one. Agents (no seat, no right) supervise nothing.
"""

from django.db.models import Q, QuerySet

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Role, User
from comptoir.tickets.models import Ticket


def oversees_domain(user: User) -> bool:
    """A domain administrator with the right to supervise: every campaign of the domain."""
    if not (user.is_active and user.can_supervise):
        return False
    return user.role == Role.ADMIN or user.can_manage_campaigns or user.can_manage_users


def visible_campaigns(user: User) -> QuerySet[Campaign]:
    """Administrators see every campaign of their domain; others, those given to one of their
    teams (agent or supervision)."""
    campaigns = Campaign.objects.filter(domain_id=user.domain_id)
    if oversees_domain(user):
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
    """The ids of the campaigns the user supervises (the module's rule)."""
    campaigns = Campaign.objects.filter(domain_id=user.domain_id)
    if not user.is_active:
        return campaigns.none().values_list("id", flat=True)
    if oversees_domain(user):
        return campaigns.values_list("id", flat=True)
    return campaigns.filter(supervision_teams__members=user).values_list("id", flat=True)


def supervised_campaigns(user: User) -> QuerySet[Campaign]:
    """The campaigns the user supervises: those of their supervision teams, every one of the
    domain for its administrators."""
    campaigns = Campaign.objects.filter(domain_id=user.domain_id)
    if oversees_domain(user):
        return campaigns
    # A subquery on ids: a user in two supervision teams of a campaign sees it once.
    return campaigns.filter(id__in=supervised_campaign_ids(user))


def supervises(user: User, campaign: Campaign) -> bool:
    """Whether the user supervises this campaign (the module's rule)."""
    if user.domain_id != campaign.domain_id:
        return False
    return supervised_campaign_ids(user).filter(id=campaign.pk).exists()


def visible_tickets(user: User) -> QuerySet[Ticket]:
    """Tickets of visible campaigns; one assigned to someone else only to its supervisors."""
    tickets = Ticket.objects.filter(
        domain_id=user.domain_id,
        campaign__in=visible_campaigns(user),
        # A null number exists only inside the creating transaction.
        number__isnull=False,
    )
    if oversees_domain(user):
        return tickets
    return tickets.filter(
        Q(assignee__isnull=True)
        | Q(assignee=user)
        | Q(campaign_id__in=supervised_campaign_ids(user))
    )


def may_open(user: User, ticket: Ticket) -> bool:
    """Whether the ticket exists for this user (else: 404 everywhere)."""
    return visible_tickets(user).filter(pk=ticket.pk).exists()
