"""The API's errors: one JSON shape, {"error": sentence, "fields": {name: sentence}}, for every
answer other than success (docs/api.md, "Errors and limits"), including those Django gives
before or after a view runs: an unknown address, a body too large, a failure (500).

The root URLconf's handler400/403/404/500 are comptoir.ui.common.errors, which answer with
the functions below under /api/ (JSON) and with the UI's pages elsewhere.
"""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success: its status, a sentence, and what is wrong by field."""

    def __init__(self, status: int, error: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(error)
        self.status, self.error, self.fields = status, error, fields or {}


def error_response(status: int, error: str, fields: dict[str, str] | None = None) -> JsonResponse:
    body: dict[str, Any] = {"error": error}
    if fields:
        body["fields"] = fields
    response = JsonResponse(body, status=status)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="comptoir"'
    return response


def not_found() -> ApiError:
    return ApiError(404, _("Not found."))


def is_api(request: HttpRequest) -> bool:
    return request.path_info == "/api" or request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(400, _("The request is not valid."))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(403, _("You may not do this."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return error_response(404, _("No such API endpoint."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """Django has logged the failure (logger django.request); the caller learns only that
    there was one, never its details."""
    if is_api(request):
        return error_response(500, _("An unexpected error occurred; it has been logged."))
    return defaults.server_error(request)
