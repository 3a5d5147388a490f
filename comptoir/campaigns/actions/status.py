"""Deactivate, reactivate or delete a campaign (the campaign editor): never at the cost of mail.

The same right as every change of the editor (campaigns.actions.campaign.check_manages).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from comptoir.campaigns.actions.campaign import check_manages
from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import User


def set_campaign_active(campaign: Campaign, *, active: bool, by: User) -> None:
    """Deactivate (archive) or reactivate a campaign. An inactive campaign distributes
    nothing and is no longer offered to its agents, but mail to its addresses and mailboxes
    is still stored and threaded, and its supervisors still see its tickets."""
    check_manages(by, campaign.domain_id)
    Campaign.objects.filter(pk=campaign.pk).update(active=active)
    campaign.active = active


def delete_campaign(campaign: Campaign, *, by: User) -> None:
    """Only a campaign that never had a ticket (tickets are never deleted, nor moved to another
    campaign): anything else is deactivated instead, so that no mail and no history is lost.
    Its addresses, mailboxes, templates, planning and import history go with it."""
    check_manages(by, campaign.domain_id)
    has_tickets = ValidationError(
        _("This campaign has tickets: it cannot be deleted. Deactivate it instead.")
    )
    with transaction.atomic():
        locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
        if locked.tickets.exists():
            raise has_tickets
        try:
            with transaction.atomic():
                locked.delete()
        except (IntegrityError, ProtectedError):  # a ticket arrived meanwhile
            raise has_tickets from None
