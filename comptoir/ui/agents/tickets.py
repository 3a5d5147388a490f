"""Ticket list, ticket page (thread, history, the agent's reply and note forms) and
attachment download. The reply and note views themselves are in ui/replies.py."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from comptoir.campaigns.models import Campaign, EmailTemplate
from comptoir.campaigns.templating import VARIABLES, usable_templates
from comptoir.tenancy.models import User
from comptoir.tickets.blobs import read_blob
from comptoir.tickets.models import (
    Attachment,
    RawMessage,
    RawState,
    Ticket,
    TicketStatus,
)
from comptoir.tickets.outbound import quoted_preview, template_text
from comptoir.ui.agents.forms import NoteForm, ReplyForm
from comptoir.ui.agents.panels import assignment_context, steering_context
from comptoir.ui.agents.visibility import may_act_on, visible_campaigns, visible_tickets
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.downloads import (
    download_response,
    is_pdf,
    pdf_preview_response,
    safe_filename,
)
from comptoir.ui.common.pages import render_page

PAGE_SIZE = 50
# Longest number a BigIntegerField holds without overflow, in digits.
MAX_NUMBER_DIGITS = 18


@dataclass
class TicketFilters:
    campaign: Campaign | None
    status: str
    query: str


def read_filters(params: QueryDict, campaigns: QuerySet[Campaign]) -> TicketFilters:
    """GET parameters, ignoring values the user could not have picked from the form."""
    campaign_id = params.get("campaign", "")
    campaign = campaigns.filter(pk=campaign_id).first() if campaign_id.isdecimal() else None
    status = params.get("status", "")
    return TicketFilters(
        campaign=campaign,
        status=status if status in TicketStatus.values else "",
        query=params.get("q", "").strip()[:200],
    )


def apply_filters(tickets: QuerySet[Ticket], filters: TicketFilters) -> QuerySet[Ticket]:
    if filters.campaign is not None:
        tickets = tickets.filter(campaign=filters.campaign)
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.query:
        match = Q(subject__icontains=filters.query) | Q(contact__email__icontains=filters.query)
        number = filters.query.removeprefix("#")
        if number.isascii() and number.isdigit() and len(number) <= MAX_NUMBER_DIGITS:
            match |= Q(number=int(number))
        tickets = tickets.filter(match)
    return tickets


@login_required_in_domain
@require_GET
def ticket_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    campaigns = visible_campaigns(user).order_by("name")
    filters = read_filters(request.GET, campaigns)
    tickets = (
        apply_filters(visible_tickets(user), filters)
        .select_related("contact", "campaign", "assignee")
        .order_by("-updated_at", "-number")
    )
    quarantined = None
    if user.can_supervise:
        quarantined = RawMessage.objects.filter(
            domain_id=user.domain_id, state=RawState.QUARANTINED
        ).count()
    context = {
        "page": Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page")),
        "campaigns": campaigns,
        "statuses": TicketStatus.choices,
        "filters": filters,
        "quarantined": quarantined,
    }
    return render(request, "ui/ticket_list.html", context)


def visible_ticket(request: HttpRequest, number: int) -> Ticket:
    """The ticket, or 404 whether it does not exist or is not the user's to see."""
    tickets = visible_tickets(current_user(request))
    return get_object_or_404(
        tickets.select_related("contact", "campaign", "assignee"), number=number
    )


@login_required_in_domain
@require_GET
def ticket_detail(request: HttpRequest, number: int) -> HttpResponse:
    """The thread; with `?template=ID`, the reply form starts from that template (the
    template picker's Insert button is a GET, so that it works without JavaScript)."""
    user = current_user(request)
    ticket = visible_ticket(request, number)
    template = None
    if may_act_on(user, ticket):
        template = chosen_template(user, ticket, request.GET.get("template", ""))
    initial = {"text": template_text(template, ticket, user)[1]} if template else {}
    return detail_response(
        request,
        ticket,
        reply_form=ReplyForm(initial=initial),
        note_form=NoteForm(),
        template=template,
    )


def chosen_template(user: User, ticket: Ticket, template_id: str) -> EmailTemplate | None:
    """The template asked for, if it is one of this ticket's campaign or shared; else none."""
    if not template_id.isascii() or not template_id.isdecimal() or len(template_id) > 18:
        return None
    return usable_templates(ticket.campaign).filter(pk=int(template_id)).first()


def composer_context(
    user: User, ticket: Ticket, template: EmailTemplate | None, *, may_act: bool
) -> dict[str, object]:
    """The reply composer's template picker, on the ticket page and in the console."""
    return {
        "may_act": may_act,
        "templates": usable_templates(ticket.campaign) if may_act else [],
        "chosen_template": template,
        "variables": VARIABLES.items(),
        "quoted": quoted_preview(ticket) if may_act else "",
    }


def detail_response(
    request: HttpRequest,
    ticket: Ticket,
    *,
    reply_form: ReplyForm,
    note_form: NoteForm,
    template: EmailTemplate | None = None,
) -> HttpResponse:
    """The ticket page, with the agent's forms when the user may act on the ticket (also
    rendered by the reply and note views when a form has errors)."""
    user = current_user(request)
    may_act = may_act_on(user, ticket)
    context = {
        **thread_context(user, ticket),
        **composer_context(user, ticket, template, may_act=may_act),
        "reply_form": reply_form,
        "note_form": note_form,
        "reply_url": reverse("ui:ticket_reply", args=[ticket.number]),
        "note_url": reverse("ui:ticket_note", args=[ticket.number]),
        "picker_url": reverse("ui:ticket", args=[ticket.number]),
        **assignment_context(user, ticket),
        **steering_context(user, ticket),
        # Where the language switch comes back to: never the URL of a POST view.
        "page_url": request.get_full_path()
        if request.method == "GET"
        else reverse("ui:ticket", args=[ticket.number]),
    }
    return render_page(request, "ui/ticket_detail.html", context)


def thread_context(user: User, ticket: Ticket) -> dict[str, object]:
    attachments = Attachment.objects.filter(domain_id=user.domain_id).order_by("id")
    thread = (
        ticket.messages.filter(domain_id=user.domain_id)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("created_at", "id")
    )
    events = (
        ticket.events.filter(domain_id=user.domain_id)
        # The author of the message an event is about, for events recorded without an actor.
        .select_related("actor", "message__author")
        .defer("message__text", "message__html")
        .order_by("created_at", "id")
    )
    others = (
        visible_tickets(user)
        .filter(contact_id=ticket.contact_id)
        .exclude(pk=ticket.pk)
        .select_related("campaign")
        .order_by("-updated_at")[:20]
    )
    return {"ticket": ticket, "thread": thread, "events": events, "other_tickets": others}


@login_required_in_domain
@require_GET
def attachment_download(request: HttpRequest, number: int, attachment_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    attachment = get_object_or_404(
        Attachment, domain_id=user.domain_id, message__ticket=ticket, pk=attachment_id
    )
    content = read_blob(attachment.storage_name)
    filename = safe_filename(attachment.filename, fallback=f"attachment-{attachment.pk}")
    if request.GET.get("preview") == "1" and is_pdf(attachment.content_type):
        return pdf_preview_response(content, filename=filename)
    return download_response(content, filename=filename, content_type=attachment.content_type)
