"""`comptoir rotate-secrets`: re-encrypt every stored secret (IMAP passwords) with the first
key of COMPTOIR_SECRET_KEYS, after a new key was put first (docs/operations.md). Secrets that
no listed key decrypts are left as they are and named; the command then fails (exit 1), so
that the old key is not dropped while something still needs it.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from comptoir.campaigns.actions.mailboxes import rotate_secrets


class Command(BaseCommand):
    help = "Re-encrypt the stored secrets with the first key of COMPTOIR_SECRET_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        done, unreadable = rotate_secrets()
        self.stdout.write(f"{done} secret{'' if done == 1 else 's'} re-encrypted")
        if unreadable:
            names = ", ".join(f"mailbox {pk}" for pk in unreadable)
            raise CommandError(f"no key of COMPTOIR_SECRET_KEYS decrypts: {names}")
