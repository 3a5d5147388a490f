"""The context of the small panels shown on the ticket page and in the console: who the
ticket is assigned to (with "Assign to me" / "Remove my assignment") and, for the campaign's
supervisors, the steering buttons."""

from django.db.models import QuerySet

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervises
from comptoir.tickets.models import Ticket, TicketStatus


def campaign_agents(campaign: Campaign) -> QuerySet[User]:
    """The active users who process the campaign: whom a supervisor may give a ticket to."""
    return (
        User.objects.filter(
            domain_id=campaign.domain_id,
            is_active=True,
            can_process=True,
            teams__agent_campaigns=campaign,
        )
        .distinct()
        .order_by("display_name", "login")
    )


def assignment_context(user: User, ticket: Ticket) -> dict[str, object]:
    open_ticket = ticket.status != TicketStatus.CLOSED
    return {
        "may_assign": open_ticket and user.can_process and ticket.assignee_id is None,
        "may_remove_assignment": ticket.assignee_id == user.pk,
    }


def steering_context(user: User, ticket: Ticket) -> dict[str, object]:
    if not supervises(user, ticket.campaign):
        return {"supervises": False}
    return {"supervises": True, "campaign_agents": campaign_agents(ticket.campaign)}
