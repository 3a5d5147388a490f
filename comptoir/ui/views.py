"""Read-only ticket list, thread and attachment download (until the agent console exists)."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from comptoir.campaigns.models import Campaign
from comptoir.tickets.blobs import read_blob
from comptoir.tickets.models import (
    Attachment,
    RawMessage,
    RawState,
    Ticket,
    TicketStatus,
)
from comptoir.ui.auth import current_user, login_required_in_domain
from comptoir.ui.downloads import download_response, safe_filename
from comptoir.ui.visibility import visible_campaigns, visible_tickets

PAGE_SIZE = 50
# Longest number a BigIntegerField holds without overflow, in digits.
MAX_NUMBER_DIGITS = 18

# The thread shows customers' HTML: no script at all, and no image fetched from elsewhere
# (a remote image is a read receipt for whoever sent it).
THREAD_CSP = (
    "default-src 'self'; script-src 'none'; object-src 'none'; img-src 'self'; "
    "style-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


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
    user = current_user(request)
    ticket = visible_ticket(request, number)
    attachments = Attachment.objects.filter(domain_id=user.domain_id).order_by("id")
    thread = (
        ticket.messages.filter(domain_id=user.domain_id)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=attachments))
        .order_by("created_at", "id")
    )
    events = (
        ticket.events.filter(domain_id=user.domain_id)
        .select_related("actor")
        .order_by("created_at", "id")
    )
    others = (
        visible_tickets(user)
        .filter(contact_id=ticket.contact_id)
        .exclude(pk=ticket.pk)
        .select_related("campaign")
        .order_by("-updated_at")[:20]
    )
    context = {
        "ticket": ticket,
        "thread": thread,
        "events": events,
        "other_tickets": others,
    }
    response = render(request, "ui/ticket_detail.html", context)
    response["Content-Security-Policy"] = THREAD_CSP
    return response


@login_required_in_domain
@require_GET
def attachment_download(request: HttpRequest, number: int, attachment_id: int) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    attachment = get_object_or_404(
        Attachment, domain_id=user.domain_id, message__ticket=ticket, pk=attachment_id
    )
    return download_response(
        read_blob(attachment.storage_name),
        filename=safe_filename(attachment.filename, fallback=f"attachment-{attachment.pk}"),
        content_type=attachment.content_type,
    )
