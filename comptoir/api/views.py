"""The REST API's endpoints (docs/api.md): parse the JSON, call the core's action, answer JSON.

Tickets are looked up through tickets.access.visible_tickets, in the token's domain only: a
ticket the user may not see (another domain's, or assigned to someone else) answers 404.
"""

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from comptoir.api.auth import ApiError, api_view, error_response, not_found, read_json
from comptoir.api.openapi import document
from comptoir.api.serialize import (
    campaign_json,
    iso,
    live_processing_on,
    message_json,
    next_json,
    processing_json,
    ticket_json,
)
from comptoir.distribution import actions as play
from comptoir.distribution.models import Processing
from comptoir.tenancy.models import User
from comptoir.tickets import outbound
from comptoir.tickets.access import playable_campaigns, visible_campaigns, visible_tickets
from comptoir.tickets.models import Ticket

# The largest ticket number a BigIntegerField holds; beyond it no ticket exists.
MAX_NUMBER = 2**63 - 1


def find_ticket(user: User, number: int) -> Ticket:
    """The ticket with this number that the user may see, or 404."""
    if number > MAX_NUMBER:
        raise not_found()
    ticket = (
        visible_tickets(user)
        .select_related("campaign", "contact", "assignee", "locked_by", "domain")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise not_found()
    return ticket


def my_processing(ticket: Ticket, user: User) -> Processing:
    processing = live_processing_on(ticket, user)
    if processing is None:
        raise ApiError(409, _("You have no processing in progress on this ticket."))
    return processing


@api_view("GET")
def campaigns(request: HttpRequest, user: User) -> HttpResponse:
    playable = set(playable_campaigns(user).values_list("pk", flat=True))
    rows = visible_campaigns(user).order_by("name", "pk")
    return JsonResponse({"campaigns": [campaign_json(c, playable=c.pk in playable) for c in rows]})


@api_view("POST")
def next_ticket(request: HttpRequest, user: User, slug: str) -> HttpResponse:
    campaign = playable_campaigns(user).select_related("domain").filter(slug=slug).first()
    if campaign is None:
        raise not_found()
    return JsonResponse(next_json(play.claim_next_ticket(user, campaign), user))


@api_view("GET")
def ticket_detail(request: HttpRequest, user: User, number: int) -> HttpResponse:
    return JsonResponse(ticket_json(find_ticket(user, number), user))


@api_view("POST", "DELETE")
def ticket_assign(request: HttpRequest, user: User, number: int) -> HttpResponse:
    ticket = find_ticket(user, number)
    if request.method == "POST":
        play.assign_to_me(ticket, user)
    else:
        play.remove_my_assignment(ticket, user)
    return JsonResponse(ticket_json(find_ticket(user, number), user))


def text_field(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if not isinstance(value, str):
        raise ApiError(400, _("The request is not valid."), {name: _("Give a string.")})
    return value


def address_list(data: dict[str, Any], name: str) -> list[str]:
    value = data.get(name) or []
    if not isinstance(value, list) or not all(isinstance(a, str) for a in value):
        fields = {name: _("Give a list of email addresses.")}
        raise ApiError(400, _("The request is not valid."), fields)
    return value


@api_view("POST")
def ticket_reply(request: HttpRequest, user: User, number: int) -> HttpResponse:
    data = read_json(request)
    text, cc = text_field(data, "text"), address_list(data, "cc")
    ticket = find_ticket(user, number)
    message = outbound.reply(ticket, author=user, text=text, cc=cc)
    return JsonResponse(message_json(message), status=201)


@api_view("POST")
def ticket_notes(request: HttpRequest, user: User, number: int) -> HttpResponse:
    text = text_field(read_json(request), "text")
    note = outbound.add_note(find_ticket(user, number), author=user, text=text)
    return JsonResponse(message_json(note), status=201)


def moment_field(data: dict[str, Any], name: str) -> datetime | None:
    """An ISO 8601 date and time with its offset, or None when absent or null."""
    value = data.get(name)
    if value is None:
        return None
    try:
        moment = parse_datetime(value) if isinstance(value, str) else None
    except ValueError:  # well formed, but no such date (a 31st of April)
        moment = None
    if moment is None or moment.tzinfo is None:
        example = "2026-05-04T09:00:00+02:00"
        fields = {name: _("Give a date and time with its offset, e.g. %s.") % example}
        raise ApiError(400, _("The request is not valid."), fields)
    return moment


@api_view("POST")
def ticket_qualify(request: HttpRequest, user: User, number: int) -> HttpResponse:
    data = read_json(request)
    outcome, reopen_at = text_field(data, "outcome"), moment_field(data, "reopen_at")
    answers = data.get("answers") or {}
    if not isinstance(answers, dict):
        fields = {"answers": _("Give an object: question name → answer.")}
        raise ApiError(400, _("The request is not valid."), fields)
    processing = my_processing(find_ticket(user, number), user)
    done = play.qualify(processing, outcome=outcome, answers=answers, reopen_at=reopen_at)
    return JsonResponse(processing_json(done))


@api_view("POST")
def ticket_release(request: HttpRequest, user: User, number: int) -> HttpResponse:
    processing = my_processing(find_ticket(user, number), user)
    return JsonResponse(processing_json(play.release(processing)))


@api_view("POST")
def ticket_heartbeat(request: HttpRequest, user: User, number: int) -> HttpResponse:
    processing = my_processing(find_ticket(user, number), user)
    if not play.heartbeat(processing):
        raise ApiError(409, _("Your lock on this ticket expired and another agent took it."))
    locked_until = (
        Ticket.objects.filter(pk=processing.ticket_id).values_list("locked_until", flat=True).get()
    )
    return JsonResponse({"processing": processing.pk, "locked_until": iso(locked_until)})


def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI description: public, like the documentation."""
    if request.method not in ("GET", "HEAD"):
        return error_response(405, _("Method not allowed."))
    return JsonResponse(document(), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def unknown(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Any other address under /api/v1/: a JSON 404, not the web UI's page."""
    return error_response(404, _("No such API endpoint."))
