"""The values of the template variables (campaigns.templating) for one ticket and agent."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import dateformat, timezone, translation

from comptoir.campaigns.templating import render
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket


def customer_language(ticket: Ticket) -> str:
    """The language the customer is written to in: theirs when known, else the domain's."""
    return ticket.contact.language or ticket.domain.language or "fr"


def local_date(moment: datetime, language: str, time_zone: str) -> str:
    with translation.override(language):
        return dateformat.format(moment.astimezone(ZoneInfo(time_zone)), "j F Y")


def template_values(ticket: Ticket, agent: User | None) -> dict[str, str]:
    language, time_zone = customer_language(ticket), ticket.domain.time_zone
    contact, campaign = ticket.contact, ticket.campaign
    if agent is not None:
        agent_name = agent.display_name or agent.login
    else:  # the automatic reply signs with the campaign's sender name
        agent_name = campaign.sender_name or campaign.name
    return {
        "customer_name": contact.name or contact.email,
        "customer_email": contact.email,
        "ticket_number": str(ticket.number or ""),
        "ticket_subject": ticket.subject,
        "ticket_date": local_date(ticket.created_at, language, time_zone),
        "agent_name": agent_name,
        "campaign_name": campaign.name,
        "today": local_date(timezone.now(), language, time_zone),
    }


def render_for(text: str, ticket: Ticket, agent: User | None) -> str:
    return render(text, template_values(ticket, agent)) if text else ""
