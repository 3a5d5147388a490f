"""Where a campaign's mail comes in: the inbound addresses routed to it (the campaign editor's
Information tab). The IMAP mailboxes it polls are in mailboxes.py."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.campaigns.actions.campaign import check_manages
from comptoir.campaigns.addresses import may_use, normalise_address, not_yours
from comptoir.campaigns.models import Campaign, InboundAddress
from comptoir.lib.checks import Errors, check_address, raise_if_any, refuse
from comptoir.tenancy.models import User


def add_inbound_address(campaign: Campaign, address: str, *, by: User) -> InboundAddress:
    """Route `address` to the campaign: only an address of one of the domain's mail domains
    (campaigns.addresses), so that no domain takes another's mail (issue 10, finding 5)."""
    check_manages(by, campaign.domain_id)
    errors: Errors = {}
    address = normalise_address(check_address(errors, "address", address))
    if not address:
        refuse(errors, "address", _("Enter a valid email address."))
    raise_if_any(errors)
    # Taken or free, an address of another domain (or of nobody's mail domain) gets the same
    # answer, which names nobody: the editor cannot be used to list other domains' addresses.
    if not may_use(campaign.domain_id, address):
        raise ValidationError({"address": not_yours()})
    taken = ValidationError({"address": _("This address is already used.")})
    if InboundAddress.objects.filter(address=address).exists():
        raise taken
    try:
        with transaction.atomic():
            return InboundAddress.objects.create(
                domain_id=campaign.domain_id, campaign=campaign, address=address
            )
    except IntegrityError:  # added by someone else meanwhile
        raise taken from None


def remove_inbound_address(campaign: Campaign, address_id: int, *, by: User) -> None:
    check_manages(by, campaign.domain_id)
    InboundAddress.objects.filter(campaign=campaign, pk=address_id).delete()
