"""The automatic reply's text, composed from what its campaign says, read once per run.

Everything that does not depend on the ticket (sender address and whether the domain may send
from it, reply-to, template, signature, the default text in each language) is read once per
campaign (`CampaignReply`), not once per new ticket, and kept across runs for REPLY_TTL seconds
(`campaign_reply`): with one SMTP connection every message is a run of one, and reading it
again cost 4 statements per message (issue 11).

It is keyed by the campaign's own fields that it uses, so a campaign read afresh with other
settings gets a fresh one at once. What it reads through other rows (the template and shared
signature, the inbound address used as sender, the mail domains the sender is checked
against) follows the routing cache's rule (campaigns.addresses.route): any save or delete of
those rows in this process forgets every entry (`forget_replies`, connected in tickets.apps);
other processes (the web process, where campaigns are edited) see the change within
REPLY_TTL seconds (docs/outbound.md).
"""

import time

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.campaigns.addresses import ROUTING_TTL
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


REPLY_TTL = ROUTING_TTL
REPLY_CACHE_SIZE = 256  # campaigns; past this, start afresh
_replies: dict[tuple[object, ...], tuple[float, CampaignReply]] = {}
clock = time.monotonic  # tests move it forward


def reply_key(campaign: Campaign) -> tuple[object, ...]:
    """The campaign's fields a CampaignReply is made of."""
    return (
        campaign.pk,
        campaign.domain_id,
        campaign.name,
        campaign.sender_name,
        campaign.sender_email,
        campaign.reply_to,
        campaign.auto_reply_template_id,
        campaign.signature,
        campaign.shared_signature_id,
    )


def campaign_reply(campaign: Campaign) -> CampaignReply:
    """The campaign's CampaignReply, read at most REPLY_TTL seconds ago (see the module's
    docstring). Shared by threads: what it fills in later (texts by language, rendered
    signatures) is the same whichever thread fills it."""
    key, now = reply_key(campaign), clock()
    cached = _replies.get(key)
    if cached is not None and now - cached[0] < REPLY_TTL:
        return cached[1]
    reply = CampaignReply(campaign)
    if len(_replies) >= REPLY_CACHE_SIZE:
        _replies.clear()
    _replies[key] = (now, reply)
    return reply


def forget_replies(*_args: object, **_kwargs: object) -> None:
    """Forget every cached CampaignReply (a signal receiver: its rows changed here)."""
    _replies.clear()
