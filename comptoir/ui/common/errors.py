"""The pages Django shows when a view refuses or fails (the root URLconf's handler400/403/
404/500): inside the app's layout, in the reader's language, with a way back. Under /api/ they
answer the API's JSON instead (comptoir.api.errors).

A view that knows why it refuses raises `Refused(reason)`: the reason is shown as it is, so
it must be a sentence for people, translated (a core PermissionDenied's message is English
for logs and is never shown)."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from comptoir.api import errors as api_errors
from comptoir.ui.common.pages import render_page


class Refused(PermissionDenied):
    """A 403 whose reason the page shows (a translated sentence)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def way_back(request: HttpRequest) -> str:
    """The page the reader came from when it is on this site, else their home page."""
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return home_of(request)


def home_of(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return reverse("ui:login")
    return reverse("ui:campaigns" if user.can_process else "ui:tickets")


def error_page(request: HttpRequest, status: int, title: str, reason: str) -> HttpResponse:
    context = {"status": status, "title": title, "reason": reason, "back": way_back(request)}
    context["home"] = home_of(request)
    return render_page(request, "ui/errors/error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if api_errors.is_api(request):
        return api_errors.bad_request(request, exception)
    return error_page(request, 400, _("Bad request"), _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if api_errors.is_api(request):
        return api_errors.permission_denied(request, exception)
    reason = exception.reason if isinstance(exception, Refused) else ""
    return error_page(request, 403, _("Access refused"), reason or _("You may not open this page."))


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if api_errors.is_api(request):
        return api_errors.page_not_found(request, exception)
    reason = _("This page does not exist, or it is not yours to see.")
    return error_page(request, 404, _("Page not found"), reason)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django has logged the failure; the page uses no database (it may be what failed), so
    it is a page of its own rather than the layout, which asks for the user."""
    if api_errors.is_api(request):
        return api_errors.server_error(request)
    return HttpResponse(render_to_string("ui/errors/500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form posted without its token (expired, or from
    another site)."""
    if api_errors.is_api(request):
        return api_errors.error_response(403, _("You may not do this."))
    reason = _("The form has expired or came from another site: reload the page and try again.")
    return error_page(request, 403, _("Access refused"), reason)
