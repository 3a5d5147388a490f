"""Reply templates and signatures: a campaign's own templates (the Advanced tab) and the
domain's library (templates shared by every campaign, signatures). Errors in a template's
text are refused here, never at send time (SPEC §5)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from comptoir.campaigns.actions.campaign import Owner, check_manages
from comptoir.campaigns.models import Campaign, EmailTemplate, Signature
from comptoir.campaigns.signatures import clean_signature
from comptoir.tenancy.models import Domain, User


def save_template(
    owner: Campaign | Domain,
    template: EmailTemplate | None,
    *,
    tag: str,
    name: str,
    subject: str,
    body: str,
    by: User,
) -> EmailTemplate:
    """Create (template None) or change a template of a campaign, or (owner: the domain) one
    shared by every campaign of the domain; a name once per owner."""
    of = Owner.of(owner)
    of.check(by)
    if template is None:
        template = EmailTemplate(domain_id=of.domain_id, campaign=of.campaign)
    if (template.domain_id, template.campaign_id) != (of.domain_id, of.campaign_id):
        raise PermissionDenied("not a template of this campaign or domain")
    template.tag, template.name = tag.strip(), name.strip()
    template.subject, template.body = subject, body
    template.full_clean(exclude=["domain", "campaign", "created_at"], validate_unique=False)
    if of.rows(EmailTemplate).exclude(pk=template.pk).filter(name=template.name).exists():
        raise ValidationError({"name": name_taken(of)})
    template.save()
    return template


def name_taken(owner: Owner) -> str:
    if owner.campaign is None:
        return _("The domain already has a shared template with this name.")
    return _("This campaign already has a template with this name.")


def delete_template(template: EmailTemplate, *, by: User) -> None:
    """Refused while the automatic reply uses it (it would silently stop)."""
    check_manages(by, template.domain_id)
    if Campaign.objects.filter(auto_reply_template=template, auto_reply_enabled=True).exists():
        raise ValidationError(_("The automatic reply uses this template: choose another first."))
    template.delete()


def save_signature(
    domain: Domain, signature: Signature | None, *, name: str, text: str, by: User
) -> Signature:
    """Create (signature None) or change a signature shared by the domain's campaigns."""
    check_manages(by, domain.pk)
    if signature is None:
        signature = Signature(domain=domain)
    if signature.domain_id != domain.pk:
        raise PermissionDenied("not a signature of this domain")
    signature.name, signature.text = name.strip(), clean_signature(text)
    signature.full_clean(exclude=["domain", "created_at"], validate_unique=False)
    others = Signature.objects.filter(domain=domain).exclude(pk=signature.pk)
    if others.filter(name=signature.name).exists():
        raise ValidationError({"name": _("The domain already has a signature with this name.")})
    signature.save()
    return signature


def delete_signature(signature: Signature, *, by: User) -> None:
    """The campaigns that used it keep their own signature, if any (the link becomes null)."""
    check_manages(by, signature.domain_id)
    signature.delete()
