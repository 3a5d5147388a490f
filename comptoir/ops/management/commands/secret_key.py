"""`comptoir secret-key`: print a new key for COMPTOIR_SECRET_KEYS; with --derived, the key
used while COMPTOIR_SECRET_KEYS is unset (derived from COMPTOIR_SECRET_KEY), to list it after a
new key when moving to explicit keys (docs/operations.md). The key alone, on standard output.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from comptoir.lib import sealed


class Command(BaseCommand):
    help = "Print a new Fernet key for COMPTOIR_SECRET_KEYS (or, --derived, the fallback key)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--derived", action="store_true", help="the key derived from COMPTOIR_SECRET_KEY"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["derived"]:
            self.stdout.write(sealed.derived_key(settings.SECRET_KEY))
        else:
            self.stdout.write(sealed.new_key())
