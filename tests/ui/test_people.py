"""Administration of people in the web UI: users, teams, passwords, invitations, tokens."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import URLPattern, reverse
from django.utils import timezone

from comptoir.api.actions import create_token
from comptoir.api.models import ApiToken
from comptoir.supervision.models import PauseReason
from comptoir.tenancy.models import LoginFailure, Role, Team, User
from comptoir.ui.account import urls as account_urls
from comptoir.ui.administration import urls as administration_urls
from tests.conftest import Acme, make_acme
from tests.tenancy.account_mail_helpers import sent_mail
from tests.ui.conftest import client_for

STRONG = "Vraiment-Solide-2026"


def make_admin(acme: Acme, login: str = "ada") -> User:
    admin = User.objects.create_user(
        domain=acme.domain, login=login, password="pw", role=Role.ADMIN, email="ada@acme.test"
    )
    admin.apply_role_rights()
    admin.save()
    return admin


@pytest.fixture
def admin(acme: Acme) -> User:
    return make_admin(acme)


def test_admin_lists_the_domains_users_only(acme: Acme, admin: User) -> None:
    make_acme("globex").agent.display_name = "Globex Alice"
    response = client_for(admin).get(reverse("ui:users"))
    assert response.status_code == 200
    assert "alice" in response.text and "sam" in response.text
    assert response["Content-Security-Policy"]
    assert "Globex" not in response.text


def test_admin_creates_a_user_with_the_rights_of_the_role(acme: Acme, admin: User) -> None:
    response = client_for(admin).post(
        reverse("ui:user_create"),
        {"login": "zoe", "display_name": "Zoé", "email": "zoe@acme.test", "role": "supervisor"},
    )
    zoe = User.objects.get(domain=acme.domain, login="zoe")
    assert response["Location"] == reverse("ui:user_edit", args=[zoe.pk])
    assert zoe.can_supervise and not zoe.can_manage_users
    assert not zoe.has_usable_password()


@pytest.mark.parametrize(
    "data",
    [
        {"login": "alice", "role": "agent"},  # taken in this domain
        {"login": "zoe", "role": "agent", "email": "not an address"},
        {"login": "zoe", "role": "emperor"},
        {"login": "", "role": "agent"},
        {"login": "zoe", "role": "agent", "invite": "on"},  # an invitation needs an email
    ],
)
def test_bad_user_input_is_shown_and_nothing_is_saved(
    acme: Acme, admin: User, data: dict[str, str]
) -> None:
    before = User.objects.count()
    response = client_for(admin).post(reverse("ui:user_create"), data)
    assert response.status_code == 200
    assert "field-error" in response.text
    assert User.objects.count() == before


def test_admin_creates_a_user_and_invites_them_at_once(acme: Acme, admin: User) -> None:
    data = {"login": "zoe", "email": "zoe@acme.test", "role": "agent", "invite": "on"}
    response = client_for(admin).post(reverse("ui:user_create"), data, follow=True)
    assert "invitation à zoe@acme.test est en route." in response.text  # (the page is French)
    assert 'data-state="queued"' in response.text and "En route" in response.text
    assert mail.outbox == []  # queued: the worker sends it
    (invitation,) = sent_mail()
    assert invitation.to == ["zoe@acme.test"]
    assert "/invitation/" in invitation.body


def test_user_page_lists_their_api_tokens(acme: Acme, admin: User) -> None:
    token, _key = create_token(acme.supervisor, name="nightly export")
    response = client_for(admin).get(reverse("ui:user_edit", args=[acme.supervisor.pk]))
    assert token.key_prefix in response.text and "nightly export" in response.text
    revoke = reverse("ui:user_token_revoke", args=[acme.supervisor.pk, token.pk])
    assert revoke in response.text


def test_admin_edits_role_rights_and_language(acme: Acme, admin: User) -> None:
    data = {"display_name": "Alice A.", "email": "alice@acme.test", "language": "en",
            "role": "agent", "can_process": "on", "can_export": "on"}  # fmt: skip
    client_for(admin).post(reverse("ui:user_edit", args=[acme.agent.pk]), data)
    acme.agent.refresh_from_db()
    assert (acme.agent.display_name, acme.agent.language) == ("Alice A.", "en")
    assert acme.agent.can_export and not acme.agent.can_supervise


def test_admin_cannot_remove_their_own_user_management(acme: Acme, admin: User) -> None:
    data = {"role": "agent", "can_process": "on"}
    response = client_for(admin).post(reverse("ui:user_edit", args=[admin.pk]), data)
    assert response.status_code == 200
    admin.refresh_from_db()
    assert admin.can_manage_users and admin.role == Role.ADMIN


def test_deactivated_user_cannot_log_in_and_is_reactivated(acme: Acme, admin: User) -> None:
    client = client_for(admin)
    client.post(reverse("ui:user_set_active", args=[acme.agent.pk]), {"active": "0"})
    assert not User.objects.get(pk=acme.agent.pk).is_active
    login = Client(HTTP_HOST="acme.localhost").post(
        reverse("ui:login"), {"login": "alice", "password": "pw"}
    )
    assert login.status_code == 200
    client.post(reverse("ui:user_set_active", args=[acme.agent.pk]), {"active": "1"})
    assert User.objects.get(pk=acme.agent.pk).is_active


def test_admin_sets_a_password_checked_by_the_validators(acme: Acme, admin: User) -> None:
    url = reverse("ui:user_password", args=[acme.agent.pk])
    weak = client_for(admin).post(url, {"password1": "12345678", "password2": "12345678"})
    assert weak.status_code == 200 and "field-error" in weak.text
    assert User.objects.get(pk=acme.agent.pk).check_password("pw")
    client_for(admin).post(url, {"password1": STRONG, "password2": STRONG})
    assert User.objects.get(pk=acme.agent.pk).check_password(STRONG)


def password_link(message: mail.EmailMessage) -> str:
    found = re.search(r"http://acme\.localhost:8000(/\S+/)", str(message.body))
    assert found, message.body
    return found.group(1)


def test_invitation_link_sets_the_password_then_the_user_logs_in(acme: Acme, admin: User) -> None:
    client_for(admin).post(
        reverse("ui:user_create"), {"login": "zoe", "email": "zoe@acme.test", "role": "agent"}
    )
    zoe = User.objects.get(login="zoe")
    client_for(admin).post(reverse("ui:user_invite", args=[zoe.pk]))
    (invitation,) = sent_mail()
    assert invitation.to == ["zoe@acme.test"] and "zoe" in invitation.body
    assert "http://acme.localhost:8000/login/" in invitation.body
    link = password_link(invitation)
    browser = Client(HTTP_HOST="acme.localhost:8000")
    assert browser.get(link).status_code == 200
    done = browser.post(link, {"password1": STRONG, "password2": STRONG})
    assert done["Location"] == reverse("ui:login")
    login = browser.post(reverse("ui:login"), {"login": "zoe", "password": STRONG})
    assert login.status_code == 302
    # The link is used up, and it never opens on another domain's address.
    assert Client(HTTP_HOST="acme.localhost").get(link).status_code == 400
    make_acme("globex")
    assert Client(HTTP_HOST="globex.localhost").get(link).status_code == 404


def test_invitation_expires_after_the_configured_days(acme: Acme, admin: User, settings) -> None:  # type: ignore[no-untyped-def]
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    client_for(admin).post(reverse("ui:user_invite", args=[acme.agent.pk]))
    link = password_link(sent_mail()[0])
    settings.COMPTOIR_INVITATION_DAYS = -1
    assert Client(HTTP_HOST="acme.localhost").get(link).status_code == 400


def test_password_reset_by_login_or_email_on_the_domains_address(acme: Acme) -> None:
    acme.agent.email = "alice@acme.test"
    acme.agent.save()
    browser = Client(HTTP_HOST="acme.localhost:8000")
    sent = browser.post(reverse("ui:password_reset"), {"login_or_email": "ALICE@acme.test"})
    assert sent.status_code == 200
    unknown = browser.post(reverse("ui:password_reset"), {"login_or_email": "nobody"})
    # The same answer: it never tells which logins exist.
    assert unknown.text.split("<main", 1)[1] == sent.text.split("<main", 1)[1]
    (message,) = sent_mail()
    link = password_link(message)
    browser.post(link, {"password1": STRONG, "password2": STRONG})
    assert User.objects.get(pk=acme.agent.pk).check_password(STRONG)
    assert (
        browser.post(reverse("ui:login"), {"login": "alice", "password": STRONG}).status_code == 302
    )


def test_password_reset_from_a_bare_host_asks_for_the_domain(acme: Acme) -> None:
    browser = Client(HTTP_HOST="localhost")
    assert 'name="domain"' in browser.get(reverse("ui:password_reset")).text
    acme.supervisor.email = "sam@acme.test"
    acme.supervisor.save()
    browser.post(reverse("ui:password_reset"), {"domain": "acme", "login_or_email": "sam"})
    assert sent_mail()[0].to == ["sam@acme.test"]


def test_user_changes_their_own_password_and_stays_logged_in(acme: Acme) -> None:
    client = client_for(acme.agent)
    url = reverse("ui:password_change")
    wrong = client.post(
        url, {"old_password": "no", "new_password1": STRONG, "new_password2": STRONG}
    )
    assert wrong.status_code == 200
    data = {"old_password": "pw", "new_password1": STRONG, "new_password2": STRONG}
    assert client.post(url, data)["Location"] == reverse("ui:account")
    assert User.objects.get(pk=acme.agent.pk).check_password(STRONG)
    assert client.get(reverse("ui:account")).status_code == 200


def failed_login(client: Client, password: str = "wrong") -> object:
    return client.post(reverse("ui:login"), {"login": "alice", "password": password})


def test_failed_logins_delay_the_login_even_with_the_right_password(acme: Acme) -> None:
    client = Client(HTTP_HOST="acme.localhost")
    for _attempt in range(5):
        assert failed_login(client).status_code == 200  # type: ignore[attr-defined]
    # Three more, as if each had waited its delay: the next waits 2**3 seconds.
    address = LoginFailure.objects.filter(login="alice").values_list("address", flat=True)[0]
    for _failure in range(3):
        LoginFailure.objects.create(domain=acme.domain, login="alice", address=address)
    delayed = failed_login(client, "pw")
    assert delayed.status_code == 429  # type: ignore[attr-defined]
    assert "réessayez dans" in delayed.text  # type: ignore[attr-defined]
    # Another login of the domain still logs in.
    assert client.post(reverse("ui:login"), {"login": "sam", "password": "pw"}).status_code == 302
    # Once the delay is over the right password logs in, and a success clears the count.
    LoginFailure.objects.update(at=timezone.now() - timedelta(seconds=9))
    assert failed_login(Client(HTTP_HOST="acme.localhost"), "pw").status_code == 302  # type: ignore[attr-defined]
    assert not LoginFailure.objects.filter(login="alice").exists()


def test_the_session_expires_after_comptoir_session_age(acme: Acme, settings) -> None:  # type: ignore[no-untyped-def]
    from django.contrib.sessions.models import Session

    settings.SESSION_COOKIE_AGE = 60
    client = Client(HTTP_HOST="acme.localhost")
    client.post(reverse("ui:login"), {"login": "alice", "password": "pw"})
    assert client.session.get_expiry_age() == 60
    assert client.get(reverse("ui:campaigns")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("ui:campaigns")).status_code == 302


def test_teams_list_shows_members_and_campaigns(acme: Acme, admin: User) -> None:
    acme.support.supervision_teams.add(Team.objects.create(domain=acme.domain, name="Chefs"))
    response = client_for(admin).get(reverse("ui:teams"))
    assert "Agents" in response.text and "Chefs" in response.text
    assert "Support" in response.text and "Commandes" in response.text


def test_admin_creates_renames_and_fills_a_team(acme: Acme, admin: User) -> None:
    client = client_for(admin)
    client.post(reverse("ui:team_create"), {"name": "Nuit"})
    team = Team.objects.get(domain=acme.domain, name="Nuit")
    data = {"name": "Nuit profonde", "members": [acme.agent.pk, acme.supervisor.pk]}
    client.post(reverse("ui:team_edit", args=[team.pk]), data)
    team.refresh_from_db()
    assert team.name == "Nuit profonde"
    assert set(team.members.all()) == {acme.agent, acme.supervisor}


def test_team_members_from_another_domain_or_a_taken_name_are_refused(
    acme: Acme, admin: User
) -> None:
    globex = make_acme("globex")
    team = Team.objects.create(domain=acme.domain, name="Nuit")
    client = client_for(admin)
    url = reverse("ui:team_edit", args=[team.pk])
    foreign = client.post(url, {"name": "Nuit", "members": [globex.agent.pk]})
    assert foreign.status_code == 200 and "field-error" in foreign.text
    taken = client.post(url, {"name": "Agents", "members": [acme.agent.pk]})
    assert taken.status_code == 200
    team.refresh_from_db()
    assert team.name == "Nuit" and team.members.count() == 0  # nothing half-saved


def test_a_team_is_deleted_only_when_no_campaign_uses_it(acme: Acme, admin: User) -> None:
    agents = Team.objects.get(domain=acme.domain, name="Agents")
    client = client_for(admin)
    client.post(reverse("ui:team_delete", args=[agents.pk]))
    assert Team.objects.filter(pk=agents.pk).exists()
    idle = Team.objects.create(domain=acme.domain, name="Idle")
    assert client.post(reverse("ui:team_delete", args=[idle.pk]))["Location"] == reverse("ui:teams")
    assert not Team.objects.filter(pk=idle.pk).exists()


def test_api_user_creates_a_token_shown_once_and_revokes_it(acme: Acme) -> None:
    client = client_for(acme.supervisor)  # supervisors may use the API
    acme.supervisor.can_use_api = True
    acme.supervisor.save()
    created = client.post(reverse("ui:token_create"), {"name": "script"})
    token = ApiToken.objects.get(user=acme.supervisor)
    key = re.search(r"cpt_[\w-]+", created.text)
    assert key and key.group(0).startswith(token.key_prefix) and len(key.group(0)) > 20
    assert key.group(0) not in client.get(reverse("ui:account")).text
    client.post(reverse("ui:token_revoke", args=[token.pk]))
    assert ApiToken.objects.get(pk=token.pk).revoked


def test_user_without_the_api_right_gets_no_token(acme: Acme) -> None:
    assert client_for(acme.agent).post(reverse("ui:token_create")).status_code == 403
    assert not ApiToken.objects.exists()


def test_admin_revokes_another_users_token_but_users_only_their_own(
    acme: Acme, admin: User
) -> None:
    token, _key = create_token(acme.supervisor)
    other = client_for(acme.agent).post(reverse("ui:token_revoke", args=[token.pk]))
    assert other.status_code == 404
    url = reverse("ui:user_token_revoke", args=[acme.supervisor.pk, token.pk])
    client_for(admin).post(url)
    assert ApiToken.objects.get(pk=token.pk).revoked


# --- Every URL of people_urls: rights and isolation --------------------------------------

# The URLs of people's accounts: one's own, and the users and teams an administrator manages.
PEOPLE_PATTERNS = [
    p
    for p in [*account_urls.urlpatterns, *administration_urls.people_patterns]
    if p.name not in ("login", "logout")
]
PUBLIC = {"password_reset", "password_reset_confirm", "invitation"}
OWN_ACCOUNT = {"account", "password_change", "token_create", "token_revoke"}
HOME = {"home"}  # Accueil: open to every signed-in user, its entries by right


def url_args(pattern: URLPattern, acme: Acme, token: ApiToken) -> list[object]:
    team = Team.objects.get(domain=acme.domain, name="Agents")
    values = {"user_id": acme.agent.pk, "team_id": team.pk,
              "token_id": token.pk, "uidb64": "MQ", "token": "x-y",
              "pause_reason_id": PauseReason.objects.filter(domain=acme.domain)[0].pk}  # fmt: skip
    return [values[name] for name in pattern.pattern.converters]


def all_people_urls(acme: Acme, token: ApiToken) -> list[tuple[str, str]]:
    patterns = [p for p in PEOPLE_PATTERNS if isinstance(p, URLPattern)]
    assert len(patterns) == len(PEOPLE_PATTERNS) > 15
    return [(str(p.name), reverse(f"ui:{p.name}", args=url_args(p, acme, token))) for p in patterns]


def test_agents_and_supervisors_are_refused_every_management_page(acme: Acme) -> None:
    token, _key = create_token(acme.supervisor)
    for user in (acme.agent, acme.supervisor):
        client = client_for(user)
        for name, url in all_people_urls(acme, token):
            if name in PUBLIC | OWN_ACCOUNT | HOME:
                continue
            assert client.get(url).status_code in (403, 405), (user, url)
            assert client.post(url, {"name": "x", "active": "0"}).status_code in (403, 405), url
    assert User.objects.get(pk=acme.agent.pk).is_active
    assert not ApiToken.objects.get(pk=token.pk).revoked


def test_admin_of_another_domain_sees_no_object_of_this_one(acme: Acme) -> None:
    token, _key = create_token(acme.supervisor)
    outsider = make_admin(make_acme("globex"), login="gus")
    client = client_for(outsider)  # on globex.localhost, its own domain's address
    for name, url in all_people_urls(acme, token):
        if name in PUBLIC:
            continue
        answer = client.post(url, {"name": "x", "label": "x", "active": "0"}).status_code
        if "<int:" in str(next(p for p in PEOPLE_PATTERNS if p.name == name).pattern):
            assert answer == 404, url
        else:
            assert answer in (200, 302, 405), url  # its own lists and account
    # The same user on acme's address is sent to log in, for every page.
    on_acme = client_for(outsider, host="acme.localhost")
    for name, url in all_people_urls(acme, token):
        if name not in PUBLIC:
            assert on_acme.get(url).status_code == 302, url
    assert User.objects.get(pk=acme.agent.pk).is_active
    assert not ApiToken.objects.get(pk=token.pk).revoked
    assert set(Team.objects.filter(domain=acme.domain).values_list("name", flat=True)) == {
        "Agents",
        "Supervision",
    }
    reasons = PauseReason.objects.filter(domain=acme.domain, is_active=True)
    assert reasons.count() == 5 and not reasons.filter(label="x").exists()


def test_anonymous_visitors_are_sent_to_log_in_except_for_mailed_links(acme: Acme) -> None:
    token, _key = create_token(acme.supervisor)
    anonymous = Client(HTTP_HOST="acme.localhost")
    for name, url in all_people_urls(acme, token):
        answer = anonymous.get(url).status_code
        if name == "password_reset":
            assert answer == 200
        elif name in PUBLIC:
            assert answer in (400, 404), url
        else:
            assert answer in (302, 405), url
