"""Every response carries a Content-Security-Policy; cookies, HSTS and the trusted proxy are
settings; and the production set-up of docs/operations.md (behind a TLS proxy) works."""

import os
import subprocess
import sys

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from comptoir.api.actions import create_token
from comptoir.tenancy.models import DomainHostname, Role, User
from tests.conftest import Acme
from tests.test_isolation import RIGHTS, acme_objects, fill, routes

__all__ = ["acme_objects"]  # the fixture, used by the tests below

# The UI's policy, or a stricter one set by the view itself (icons, email HTML, downloads).
PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
)
STRICTER = ("sandbox", "default-src 'none'", "frame-ancestors 'self'")


def assert_policy(response: object, what: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")  # type: ignore[attr-defined]
    assert policy, f"{what}: no Content-Security-Policy"
    if any(part in policy for part in STRICTER):
        return
    for directive in PAGE_POLICY:
        assert directive in policy, f"{what}: {directive!r} missing from {policy!r}"


def admin_client(acme_host: str = "acme.localhost") -> Client:
    user = User.objects.get(domain__slug="acme", login="alice")
    for right in RIGHTS:
        setattr(user, right, True)
    user.role = Role.ADMIN
    user.save()
    client = Client(HTTP_HOST=acme_host)
    client.force_login(user)
    return client


def test_every_url_answers_with_a_content_security_policy(acme_objects: dict[str, str]) -> None:
    signed_in, anonymous = admin_client(), Client(HTTP_HOST="acme.localhost")
    walked = 0
    for route in routes(get_resolver().url_patterns):
        if route.startswith(("django-admin/", "i18n/", "api/v1/^", "^api")):
            continue  # covered below (the API's catch-alls are regular expressions)
        url = "/" + fill(route, acme_objects | {"uidb64": "MQ", "token": "x-y"})
        for client in (signed_in, anonymous):
            for method in ("get", "post"):
                assert_policy(getattr(client, method)(url), f"{method.upper()} {url}")
        walked += 1
    assert walked > 100


def test_the_login_page_ticket_list_quarantine_404_and_api_carry_the_page_policy(
    acme_objects: dict[str, str],
) -> None:
    client = admin_client()
    for url in (reverse("ui:tickets"), reverse("ui:quarantine"), "/no-such-page/"):
        assert_policy(client.get(url), url)
    assert_policy(Client(HTTP_HOST="acme.localhost").get(reverse("ui:login")), "login")
    assert_policy(Client(HTTP_HOST="localhost").get(reverse("ui:login")), "bare login")
    _token, key = create_token(User.objects.get(login="alice"))
    api = Client(HTTP_HOST="acme.localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    for url in ("/api/v1/campaigns", "/api/v1/nothing-here", "/api/v1/openapi.json"):
        assert_policy(api.get(url), url)
        assert_policy(Client().get(url), f"anonymous {url}")
    assert_policy(Client().get("/static/ui/comptoir.css"), "a static file")
    assert_policy(Client().post("/i18n/setlang/", {"language": "en"}), "language switch")


# --- Settings from the environment ---------------------------------------------------------

SHOW = (
    "from django.conf import settings as s; "
    "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, "
    "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SECURE_PROXY_SSL_HEADER, "
    "s.CSRF_TRUSTED_ORIGINS, s.COMPTOIR_TRUSTED_PROXY, s.COMPTOIR_DJANGO_ADMIN)"
)


def settings_with(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("COMPTOIR_")}
    environ |= {"DJANGO_SETTINGS_MODULE": "comptoir.settings", "COMPTOIR_DATA_DIR": "var/test"}
    code = f"import django; django.setup(); {SHOW}"
    run = subprocess.run(
        [sys.executable, "-c", code], env=environ | env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_the_defaults_trust_no_proxy_and_send_no_hsts() -> None:
    assert settings_with() == "False False 0 False False None [] 0 False"


def test_the_production_settings_of_the_operations_guide() -> None:
    shown = settings_with(
        COMPTOIR_SECURE_COOKIES="1",
        COMPTOIR_HSTS_SECONDS="31536000",
        COMPTOIR_HSTS_INCLUDE_SUBDOMAINS="1",
        COMPTOIR_HSTS_PRELOAD="1",
        COMPTOIR_TRUSTED_PROXY="1",
        COMPTOIR_CSRF_TRUSTED_ORIGINS="https://demo.example,https://support.example",
        COMPTOIR_DJANGO_ADMIN="1",
    )
    assert shown == (
        "True True 31536000 True True ('HTTP_X_FORWARDED_PROTO', 'https') "
        "['https://demo.example', 'https://support.example'] 1 True"
    )


# --- Behind a TLS proxy (what nginx sends, docs/operations.md) ------------------------------


@pytest.fixture
def behind_proxy(acme: Acme, settings):  # type: ignore[no-untyped-def]
    DomainHostname.objects.create(domain=acme.domain, hostname="demo.example")
    settings.ALLOWED_HOSTS = ["demo.example"]
    return settings


NGINX = {
    "HTTP_HOST": "demo.example",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_FOR": "203.0.113.7",
    "HTTP_ORIGIN": "https://demo.example",
    "REMOTE_ADDR": "127.0.0.1",
}


def login_through_proxy() -> object:
    browser = Client(enforce_csrf_checks=True, **NGINX)
    browser.get(reverse("ui:login"))
    token = browser.cookies["csrftoken"].value
    data = {"login": "alice", "password": "pw", "csrfmiddlewaretoken": token}
    return browser.post(reverse("ui:login"), data)


def test_a_login_through_a_trusted_tls_proxy_is_accepted(behind_proxy) -> None:  # type: ignore[no-untyped-def]
    behind_proxy.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    behind_proxy.SESSION_COOKIE_SECURE = behind_proxy.CSRF_COOKIE_SECURE = True
    behind_proxy.SECURE_HSTS_SECONDS = 31536000
    response = login_through_proxy()
    assert response.status_code == 302  # type: ignore[attr-defined]
    assert response.cookies["sessionid"]["secure"]  # type: ignore[attr-defined]
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"  # type: ignore[attr-defined]


def test_without_the_trusted_proxy_setting_the_https_origin_is_refused(behind_proxy) -> None:  # type: ignore[no-untyped-def]
    behind_proxy.SECURE_PROXY_SSL_HEADER = None
    response = login_through_proxy()
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "Strict-Transport-Security" not in response.headers  # type: ignore[attr-defined]
