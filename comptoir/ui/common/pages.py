"""What every page of the UI shares: its Content-Security-Policy, how an htmx request is told
from a plain one, and where a POST sends the browser back to."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.csp import build_policy
from django.utils.http import url_has_allowed_host_and_scheme

GET_POST = ["GET", "POST"]


def with_csp(response: HttpResponse) -> HttpResponse:
    """The UI's policy (settings.SECURE_CSP, which the CSP middleware also puts on every
    other response): said again by the pages that show customers' HTML, so that their
    policy never depends on the middleware list alone."""
    response["Content-Security-Policy"] = build_policy(settings.SECURE_CSP)
    return response


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """A page (or an htmx fragment, `template#partial`) with the UI's Content-Security-Policy."""
    return with_csp(render(request, template, context, status=status))


def is_htmx(request: HttpRequest) -> bool:
    """A request made by htmx for a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The `next` field of a POST when it stays on this site, else the fallback."""
    wanted = request.POST.get("next", "")
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return fallback
