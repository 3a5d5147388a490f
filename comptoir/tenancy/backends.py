"""Login is per domain: the same login may exist in two domains. Every password check goes
through the throttle (tenancy.throttle): the UI's login view calls it directly, and this
backend, used by Django's own admin login, calls it too."""

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from comptoir.tenancy.models import Domain, User
from comptoir.tenancy.throttle import attempt_login


class LoginThrottled(PermissionDenied):
    """Tried too soon after failed logins (Django's authenticate() then stops, returns None)."""


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address: the connection's, or, behind COMPTOIR_TRUSTED_PROXY proxies,
    the entry of X-Forwarded-For the farthest of them added (what it saw as its client).
    The entries before it are written by the client and never believed."""
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.COMPTOIR_TRUSTED_PROXY
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        if len(forwarded) >= proxies and forwarded[-proxies]:
            address = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class DomainLoginBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        domain: Domain | None = None,
        **kwargs: Any,
    ) -> User | None:
        if domain is None and request is not None:
            domain = getattr(request, "domain", None)
        if domain is None or username is None or password is None:
            return None
        address = client_address(request) if request is not None else None
        attempt = attempt_login(domain, login=username, password=password, address=address)
        if attempt.wait > 0:
            raise LoginThrottled
        return attempt.user
