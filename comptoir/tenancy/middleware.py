"""Resolve the request's domain from its host; apply the user's language."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from comptoir.tenancy.models import Domain


def domain_for_host(host: str) -> Domain | None:
    """`<slug>.localhost` in development, or one of the domain's configured hostnames."""
    host = host.split(":", 1)[0].lower().rstrip(".")
    if host.endswith(".localhost"):
        slug = host.removesuffix(".localhost").rsplit(".", 1)[-1]
        found = Domain.objects.filter(slug=slug).first()
        if found is not None:
            return found
    return Domain.objects.filter(hostnames__hostname=host).first() if host else None


class DomainMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.domain = domain_for_host(request.get_host())  # type: ignore[attr-defined]
        return self.get_response(request)


class UserLanguageMiddleware:
    """The language chosen with the switch (cookie), else the logged-in user's, else the
    domain's, else the browser's (LocaleMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in dict(settings.LANGUAGES):
            language = ""
        if not language and user.is_authenticated:
            language = user.language or user.domain.language  # type: ignore[union-attr]
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)
