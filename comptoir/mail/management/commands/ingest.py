"""`comptoir ingest [--domain SLUG] [--campaign SLUG] PATH...`: the pipe and bulk-import edge."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from comptoir.campaigns.models import Campaign
from comptoir.mail.ingest import IngestResult, TransientIngestError, ingest_email
from comptoir.mail.sources import read_path
from comptoir.tenancy.models import Domain

EX_NOUSER = 67  # some message was addressed to nobody we know (sysexits.h)
EX_TEMPFAIL = 75  # try again later: nothing of the failed message was stored (sysexits.h)


class Command(BaseCommand):
    help = "Ingest messages from files, mbox, Maildir or standard input (-); one JSON line each."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", help="'-' for stdin, .eml, mbox or Maildir")
        parser.add_argument("--domain", help="only route to this domain's campaigns")
        parser.add_argument("--campaign", help="put every message in this campaign")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            domain, campaign = self.target(options["domain"], options["campaign"])
        except DatabaseError as exc:  # e.g. the database is down: the MTA must retry
            self.stderr.write(f"database unavailable, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        rejected = False
        for path in options["paths"]:
            for label, raw in read_path(path):
                try:
                    result = ingest_email(raw, domain=domain, campaign=campaign, source=label)
                except TransientIngestError as exc:
                    self.emit(label, IngestResult("tempfail", None, str(exc)))
                    sys.exit(EX_TEMPFAIL)
                rejected = rejected or result.outcome == "rejected"
                self.emit(label, result)
        if rejected:
            sys.exit(EX_NOUSER)

    def emit(self, label: str, result: IngestResult) -> None:
        line = {
            "source": label,
            "outcome": result.outcome,
            "ticket": result.ticket,
            "reason": result.reason,
        }
        self.stdout.write(json.dumps(line, ensure_ascii=False))

    def target(self, domain_slug: str | None, campaign_slug: str | None) -> tuple[Any, Any]:
        domain = None
        if domain_slug:
            domain = Domain.objects.filter(slug=domain_slug).first()
            if domain is None:
                raise CommandError(f"no domain with slug {domain_slug!r}")
        if not campaign_slug:
            return domain, None
        campaigns = Campaign.objects.filter(slug=campaign_slug).select_related("domain")
        if domain is not None:
            campaigns = campaigns.filter(domain=domain)
        found = list(campaigns[:2])
        if not found:
            raise CommandError(f"no campaign with slug {campaign_slug!r}")
        if len(found) > 1:
            raise CommandError(f"several domains have a campaign {campaign_slug!r}: add --domain")
        return found[0].domain, found[0]
