"""`comptoir ingest [--domain SLUG] [--campaign SLUG] PATH...`: the pipe and bulk-import edge."""

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError

from comptoir.campaigns.models import Campaign
from comptoir.imports.actions import Tally, finish_command_import, start_command_import
from comptoir.imports.models import ImportJob, ImportKind
from comptoir.mail.batch import ingest_many
from comptoir.mail.ingest import IngestResult, TransientIngestError
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
        parser.add_argument(
            "--no-auto-reply",
            action="store_true",
            help="never send the campaign's automatic reply (importing an archive)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            domain, campaign = self.target(options["domain"], options["campaign"])
        except DatabaseError as exc:  # e.g. the database is down: the MTA must retry
            self.stderr.write(f"database unavailable, try again later: {exc}")
            sys.exit(EX_TEMPFAIL)
        items = (item for path in options["paths"] for item in read_path(path))
        # With --campaign, the run is one entry of the campaign's import history.
        job = None
        if campaign is not None:
            job = start_command_import(
                campaign=campaign, kind=ImportKind.MAIL, filename=" ".join(options["paths"])
            )
        tally = Tally()
        rejected = False
        try:
            # Runs of ordinary messages are written together (mail.batch): same outcomes.
            for label, result in ingest_many(
                items, domain=domain, campaign=campaign, auto_reply=not options["no_auto_reply"]
            ):
                rejected = rejected or result.outcome == "rejected"
                tally.done += 1
                tally.add_mail(label, result)
                self.emit(label, result)
        except TransientIngestError as exc:
            # Every message printed above is stored; the others are not: run it again.
            self.emit(None, IngestResult("tempfail", None, str(exc)))
            self.record(job, tally, error=str(exc))
            sys.exit(EX_TEMPFAIL)
        self.record(job, tally)
        if rejected:
            sys.exit(EX_NOUSER)

    def record(self, job: ImportJob | None, tally: Tally, *, error: str = "") -> None:
        if job is None:
            return
        try:
            finish_command_import(job, tally, error=error)
        except DatabaseError:  # the database went away: the messages' own lines still tell
            self.stderr.write("could not record the import history entry")

    def emit(self, label: str | None, result: IngestResult) -> None:
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
