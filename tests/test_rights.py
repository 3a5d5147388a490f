"""Every page and action of the UI is refused to a user of the domain who lacks its right.

For each right, a user holding every other right walks every URL that right guards (with real
objects of Acme in the URL): each GET and POST is refused (403, or 404 where the object is
hidden from them) and nothing changes. A user holding no right at all is refused everywhere
but on their own account pages."""

import pytest
from django.test import Client
from django.urls import get_resolver

from comptoir.tenancy.models import Domain, Role, User
from tests.test_isolation import RIGHTS, acme_objects, fill, routes, snapshot

__all__ = ["acme_objects"]  # the fixture, used by the tests below

SUPERVISOR_ACTIONS = tuple(
    f"tickets/<int:number>/{action}/" for action in ("reassign", "unassign", "unlock", "requeue")
)
# The URLs each right guards (prefixes of routes).
GUARDED: dict[str, tuple[str, ...]] = {
    "can_manage_campaigns": ("manage/",),
    "can_manage_users": ("users/", "teams/", "pause-reasons/"),
    "can_supervise": ("supervision/", "quarantine/", *SUPERVISOR_ACTIONS),
    "can_process": (
        "campaigns/<slug:slug>/play/",
        "campaigns/<slug:slug>/wait/",
        "process/",
        "play/",
        "my-stats/",
    ),
    "can_use_api": ("account/tokens/",),
    "can_export": ("supervision/exports/",),
}
# Reached by every user of the domain: home, their account, their campaigns, their tickets' list.
OPEN_TO_ALL = (
    "home/",
    "account/",
    "campaigns/",
    "my-tickets/",
    "login/",
    "logout/",
    "password-reset/",
)


def refused_everywhere(client: Client, prefixes: tuple[str, ...], values: dict[str, str]) -> int:
    walked = 0
    for route in routes(get_resolver().url_patterns):
        if not route.startswith(prefixes) or route == "account/tokens/<int:token_id>/revoke/":
            continue  # revoking one's own token needs no right: one may always stop using one
        url = fill(route, values)
        for method in ("get", "post"):
            answer = getattr(client, method)(url)
            assert answer.status_code in (403, 404, 405), f"{method.upper()} {url}"
        walked += 1
    return walked


def user_without(right: str | None) -> Client:
    domain = Domain.objects.get(slug="acme")
    rights = {name: name != right and right is not None for name in RIGHTS}
    user = User.objects.create_user(
        domain=domain, login=f"without-{right}", password="pw", role=Role.AGENT, **rights
    )
    client = Client(HTTP_HOST="acme.localhost")
    client.force_login(user)
    return client


@pytest.mark.parametrize("right", sorted(GUARDED))
def test_each_right_guards_its_pages_and_actions(acme_objects: dict[str, str], right: str) -> None:
    client = user_without(right)
    before = snapshot()
    walked = refused_everywhere(client, GUARDED[right], acme_objects)
    assert walked >= {"can_manage_campaigns": 60, "can_manage_users": 8}.get(right, 1)
    assert snapshot() == before


def test_a_user_without_any_right_reaches_only_their_own_pages(
    acme_objects: dict[str, str],
) -> None:
    client = user_without(None)
    before = snapshot()
    everything = tuple(prefix for prefixes in GUARDED.values() for prefix in prefixes)
    assert refused_everywhere(client, everything, acme_objects) > 80
    for route in routes(get_resolver().url_patterns):
        if "<" in route or "(" in route or route.startswith(("api/", "django-admin/", "i18n/")):
            continue
        if route.startswith(OPEN_TO_ALL) or route == "":
            continue
        answer = client.get("/" + route)
        assert answer.status_code in (403, 404, 405), f"/{route}: {answer.status_code}"
    assert client.get("/account/").status_code == 200
    assert snapshot() == before
