"""`comptoir resanitize [--domain SLUG]`: sanitise the stored HTML bodies again (new policy)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.mail.resanitize import resanitize
from comptoir.tenancy.models import Domain


class Command(BaseCommand):
    help = (
        "Sanitise the stored HTML of every message again, from its raw source when kept: run "
        "after an upgrade that changes the sanitising policy (pages never sanitise again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--domain", help="only this domain's messages (its slug)")
        parser.add_argument("--batch-size", type=int, default=200, help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        domain = None
        if options["domain"]:
            domain = Domain.objects.filter(slug=options["domain"]).first()
            if domain is None:
                raise CommandError(f"no domain with slug {options['domain']!r}")
        tally = resanitize(domain=domain, batch_size=max(1, options["batch_size"]))
        self.stdout.write(
            f"{tally.checked} messages checked, {tally.rewritten} rewritten, "
            f"{tally.from_stored} without raw source (stored copy sanitised again)"
        )
