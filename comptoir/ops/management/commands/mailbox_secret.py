"""`comptoir mailbox-secret --mailbox ID --env COMPTOIR_IMAP_SECRET_…|--clear-env|--show`:
the operator's, never a tenant's, way to have a polled mailbox read its password from an
environment variable (docs/admin.md, docs/security.md). Only names starting with
COMPTOIR_IMAP_SECRET_ are accepted: the other variables of the server are not for tenants.
No value is ever printed.
"""

import os
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.campaigns.actions.mailboxes import bind_password_env, clear_password_env
from comptoir.campaigns.mailbox_secret import ENV_PREFIX
from comptoir.campaigns.models import ImapMailbox


class Command(BaseCommand):
    help = f"Bind a polled IMAP mailbox to an environment variable {ENV_PREFIX}… (or unbind it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--mailbox", type=int, required=True, help="the mailbox's id")
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--env", help=f"the variable's name, starting with {ENV_PREFIX}")
        what.add_argument("--clear-env", action="store_true", help="use the stored password")
        what.add_argument("--show", action="store_true", help="where the password comes from")

    def handle(self, *args: Any, **options: Any) -> None:
        mailbox = ImapMailbox.objects.select_related("domain").filter(pk=options["mailbox"]).first()
        if mailbox is None:
            raise CommandError(f"no IMAP mailbox with id {options['mailbox']}")
        if options["env"]:
            try:
                bind_password_env(mailbox, options["env"])
            except ValidationError:
                raise CommandError(
                    f"refused: the variable's name must start with {ENV_PREFIX} "
                    "(capitals, digits and _ only)"
                ) from None
            if options["env"] not in os.environ:
                self.stderr.write(f"warning: {options['env']} is not set in this environment")
        elif options["clear_env"]:
            clear_password_env(mailbox)
        self.stdout.write(
            f"mailbox {mailbox.pk} ({mailbox.domain.slug}, {mailbox}): {source(mailbox)}"
        )


def source(mailbox: ImapMailbox) -> str:
    if mailbox.password_env:
        return f"password from ${mailbox.password_env}"
    if mailbox.password_encrypted:
        return "password stored encrypted"
    return "no password"
