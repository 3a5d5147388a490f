"""The automatic reply's text, composed from what its campaign says, read once per run.

Everything that does not depend on the ticket (sender address and whether the domain may send
from it, reply-to, template, signature, the default text in each language) is read once per
campaign and run (`CampaignReply`), not once per new ticket: a run of the bulk path or of the
listener's group commit acknowledges many tickets of one campaign. A run lives inside one
transaction, so what it read is what the database held: nothing to invalidate.
"""

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.campaigns.models import Campaign, EmailTemplate
from comptoir.campaigns.signatures import RenderedSignature, render_signature
from comptoir.campaigns.templating import PLACEHOLDER, render
from comptoir.mail.compose import Draft, Person, tagged_subject
from comptoir.tickets.history import refusal
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.outbound import (
    ReplyError,
    check_addresses,
    sender_address,
    signature_text,
)
from comptoir.tickets.template_values import customer_language, template_values


def default_body(language: str) -> str:
    with translation.override(language):
        return _(
            "Hello {{ customer_name }},\n\n"
            "We have received your message and registered it under ticket number "
            "{{ ticket_number }}. Please keep this number in the subject of your replies.\n\n"
            "{{ campaign_name }}"
        )


def names_in(text: str) -> tuple[str, ...]:
    return tuple(sorted({match.group(1).strip() for match in PLACEHOLDER.finditer(text)}))


class CampaignReply:
    """A campaign's automatic reply, all but the ticket's values."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.refused = ""  # why the history says no automatic reply (tickets.history.Reason)
        self.sender = Person(campaign.sender_name or campaign.name, "")
        with translation.override("en"):
            try:
                self.sender.email = sender_address(campaign)
                check_addresses(campaign.domain_id, self.sender.email, campaign.reply_to)
            except ReplyError as exc:  # a missing or foreign sender must not cost the message
                self.refused = exc.reason or refusal("reply-error", error=str(exc))
        template: EmailTemplate | None = campaign.auto_reply_template
        if template is not None and not template.usable_by(campaign):
            template = None  # Campaign.clean refuses it; never another campaign's text
        self.template = template
        self.signature = signature_text(campaign)
        self.signature_names = names_in(self.signature)
        self.bodies: dict[str, str] = {}
        self.signatures: dict[tuple[str, ...], RenderedSignature] = {}

    def body(self, language: str) -> str:
        if self.template is not None:
            return self.template.body
        if language not in self.bodies:
            self.bodies[language] = default_body(language)
        return self.bodies[language]

    def rendered_signature(self, values: dict[str, str]) -> RenderedSignature:
        """Rendered once for each set of the values it uses (most use the campaign's only)."""
        if not self.signature.strip():
            return RenderedSignature("", "")
        key = tuple(values.get(name, "") for name in self.signature_names)
        if key not in self.signatures:
            self.signatures[key] = render_signature(self.signature, values)
        return self.signatures[key]

    def draft(self, ticket: Ticket, first: Message) -> Draft:
        """The acknowledgement of this ticket: the template, or the default text, rendered."""
        campaign, language = self.campaign, customer_language(ticket)
        values = template_values(ticket, None)
        template = self.template
        subject = render(template.subject, values) if template and template.subject else ""
        signature = self.rendered_signature(values)
        parent = first.message_id.strip("<>")
        return Draft(
            sender=Person(self.sender.name, self.sender.email),
            to=[Person(ticket.contact.name, ticket.contact.email)],
            reply_to=campaign.reply_to,
            subject=tagged_subject(subject or ticket.subject, ticket.number, reply=not subject),
            message_id="",
            text=render(self.body(language), values),
            date=timezone.now(),
            language=language,
            time_zone=ticket.domain.time_zone,
            in_reply_to=parent,
            references=[parent] if first.message_id else [],
            signature=signature.text,
            signature_html=signature.html,
            automatic=True,
            ticket_number=ticket.number,
        )
