"""The API's edge: bearer-token authentication, JSON in and out, errors as JSON.

Every endpoint is a function `view(request, user, **url_kwargs)` wrapped by `api_view`, which
checks the method, authenticates the token, and turns the core's exceptions into statuses:
PermissionDenied → 403, PlayError → 409, QualificationError and ReplyError → 400.
The domain is always the token's; the request's host plays no part.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from comptoir.api.actions import use_token
from comptoir.api.body import read_json
from comptoir.api.errors import ApiError, error_response, not_found
from comptoir.distribution.actions import PlayError
from comptoir.scripts.answers import QualificationError
from comptoir.tenancy.models import User
from comptoir.tickets.outbound import ReplyError

__all__ = ["ApiError", "api_view", "error_response", "not_found", "read_json"]

# HttpResponseBase: a view may answer with a streamed download (lib.streaming).
ApiView = Callable[..., HttpResponseBase]


def bearer_key(request: HttpRequest) -> str:
    scheme, _space, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def authenticate(request: HttpRequest) -> User:
    """The token's user, or ApiError 401 (no usable token) / 403 (no right to use the API)."""
    key = bearer_key(request)
    if not key:
        raise ApiError(401, _("Authentication needed: send Authorization: Bearer <token>."))
    token = use_token(key)
    if token is None or token.user.domain_id != token.domain_id:
        raise ApiError(401, _("This token is not valid (unknown or revoked)."))
    user = token.user
    if not user.is_active:
        raise ApiError(401, _("This token's user is deactivated."))
    if not user.can_use_api:
        raise ApiError(403, _("This user does not have the right to use the API."))
    return user


def run_view(view: ApiView, request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponseBase:
    try:
        return view(request, authenticate(request), **kwargs)
    except ApiError as exc:
        return error_response(exc.status, exc.error, exc.fields)
    except PermissionDenied as exc:
        return error_response(403, str(exc) or _("You may not do this."))
    except PlayError as exc:
        return error_response(409, str(exc))
    except QualificationError as exc:
        return error_response(400, _("The qualification is not valid."), exc.errors)
    except ReplyError as exc:
        return error_response(400, str(exc), {exc.field: str(exc)} if exc.field else None)


def api_view(*methods: str) -> Callable[[ApiView], ApiView]:
    """An authenticated JSON endpoint answering `methods` (kept on the view as `api_methods`,
    which the OpenAPI test compares with the document)."""

    def decorate(view: ApiView) -> ApiView:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
            if request.method not in methods:
                response = error_response(405, _("Method not allowed."))
                response["Allow"] = ", ".join(methods)
                return response
            return run_view(view, request, kwargs)

        setattr(wrapper, "api_methods", methods)  # noqa: B010
        return wrapper

    return decorate
