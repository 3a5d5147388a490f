"""State changes of domains, users and teams: the UI and the commands call these.

Users are never deleted (tickets, messages and processings name them): they are deactivated.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from comptoir.api.models import ApiToken
from comptoir.lib.checks import Errors, check_address, check_text, raise_if_any, refuse
from comptoir.tenancy.links import domain_address, password_link
from comptoir.tenancy.mail_domains import MailDomainError, add_mail_domain
from comptoir.tenancy.models import (
    ROLE_RIGHTS,
    AccountEmail,
    AccountEmailKind,
    Domain,
    DomainHostname,
    Role,
    Team,
    User,
)
from comptoir.tenancy.throttle import clear_account_failures

RIGHTS = sorted(ROLE_RIGHTS[Role.ADMIN])
LOGIN_LENGTH = 150  # User.login
TEAM_NAME_LENGTH = 200  # Team.name


class PeopleError(ValidationError):
    """A change refused for a reason the person asking can fix; the message says which.
    A ValidationError, as every action's refusal; str() is the message itself (the views and
    `create-domain` show it as is)."""

    def __str__(self) -> str:
        return " ".join(self.messages)


@dataclass
class UserFields:
    """What an administrator sets on a user (the login is set once, at creation)."""

    display_name: str = ""
    email: str = ""
    language: str = ""
    role: str = Role.AGENT
    rights: frozenset[str] | None = None  # None: the role's rights


def create_domain(
    *,
    slug: str,
    name: str,
    hostnames: list[str],
    admin_login: str,
    admin_email: str,
    password: str,
    mail_domains: Sequence[str] = (),
) -> tuple[Domain, User]:
    """A new domain and its first administrator; refuses a slug or a hostname already taken,
    and a mail domain that another domain owns or uses (then nothing is created)."""
    if Domain.objects.filter(slug=slug).exists():
        raise PeopleError(_("A domain with the slug %(slug)s already exists.") % {"slug": slug})
    taken = DomainHostname.objects.filter(hostname__in=hostnames).values_list("hostname", flat=True)
    if taken:
        raise PeopleError(_("Hostname already used: %(names)s.") % {"names": ", ".join(taken)})
    with transaction.atomic():
        domain = Domain.objects.create(slug=slug, name=name)
        for hostname in hostnames:
            DomainHostname.objects.create(domain=domain, hostname=hostname)
        for mail_domain in mail_domains:
            try:
                add_mail_domain(domain=domain, name=mail_domain)
            except MailDomainError as error:
                raise PeopleError(str(error)) from error
        admin = create_user(
            domain,
            login=admin_login,
            fields=UserFields(email=admin_email, role=Role.ADMIN),
            password=password,
        )
    return domain, admin


def create_user(
    domain: Domain, *, login: str, fields: UserFields, password: str | None = None
) -> User:
    """A new active user; without a password they cannot log in until one is set."""
    errors: Errors = {}
    login = check_text(errors, "login", login, limit=LOGIN_LENGTH, required=True)
    field_errors(fields, errors)
    raise_if_any(errors, PeopleError)
    if User.objects.filter(domain=domain, login=login).exists():
        raise PeopleError(
            _("The login %(login)s is already used in this domain.") % {"login": login}
        )
    user = User(domain=domain, login=login)
    apply_fields(user, fields)
    if password:
        validate_password(password, user)
    user.set_password(password or None)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:  # the same login created meanwhile
        raise PeopleError(
            _("The login %(login)s is already used in this domain.") % {"login": login}
        ) from error
    return user


def field_errors(fields: UserFields, errors: Errors) -> None:
    """What an administrator typed: lengths, the address, a known language, role and rights."""
    check_text(errors, "display_name", fields.display_name, limit=200, required=False)
    check_address(errors, "email", fields.email)
    if fields.language not in {"", *dict(settings.LANGUAGES)}:
        refuse(errors, "language", _("Choose a language."))
    if fields.role not in Role.values:
        refuse(errors, "role", _("Choose a role."))
    if fields.rights is not None and not fields.rights <= set(RIGHTS):
        refuse(errors, "rights", _("Choose rights from the list."))


def apply_fields(user: User, fields: UserFields) -> None:
    user.display_name = fields.display_name.strip()
    user.email = fields.email.strip()
    user.language = fields.language
    user.role = fields.role
    if fields.rights is None:
        user.apply_role_rights()
    else:
        for right in RIGHTS:
            setattr(user, right, right in fields.rights)


def update_user(user: User, fields: UserFields, *, by: User) -> User:
    """Names, email, language, role and rights; no one takes away their own management right."""
    if user.pk == by.pk and fields.rights is not None and "can_manage_users" not in fields.rights:
        raise PeopleError(_("You cannot remove your own right to manage users."))
    errors: Errors = {}
    field_errors(fields, errors)
    raise_if_any(errors, PeopleError)
    apply_fields(user, fields)
    user.save(update_fields=["display_name", "email", "language", "role", *RIGHTS])
    return user


def deactivate_user(user: User, *, by: User) -> User:
    """The user can no longer log in nor use the API; their history stays."""
    if user.pk == by.pk:
        raise PeopleError(_("You cannot deactivate your own account."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


def reactivate_user(user: User) -> User:
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def set_user_password(user: User, password: str) -> User:
    """The user's own change, the old password proven (already validated by the form that
    asked for it). Every session of the user's ends, because Django checks on each request a
    hash of the password stored in the session (the view keeps the current one with
    update_session_auth_hash); the user's API tokens keep working: the user, who knows the
    password, revokes on their account page the ones they no longer trust. The failed logins
    counted against the login are forgotten."""
    user.set_password(password)
    user.save(update_fields=["password"])
    clear_account_failures(user.domain, user.login)
    return user


def reset_user_password(user: User, password: str) -> User:
    """A password set without the old one: from a mailed reset or invitation link, or by an
    administrator. It means the account may be in other hands, so besides ending every
    session (as above) it revokes all the user's API tokens."""
    with transaction.atomic():
        set_user_password(user, password)
        ApiToken.objects.filter(domain_id=user.domain_id, user=user, revoked=False).update(
            revoked=True
        )
    return user


def queue_password_email(user: User, *, invitation: bool) -> AccountEmail:
    """The invitation, or the reset asked for, with its link on the domain's own address:
    composed now, in the user's language, and queued in the caller's transaction; the worker
    sends it (mail.account_mail), so an SMTP server that is down never fails the request."""
    if not user.email:
        raise PeopleError(_("This user has no email address."))
    context = {
        "user": user,
        "domain": user.domain,
        "link": password_link(user, invitation=invitation),
        "login_url": domain_address(user.domain) + reverse("ui:login"),
    }
    name = "invitation" if invitation else "password_reset"
    with translation.override(user.language or user.domain.language):
        subject = render_to_string(f"tenancy/{name}_subject.txt", context).strip()
        body = render_to_string(f"tenancy/{name}_email.txt", context)
    sender = settings.DEFAULT_FROM_EMAIL
    return AccountEmail.objects.create(
        domain_id=user.domain_id,
        user=user,
        kind=AccountEmailKind.INVITATION if invitation else AccountEmailKind.PASSWORD_RESET,
        to_email=user.email,
        from_email=sender,
        subject=" ".join(subject.split())[:300],
        body=body,
        message_id=make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None),
        next_attempt_at=timezone.now(),
    )


def invite_user(user: User) -> AccountEmail:
    """Queue an email with a link to choose a password and log in to the domain."""
    if not user.is_active:
        raise PeopleError(_("This user is deactivated."))
    return queue_password_email(user, invitation=True)


def users_for_reset(domain: Domain, login_or_email: str) -> list[User]:
    """The domain's active users with that login or that email address."""
    value = login_or_email.strip()
    if not value:
        return []
    match = Q(login=value) | Q(email__iexact=value)
    return list(User.objects.filter(match, domain=domain, is_active=True).exclude(email=""))


def create_team(domain: Domain, *, name: str) -> Team:
    name = check_team_name(domain, name)
    return Team.objects.create(domain=domain, name=name)


def rename_team(team: Team, *, name: str) -> Team:
    team.name = check_team_name(team.domain, name, exclude=team.pk)
    team.save(update_fields=["name"])
    return team


def check_team_name(domain: Domain, name: str, exclude: int | None = None) -> str:
    """The name stripped; refused when blank, too long or another team's."""
    errors: Errors = {}
    name = check_text(errors, "name", name, limit=TEAM_NAME_LENGTH, required=True)
    raise_if_any(errors, PeopleError)
    same = Team.objects.filter(domain=domain, name=name)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    if same.exists():
        raise PeopleError(_("A team named %(name)s already exists.") % {"name": name})
    return name


def set_team_members(team: Team, members: list[User]) -> Team:
    """The team's members, exactly; only active users of the team's domain."""
    if any(m.domain_id != team.domain_id or not m.is_active for m in members):
        raise PeopleError(_("Members must be active users of this domain."))
    team.members.set(members)
    return team


def update_team(team: Team, *, name: str, members: list[User]) -> Team:
    """Rename and set the members together: both or neither (the team page saves both)."""
    before = team.name
    try:
        with transaction.atomic():
            rename_team(team, name=name)
            set_team_members(team, members)
    except ValidationError:
        team.name = before
        raise
    return team


def delete_team(team: Team) -> None:
    """Only a team no campaign works with: a campaign's teams are changed in the campaign."""
    if team.agent_campaigns.exists() or team.supervised_campaigns.exists():
        raise PeopleError(_("This team is given to a campaign: remove it from the campaign first."))
    team.delete()
