"""What every page of the agents' UI shares: its Content-Security-Policy, how an htmx request
is told from a plain one, and where a POST sends the browser back to."""

from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

# Pages show customers' HTML (sanitised with nh3): scripts only from our own static files
# (htmx, console.js), never inline nor eval'd; no image fetched from elsewhere (a remote image
# is a read receipt for whoever sent it); no plugin; frames only from us (a PDF preview).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; object-src 'none'; img-src 'self'; "
    "style-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def with_csp(response: HttpResponse) -> HttpResponse:
    response["Content-Security-Policy"] = PAGE_CSP
    return response


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
