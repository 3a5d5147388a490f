"""What a campaign manager changes in the campaign editor (SPEC §5): one function per change.

Each function checks what it is given (ValidationError by field, for the editor to show next
to the field) before writing anything, and writes in one transaction: nothing is half-saved.
Each checks the right first (`by` manages the campaigns of the campaign's domain, else
PermissionDenied), and that what it links (teams, templates) is of that domain too.
This module: the campaign itself (create, information, advanced settings) and the right every
change needs. The other topics are its siblings: routing (inbound addresses), mailboxes,
templates (and signatures), planning (opening hours, holidays), status; the qualification
script's changes are comptoir.scripts.actions, icons campaigns.icons.
"""

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.text import slugify
from django.utils.translation import gettext as _

from comptoir.campaigns.addresses import may_use, normalise_address, not_yours
from comptoir.campaigns.limits import (
    AUTO_REPLY_DAILY,
    AUTO_REPLY_HOURLY,
    BLOCKING_MINUTES,
    MAX_ATTEMPTS,
    NAME_LENGTH,
    PRIORITY,
)
from comptoir.campaigns.models import AttachmentDisplay, Campaign, EmailTemplate, Signature
from comptoir.campaigns.signatures import clean_signature
from comptoir.campaigns.templating import template_errors, usable_templates
from comptoir.lib.checks import (
    Errors,
    check_address,
    check_number,
    check_text,
    raise_if_any,
    refuse,
    storable_ids,
)
from comptoir.lib.dates import planning_error
from comptoir.scripts.models import QualificationScript
from comptoir.tenancy.models import Domain, Team, User


def check_manages(user: User, domain_id: int) -> None:
    """The right every change of the editor needs: manage the campaigns of this domain."""
    if not (user.is_active and user.can_manage_campaigns and user.domain_id == domain_id):
        raise PermissionDenied("only the domain's campaign managers may do this")


@dataclass(frozen=True)
class Owner:
    """Whose a holiday or a template is: one campaign's, or (campaign None) the domain's,
    shared by all its campaigns. Either way the right is the same: check_manages."""

    domain_id: int
    campaign: Campaign | None

    @classmethod
    def of(cls, owner: Campaign | Domain) -> "Owner":
        if isinstance(owner, Campaign):
            return cls(owner.domain_id, owner)
        return cls(owner.pk, None)

    @property
    def campaign_id(self) -> int | None:
        return None if self.campaign is None else self.campaign.pk

    def check(self, by: User) -> None:
        check_manages(by, self.domain_id)

    def rows[M: Model](self, model: type[M]) -> QuerySet[M]:
        """The owner's own rows of a model with a domain and an optional campaign."""
        rows: QuerySet[M] = model._default_manager.filter(domain_id=self.domain_id)
        return rows.filter(campaign=self.campaign)  # campaign None: IS NULL


def create_campaign(domain: Domain, *, name: str, by: User) -> Campaign:
    """A new ticket campaign; its slug comes from the name, made unique in the domain."""
    check_manages(by, domain.pk)
    errors: Errors = {}
    name = check_text(errors, "name", name, limit=NAME_LENGTH, required=True)
    raise_if_any(errors)
    base = slugify(name)[:55] or "campaign"
    if base == "new":  # /manage/campaigns/new/ creates campaigns
        base = "new-campaign"
    taken = set(
        Campaign.objects.filter(domain=domain, slug__startswith=base).values_list("slug", flat=True)
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return Campaign.objects.create(domain=domain, slug=slug, name=name)


@dataclass
class CampaignInfo:
    """The settings of the Information tab, as the editor submits them."""

    name: str
    sender_name: str
    sender_email: str
    reply_to: str
    attachment_display: str
    signature: str
    auto_reply_enabled: bool
    auto_reply_template_id: int | None
    auto_reply_daily_limit: int
    agent_team_ids: list[int]
    supervision_team_ids: list[int]
    shared_signature_id: int | None = None
    qualification_script_id: int | None = None
    auto_reply_hourly_limit: int = 1000


INFO_FIELDS = [
    "name",
    "sender_name",
    "sender_email",
    "reply_to",
    "attachment_display",
    "signature",
    "shared_signature",
    "auto_reply_enabled",
    "auto_reply_template",
    "auto_reply_daily_limit",
    "auto_reply_hourly_limit",
    "qualification_script",
]


def update_campaign_info(campaign: Campaign, info: CampaignInfo, *, by: User) -> None:
    check_manages(by, campaign.domain_id)
    errors: Errors = {}
    check_text(errors, "name", info.name, limit=NAME_LENGTH, required=True)
    check_text(errors, "sender_name", info.sender_name, limit=NAME_LENGTH, required=False)
    if template_errors(info.signature):
        errors["signature"] = template_errors(info.signature)
    if info.attachment_display not in AttachmentDisplay.values:
        errors["attachment_display"] = [_("Choose list or preview.")]
    sender_errors(campaign, info, errors)
    check_number(errors, "auto_reply_daily_limit", info.auto_reply_daily_limit, *AUTO_REPLY_DAILY)
    hourly = info.auto_reply_hourly_limit
    check_number(errors, "auto_reply_hourly_limit", hourly, *AUTO_REPLY_HOURLY)
    links = info_links(campaign, info, errors)
    agents = domain_teams(campaign, info.agent_team_ids, "agent_teams", errors)
    supervisors = domain_teams(campaign, info.supervision_team_ids, "supervision_teams", errors)
    raise_if_any(errors)
    with transaction.atomic():
        campaign.name = info.name.strip()
        campaign.sender_name = info.sender_name.strip()
        campaign.sender_email = normalise_address(info.sender_email)
        campaign.reply_to = normalise_address(info.reply_to)
        campaign.attachment_display = info.attachment_display
        campaign.signature = clean_signature(info.signature)
        campaign.shared_signature = links.signature
        campaign.auto_reply_enabled = info.auto_reply_enabled
        campaign.auto_reply_template = links.template
        campaign.auto_reply_daily_limit = info.auto_reply_daily_limit
        campaign.auto_reply_hourly_limit = info.auto_reply_hourly_limit
        campaign.qualification_script = links.script
        campaign.save(update_fields=INFO_FIELDS)
        campaign.agent_teams.set(agents)
        campaign.supervision_teams.set(supervisors)


@dataclass
class InfoLinks:
    template: EmailTemplate | None
    signature: Signature | None
    script: QualificationScript | None


def info_links(campaign: Campaign, info: CampaignInfo, errors: Errors) -> InfoLinks:
    """The template, signature and script the ids name: only the campaign's domain's."""
    links = InfoLinks(None, None, None)
    if info.auto_reply_template_id is not None:
        links.template = usable_templates(campaign).filter(pk=info.auto_reply_template_id).first()
        if links.template is None:
            refuse(errors, "auto_reply_template", _("Choose a template of this campaign."))
    elif info.auto_reply_enabled:
        refuse(errors, "auto_reply_template", _("The automatic reply needs a template."))
    if info.shared_signature_id is not None:
        signatures = Signature.objects.filter(domain_id=campaign.domain_id)
        links.signature = signatures.filter(pk=info.shared_signature_id).first()
        if links.signature is None:
            refuse(errors, "shared_signature", _("Choose a signature of this domain."))
    if info.qualification_script_id is not None:
        scripts = QualificationScript.objects.filter(domain_id=campaign.domain_id)
        links.script = scripts.filter(pk=info.qualification_script_id).first()
        if links.script is None:
            refuse(errors, "qualification_script", _("Choose a script of this domain."))
    return links


def sender_errors(campaign: Campaign, info: CampaignInfo, errors: Errors) -> None:
    """Replies go out from the sender address and invite answers to the reply-to: both must
    be well-formed and the domain's own (issue 10, finding 6); blank means the first
    inbound address."""
    for field in ("sender_email", "reply_to"):
        before = len(errors.get(field, []))
        address = check_address(errors, field, getattr(info, field))
        well_formed = len(errors.get(field, [])) == before
        if well_formed and address and not may_use(campaign.domain_id, address):
            refuse(errors, field, not_yours())


def domain_teams(campaign: Campaign, ids: Iterable[int], field: str, errors: Errors) -> list[Team]:
    """The teams the ids name, all of the campaign's domain (else refused)."""
    wanted = storable_ids(ids)
    teams = list(Team.objects.filter(domain_id=campaign.domain_id, pk__in=wanted or ()))
    if wanted is None or len(teams) != len(wanted):
        errors[field] = [_("Choose teams of this domain.")]
    return teams


@dataclass
class AdvancedSettings:
    quote_previous: bool
    priority: int
    planning_start: datetime | None
    planning_end: datetime | None
    max_attempts: int
    blocking_minutes: int


# The campaign's fields the Advanced tab sets (its form shows them; one save writes them).
ADVANCED_FIELDS = [field.name for field in fields(AdvancedSettings)]


def update_advanced_settings(campaign: Campaign, settings: AdvancedSettings, *, by: User) -> None:
    check_manages(by, campaign.domain_id)
    errors: Errors = {}
    check_number(errors, "priority", settings.priority, *PRIORITY)
    check_number(errors, "max_attempts", settings.max_attempts, *MAX_ATTEMPTS)
    check_number(errors, "blocking_minutes", settings.blocking_minutes, *BLOCKING_MINUTES)
    start, end = settings.planning_start, settings.planning_end
    for name, moment in (("planning_start", start), ("planning_end", end)):
        if moment is not None and planning_error(moment):
            refuse(errors, name, planning_error(moment))
    if start is not None and end is not None and end <= start:
        refuse(errors, "planning_end", _("The end must come after the start."))
    raise_if_any(errors)
    campaign.quote_previous = settings.quote_previous
    campaign.priority = settings.priority
    campaign.planning_start, campaign.planning_end = start, end
    campaign.max_attempts = settings.max_attempts
    campaign.blocking_minutes = settings.blocking_minutes
    campaign.save(update_fields=ADVANCED_FIELDS)
