"""Where a polled mailbox's password comes from, and who may say so.

A domain administrator types the password; it is stored encrypted (lib.sealed). Only an
operator may instead bind a mailbox to an environment variable, and only to one whose name
starts with ENV_PREFIX: a tenant who could name any variable would have the server send
DATABASE_URL or COMPTOIR_SECRET_KEY to a host of their choice as an IMAP password. The prefix
is checked when the binding is made AND when the password is read, so a name that reached the
database another way (an old row, a restored backup) is refused too.
"""

import os
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from comptoir.campaigns.models import ImapMailbox
from comptoir.lib import sealed

ENV_PREFIX = "COMPTOIR_IMAP_SECRET_"
ENV_NAME = re.compile(r"COMPTOIR_IMAP_SECRET_[A-Z0-9_]+")


class MailboxSecretError(Exception):
    """No usable password: none stored, unreadable, or an environment variable refused or
    unset. The message names the variable, never a value."""


def env_name_allowed(name: str) -> bool:
    return ENV_NAME.fullmatch(name) is not None


def check_env_name(name: str) -> None:
    if not env_name_allowed(name):
        raise ValidationError(
            _("Only a variable named %(prefix)s… (capitals, digits, _) may hold a password.")
            % {"prefix": ENV_PREFIX}
        )


def has_password(mailbox: ImapMailbox) -> bool:
    return bool(mailbox.password_encrypted or mailbox.password_env)


def mailbox_password(mailbox: ImapMailbox) -> str:
    """The password to send, read at the last moment (never kept on the instance)."""
    if mailbox.password_env:
        if not env_name_allowed(mailbox.password_env):
            raise MailboxSecretError(
                f"environment variable {mailbox.password_env!r} is not allowed "
                f"(only {ENV_PREFIX}…; set by `comptoir mailbox-secret`)"
            )
        value = os.environ.get(mailbox.password_env)
        if value is None:
            raise MailboxSecretError(f"environment variable {mailbox.password_env} is not set")
        return value
    if mailbox.password_encrypted:
        try:
            return sealed.unseal(mailbox.password_encrypted)
        except sealed.SecretUnreadable as error:
            raise MailboxSecretError(str(error)) from None
    raise MailboxSecretError("no password stored")
