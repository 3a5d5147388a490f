"""`comptoir export --domain SLUG [--format jsonl] [--quarantine]`: one JSON line per ticket."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.supervision.export import export_quarantine, export_tickets
from comptoir.tenancy.models import Domain


class Command(BaseCommand):
    help = (
        "Export a domain's tickets (or, with --quarantine, its quarantined messages) as JSON lines."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--domain", required=True, help="the domain's slug")
        parser.add_argument("--format", choices=["jsonl"], default="jsonl")
        parser.add_argument(
            "--quarantine", action="store_true", help="export quarantined messages instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        domain = Domain.objects.filter(slug=options["domain"]).first()
        if domain is None:
            raise CommandError(f"no domain with slug {options['domain']!r}")
        rows = export_quarantine(domain) if options["quarantine"] else export_tickets(domain)
        for row in rows:
            self.stdout.write(json.dumps(row, ensure_ascii=False))
