"""A password change or reset ends the user's sessions elsewhere; a reset (by a mailed link, or
set by an administrator) also revokes the user's API tokens, a change by the user keeps them."""

from django.test import Client
from django.urls import reverse

from comptoir.api.actions import create_token
from comptoir.api.models import ApiToken
from comptoir.tenancy.models import User
from tests.conftest import Acme
from tests.tenancy.account_mail_helpers import sent_mail
from tests.ui.test_people import STRONG, make_admin, password_link


def logged_in(login: str, password: str = "pw") -> Client:
    """A browser that logged in through the real login form."""
    client = Client(HTTP_HOST="acme.localhost:8000")
    response = client.post(reverse("ui:login"), {"login": login, "password": password})
    assert response.status_code == 302, response
    return client


def still_in(client: Client) -> bool:
    return client.get(reverse("ui:account")).status_code == 200


def api_works(key: str) -> bool:
    client = Client(HTTP_HOST="acme.localhost", HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get(reverse("api:campaigns")).status_code == 200


def api_user(acme: Acme) -> User:
    acme.agent.can_use_api = True
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    return acme.agent


def test_changing_my_password_ends_my_other_sessions_and_keeps_this_one_and_my_tokens(
    acme: Acme,
) -> None:
    _token, key = create_token(api_user(acme), name="crm")
    here, elsewhere = logged_in("alice"), logged_in("alice")
    data = {"old_password": "pw", "new_password1": STRONG, "new_password2": STRONG}
    assert here.post(reverse("ui:password_change"), data).status_code == 302
    # This session stays, and its page says what became of the others and of the tokens.
    assert "restent valides" in here.get(reverse("ui:account")).text
    assert not still_in(elsewhere)
    # The user proved the old password: their integrations keep working.
    assert api_works(key)


def test_a_password_reset_by_link_ends_every_session_and_revokes_every_token(acme: Acme) -> None:
    _token, key = create_token(api_user(acme), name="crm")
    first, second = logged_in("alice"), logged_in("alice")
    stranger = Client(HTTP_HOST="acme.localhost:8000")
    stranger.post(reverse("ui:password_reset"), {"login_or_email": "alice"})
    link = password_link(sent_mail()[0])
    assert stranger.post(link, {"password1": STRONG, "password2": STRONG}).status_code == 302
    assert not still_in(first)
    assert not still_in(second)
    assert not api_works(key)
    assert not ApiToken.objects.filter(user=acme.agent, revoked=False).exists()
    assert still_in(logged_in("alice", STRONG))


def test_a_password_set_by_an_administrator_ends_the_users_sessions_and_tokens(
    acme: Acme,
) -> None:
    admin = make_admin(acme)
    _token, key = create_token(api_user(acme), name="crm")
    _admin_token, admin_key = create_token(admin, name="admin's")
    alice, ada = logged_in("alice"), logged_in("ada")
    url = reverse("ui:user_password", args=[acme.agent.pk])
    assert ada.post(url, {"password1": STRONG, "password2": STRONG}).status_code == 302
    assert not still_in(alice)
    assert not api_works(key)
    # The administrator's own session and tokens are not touched.
    assert still_in(ada)
    assert api_works(admin_key)


def test_another_users_sessions_and_tokens_are_not_touched(acme: Acme) -> None:
    acme.supervisor.can_use_api = True
    acme.supervisor.save()
    _token, sam_key = create_token(acme.supervisor, name="sam")
    sam = logged_in("sam")
    _alice_token, _key = create_token(api_user(acme), name="crm")
    stranger = Client(HTTP_HOST="acme.localhost:8000")
    stranger.post(reverse("ui:password_reset"), {"login_or_email": "alice"})
    stranger.post(password_link(sent_mail()[0]), {"password1": STRONG, "password2": STRONG})
    assert still_in(sam)
    assert api_works(sam_key)
