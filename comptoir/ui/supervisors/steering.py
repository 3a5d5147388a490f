"""What a campaign's supervisors do from the ticket page and the list of flagged tickets:
reassign, unassign, unlock, requeue (distribution.steering). Only for those who supervise
the ticket's campaign: the buttons show for them alone and these views check it (403)."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from comptoir.distribution import steering
from comptoir.distribution.actions import PlayError
from comptoir.tickets.access import supervised_campaigns, supervises, visible_tickets
from comptoir.tickets.models import Ticket
from comptoir.ui.agents.panels import campaign_agents
from comptoir.ui.agents.tickets import visible_ticket
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.pages import render_page, safe_next


def steered_ticket(request: HttpRequest, number: int) -> Ticket:
    """The ticket: 404 when the user may not see it, 403 when they do not supervise it."""
    ticket = visible_ticket(request, number)
    if not supervises(current_user(request), ticket.campaign):
        raise PermissionDenied
    return ticket


def back(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    return redirect(safe_next(request, reverse("ui:ticket", args=[ticket.number])))


@login_required_in_domain
@require_POST
def reassign(request: HttpRequest, number: int) -> HttpResponse:
    ticket = steered_ticket(request, number)
    wanted = request.POST.get("agent", "")
    agents = campaign_agents(ticket.campaign)
    number_like = wanted.isascii() and wanted.isdecimal() and len(wanted) < 19
    agent = agents.filter(pk=int(wanted)).first() if number_like else None
    if agent is None:
        messages.error(request, _("Choose an agent of the campaign."))
        return back(request, ticket)
    try:
        steering.reassign(ticket, agent, by=current_user(request))
    except PlayError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Ticket #%(number)s is assigned to %(agent)s.")
            % {"number": ticket.number, "agent": agent},
        )
    return back(request, ticket)


def steer(
    request: HttpRequest, number: int, change: Callable[..., object], done: str
) -> HttpResponse:
    """One of the plain changes (no choice to make): done, said, and back where it came from."""
    ticket = steered_ticket(request, number)
    change(ticket, by=current_user(request))
    messages.success(request, done % {"number": number})
    return back(request, ticket)


@login_required_in_domain
@require_POST
def unassign(request: HttpRequest, number: int) -> HttpResponse:
    return steer(request, number, steering.unassign, _("Ticket #%(number)s is assigned to nobody."))


@login_required_in_domain
@require_POST
def unlock(request: HttpRequest, number: int) -> HttpResponse:
    return steer(request, number, steering.unlock, _("Ticket #%(number)s is unlocked."))


@login_required_in_domain
@require_POST
def requeue(request: HttpRequest, number: int) -> HttpResponse:
    return steer(request, number, steering.requeue, _("Ticket #%(number)s is back in the queue."))


@login_required_in_domain
@require_GET
def flagged_tickets(request: HttpRequest) -> HttpResponse:
    """Tickets out of the queue at max attempts, in the campaigns the user supervises."""
    user = current_user(request)
    campaigns = supervised_campaigns(user)
    if not campaigns.exists():
        raise PermissionDenied
    tickets = (
        visible_tickets(user)
        .filter(flagged=True, campaign__in=campaigns)
        .select_related("campaign", "contact", "assignee", "locked_by")
        .order_by("campaign__name", "updated_at")
    )
    context = {"tickets": tickets, "page_url": reverse("ui:flagged")}
    return render_page(request, "ui/flagged.html", context)
