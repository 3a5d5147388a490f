"""Links mailed to users (invitations, password resets) are built on the domain's configured
address: its first hostname, else <slug>.localhost on the port the web server listens on,
never a port it does not serve on and never the Host header of the request."""

import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import reverse

from comptoir.ops.management.commands.serve import child_environment
from comptoir.tenancy.actions import invite_user
from comptoir.tenancy.links import domain_address
from comptoir.tenancy.models import AccountEmail, DomainHostname
from tests.conftest import Acme
from tests.ui.conftest import client_for

pytestmark = pytest.mark.django_db


def test_a_configured_hostname_is_the_address(acme: Acme) -> None:
    DomainHostname.objects.create(domain=acme.domain, hostname="support.acme.example")
    DomainHostname.objects.create(domain=acme.domain, hostname="zz.acme.example")
    with override_settings(COMPTOIR_URL_SCHEME="https"):
        assert domain_address(acme.domain) == "https://support.acme.example"


@override_settings(COMPTOIR_DEV_URL="http://{slug}.localhost:8123")
def test_without_a_hostname_the_invitation_names_the_served_port(acme: Acme) -> None:
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    email = invite_user(acme.agent)
    assert "http://acme.localhost:8123/invitation/" in email.body
    assert "localhost:8000" not in email.body


def test_the_request_host_never_makes_the_link(acme: Acme) -> None:
    """An administrator reaching the site on another host or port gets the configured address
    in the invitation, not the one they typed (a Host header is the client's)."""
    DomainHostname.objects.create(domain=acme.domain, hostname="support.acme.example")
    admin = acme.supervisor
    admin.can_manage_users = True
    admin.save()
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    client = client_for(admin, host="acme.localhost:9999")
    client.post(reverse("ui:user_invite", args=[acme.agent.pk]))
    body = AccountEmail.objects.get(user=acme.agent).body
    assert "://support.acme.example/invitation/" in body and "9999" not in body


def test_serve_gives_its_children_the_port_it_listens_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMPTOIR_DEV_URL", raising=False)
    child = child_environment(8123)
    assert child["COMPTOIR_DEV_URL"] == "http://{slug}.localhost:8123"
    # A real process started with that environment: its settings read it.
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'comptoir.settings');"
        "django.setup(); from django.conf import settings; print(settings.COMPTOIR_DEV_URL)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=child, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "http://{slug}.localhost:8123"


def test_an_operators_dev_url_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPTOIR_DEV_URL", "http://{slug}.dev.example:7000")
    assert child_environment(8123)["COMPTOIR_DEV_URL"] == "http://{slug}.dev.example:7000"
