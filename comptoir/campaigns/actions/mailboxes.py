"""The IMAP mailboxes a campaign polls: what the campaign editor changes, and the operator's
binding of a mailbox to an environment variable (issue 10, finding 1: docs/security.md).

A stored password is sent only to the server it was typed for: changing the host, the port,
the security mode or the user name asks for the password again (else a domain
administrator could send a password someone else typed, or an operator's secret, anywhere).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from comptoir.campaigns.actions.campaign import check_manages
from comptoir.campaigns.limits import IMAP_PORT
from comptoir.campaigns.mailbox_secret import check_env_name, has_password
from comptoir.campaigns.models import Campaign, ImapMailbox, ImapSecurity
from comptoir.lib import hostguard, sealed
from comptoir.lib.checks import Errors, check_number, check_text
from comptoir.tenancy.models import User

MAILBOX_FIELDS = ("host", "port", "security", "username", "folder", "move_to", "enabled")
# Where the password goes.
DESTINATION = ("host", "port", "security", "username")
# Another folder: its UIDs mean nothing to the old resume point.
RESUME_POINT = ("host", "port", "username", "folder")


def refuse_env_name(values: dict[str, object]) -> None:
    """A tenant never names an environment variable, whatever the edge passes on."""
    if "password_env" in values:
        raise PermissionDenied("only an operator binds a mailbox to an environment variable")


def fields_of(mailbox: ImapMailbox, names: tuple[str, ...]) -> list[object]:
    return [getattr(mailbox, name) for name in names]


def value_errors(mailbox: ImapMailbox) -> dict[str, str]:
    """The lengths and the port: whatever the edge let through, nothing the columns refuse."""
    errors: Errors = {}
    for name in ("host", "username", "folder", "move_to"):
        value = getattr(mailbox, name)
        text = value if isinstance(value, str) else ""
        required = name != "move_to"
        setattr(mailbox, name, check_text(errors, name, text, limit=255, required=required))
    check_number(errors, "port", mailbox.port, *IMAP_PORT)
    return {name: messages[0] for name, messages in errors.items()}


def security_errors(mailbox: ImapMailbox) -> dict[str, str]:
    errors = value_errors(mailbox)
    if mailbox.security not in ImapSecurity.values:
        errors["security"] = _("Choose a security mode.")
    elif mailbox.security == ImapSecurity.NONE and not settings.COMPTOIR_IMAP_ALLOWED_NETWORKS:
        errors["security"] = _("Unencrypted IMAP is not allowed here: choose TLS or STARTTLS.")
    return errors


def destination_errors(mailbox: ImapMailbox) -> dict[str, str]:
    """What saving refuses without a DNS lookup (names are judged when resolved, at every
    connection). "Test the connection" does not say this: its one answer for every address
    it cannot reach must not depend on how the host was written."""
    errors = security_errors(mailbox)
    if hostguard.literal_refused(mailbox.host):
        errors["host"] = _("This server address is not allowed.")
    return errors


def password_error(mailbox: ImapMailbox, *, moved: bool) -> str:
    if moved and has_password(mailbox):
        return _(
            "Type the password again: a stored password is only sent to the server "
            "it was given for."
        )
    return _("Give the mailbox's password.")


def save_mailbox(
    campaign: Campaign, mailbox: ImapMailbox | None, values: dict[str, object], *, by: User
) -> ImapMailbox:
    """Create (mailbox None) or change a polled mailbox. A blank password keeps the stored one
    while the destination stays the same; a password typed replaces it (and any binding)."""
    check_manages(by, campaign.domain_id)
    refuse_env_name(values)
    if mailbox is None:
        mailbox = ImapMailbox(domain_id=campaign.domain_id, campaign=campaign)
    destination = fields_of(mailbox, DESTINATION)
    resume_point = fields_of(mailbox, RESUME_POINT)
    for name in MAILBOX_FIELDS:
        setattr(mailbox, name, values[name])
    if resume_point != fields_of(mailbox, RESUME_POINT):
        # The first poll adopts the folder's UIDs; messages stored already come back as
        # duplicates.
        mailbox.uid_validity, mailbox.last_uid = None, 0
    moved = mailbox.pk is not None and destination != fields_of(mailbox, DESTINATION)
    errors = destination_errors(mailbox)
    password = str(values.get("password") or "")
    if password:
        mailbox.password_encrypted, mailbox.password_env = sealed.seal(password), ""
    elif moved or not has_password(mailbox):
        errors["password"] = password_error(mailbox, moved=moved)
    if errors:
        raise ValidationError(errors)
    mailbox.last_error = ""
    mailbox.save()
    return mailbox


def mailbox_to_test(
    campaign: Campaign, mailbox: ImapMailbox | None, values: dict[str, object], *, by: User
) -> ImapMailbox:
    """The settings typed in the mailbox form, as a mailbox that is never saved, for "test
    the connection". As when saving, a blank password is the stored one (mailbox given, same
    destination)."""
    check_manages(by, campaign.domain_id)
    refuse_env_name(values)
    draft = ImapMailbox(domain_id=campaign.domain_id, campaign=campaign)
    for name in MAILBOX_FIELDS:
        setattr(draft, name, values[name])
    errors = security_errors(draft)
    password = str(values.get("password") or "")
    same_place = mailbox is not None and fields_of(mailbox, DESTINATION) == fields_of(
        draft, DESTINATION
    )
    if password:
        draft.password_encrypted = sealed.seal(password)
    elif mailbox is not None and same_place:
        draft.password_encrypted = mailbox.password_encrypted
        draft.password_env = mailbox.password_env
    else:
        moved = mailbox is not None and has_password(mailbox)
        errors["password"] = password_error(mailbox or draft, moved=moved)
    if errors:
        raise ValidationError(errors)
    return draft


def delete_mailbox(mailbox: ImapMailbox, *, by: User) -> None:
    check_manages(by, mailbox.domain_id)
    mailbox.delete()


# --- The operator's, never a tenant's (`comptoir mailbox-secret`) ---------------------------


def bind_password_env(mailbox: ImapMailbox, name: str) -> None:
    """The password is read from this COMPTOIR_IMAP_SECRET_… variable (wins over a stored one)."""
    check_env_name(name)
    mailbox.password_env = name
    mailbox.save(update_fields=["password_env"])


def clear_password_env(mailbox: ImapMailbox) -> None:
    mailbox.password_env = ""
    mailbox.save(update_fields=["password_env"])


def rotate_secrets() -> tuple[int, list[int]]:
    """Re-encrypt every stored password with the first key: (how many, ids no key reads)."""
    done, unreadable = 0, []
    for mailbox in ImapMailbox.objects.exclude(password_encrypted="").order_by("pk"):
        try:
            token = sealed.reseal(mailbox.password_encrypted)
        except sealed.SecretUnreadable:
            unreadable.append(mailbox.pk)
            continue
        # Conditional: a password changed meanwhile is already under the first key.
        done += ImapMailbox.objects.filter(
            pk=mailbox.pk, password_encrypted=mailbox.password_encrypted
        ).update(password_encrypted=token)
    return done, unreadable
