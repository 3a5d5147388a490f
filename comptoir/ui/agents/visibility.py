"""The web views' questions about access; the rules live in the core (tickets.access)."""

from django.core.exceptions import PermissionDenied

from comptoir.tenancy.models import User
from comptoir.tickets.access import (  # noqa: F401  (re-exported for the views)
    supervised_campaign_ids,
    visible_campaigns,
    visible_tickets,
)
from comptoir.tickets.models import Ticket
from comptoir.tickets.outbound import check_may_reply


def may_act_on(user: User, ticket: Ticket) -> bool:
    """Whether the user may reply to the ticket or add a note: the rule tickets.outbound
    enforces (same domain, a right to process or supervise, not someone else's ticket)."""
    try:
        check_may_reply(ticket, user)
    except PermissionDenied:
        return False
    return True
