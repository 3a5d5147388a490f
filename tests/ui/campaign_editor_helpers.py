"""The campaign editor's tests share a manager persona and the tabs' URLs."""

from django.urls import reverse

from comptoir.tenancy.models import Role, User
from tests.conftest import Acme


def manager(acme: Acme) -> User:
    """Maud manages the campaigns; she reads the pages in English (assertions quote them)."""
    return User.objects.create_user(
        domain=acme.domain,
        login="maud",
        password="pw",
        role=Role.ADMIN,
        can_manage_campaigns=True,
        language="en",
    )


def url(name: str, acme: Acme, *args: object) -> str:
    return reverse(f"ui:{name}", args=[acme.support.slug, *args])
