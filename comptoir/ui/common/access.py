"""Who may open a page: the logged-in user of the host's domain, the rights a page needs, and
the campaign a campaign manager's URL names. The rules themselves live in the core
(tenancy's rights, tickets.access); these helpers only ask them for the views."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from comptoir.campaigns.models import Campaign
from comptoir.tenancy.models import Domain, User

# HttpResponseBase: a view may answer with a streamed download (lib.streaming).
View = Callable[..., HttpResponseBase]


def host_domain(request: HttpRequest) -> Domain | None:
    """The domain named by the host (set by tenancy.middleware), if any."""
    return cast(Domain | None, getattr(request, "domain", None))


def current_user(request: HttpRequest) -> User:
    """The logged-in user; only for views behind `login_required_in_domain`."""
    return cast(User, request.user)


def signed_in_here(request: HttpRequest) -> bool:
    """Logged in, on a host of the user's own domain or on a host naming no domain: a session
    opened on one domain's address is never honoured on another's."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    domain = host_domain(request)
    return domain is None or domain.pk == user.domain_id


def login_required_in_domain(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not signed_in_here(request):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper


def require_right(request: HttpRequest, right: str) -> User:
    """The logged-in user, who must hold `right` (a User flag such as can_manage_users)."""
    user = current_user(request)
    if not getattr(user, right):
        raise PermissionDenied
    return user


def right_required(right: str) -> Callable[[View], View]:
    """Logged in here (else to the login page), holding `right` (else 403), checked before
    anything else of the request is looked at."""

    def decorator(view: View) -> View:
        @login_required_in_domain
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            require_right(request, right)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


campaign_managers_only = right_required("can_manage_campaigns")
user_managers_only = right_required("can_manage_users")


def managed_campaign(request: HttpRequest, slug: str) -> Campaign:
    """The campaign of the user's domain that the URL names, for those who may manage
    campaigns: 403 without the right (asked first, so a URL tells nothing of which campaigns
    exist), 404 for a slug of another domain or of none. It checks the right itself, so
    a view that forgets `campaign_managers_only` still refuses."""
    user = require_right(request, "can_manage_campaigns")
    return get_object_or_404(
        Campaign.objects.select_related("domain"), domain_id=user.domain_id, slug=slug
    )
