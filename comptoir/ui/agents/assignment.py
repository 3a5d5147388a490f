"""\"M'affecter ce ticket\" and \"Supprimer mon affectation\", from the ticket page or the
console. With htmx the assignment panel is swapped in place; without, POST and redirect."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.distribution.actions import PlayError, assign_to_me, remove_my_assignment
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket
from comptoir.ui.agents.panels import assignment_context
from comptoir.ui.agents.tickets import visible_ticket
from comptoir.ui.common.access import current_user, login_required_in_domain
from comptoir.ui.common.pages import is_htmx, safe_next

Change = Callable[..., Ticket]


def change_assignment(request: HttpRequest, number: int, change: Change, done: str) -> HttpResponse:
    user = current_user(request)
    ticket = visible_ticket(request, number)
    error = ""
    try:
        ticket = change(ticket, user)
    except PlayError as problem:
        error = str(problem)
    if is_htmx(request):
        return assignment_panel(request, user, ticket, error=error, done="" if error else done)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(safe_next(request, reverse("ui:ticket", args=[ticket.number])))


def assignment_panel(
    request: HttpRequest, user: User, ticket: Ticket, *, error: str, done: str
) -> HttpResponse:
    ticket.refresh_from_db()
    context = {
        "ticket": ticket,
        **assignment_context(user, ticket),
        "assignment_error": error,
        "assignment_done": done,
        "next_url": safe_next(request, reverse("ui:ticket", args=[ticket.number])),
    }
    return render(request, "ui/assignment.html", context)


@login_required_in_domain
@require_POST
def assign(request: HttpRequest, number: int) -> HttpResponse:
    return change_assignment(
        request,
        number,
        assign_to_me,
        _("Done: only you will be served this ticket, and only you may open it."),
    )


@login_required_in_domain
@require_POST
def remove_assignment(request: HttpRequest, number: int) -> HttpResponse:
    done = _("Your assignment is removed: the ticket is back in the team's queue.")
    return change_assignment(request, number, remove_my_assignment, done)
