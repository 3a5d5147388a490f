"""`comptoir import-contacts --campaign SLUG [--domain SLUG] FILE.csv`: import contacts now."""

import os
import socket
import sys
from pathlib import Path
from typing import Any

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.campaigns.models import Campaign
from comptoir.imports.actions import create_import
from comptoir.imports.contacts import CsvError
from comptoir.imports.models import ImportJob, ImportKind, ImportState
from comptoir.imports.runner import run_import_chunk

EX_DATAERR = 65  # some rows were refused (sysexits.h)


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV file (a header with an email column; name, language and "
        "any other columns) into a campaign's domain, recorded in its import history."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the CSV file (UTF-8)")
        parser.add_argument("--campaign", required=True, help="whose import history records it")
        parser.add_argument("--domain", help="the campaign's domain (when slugs repeat)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaign = find_campaign(options["campaign"], options["domain"])
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no file {path}")
        me = f"command:{socket.gethostname()}:{os.getpid()}"
        try:
            with path.open("rb") as handle:
                job = create_import(
                    campaign=campaign,
                    user=None,
                    kind=ImportKind.CONTACTS,
                    filename=path.name,
                    content=File(handle),
                    worker=me,
                    language="en",  # like the rest of the command line
                )
        except CsvError as exc:
            raise CommandError(f"{path}: refused, nothing imported: {exc}") from exc
        while run_import_chunk(job.pk, me):
            pass
        job.refresh_from_db()
        self.report(job)
        if job.state == ImportState.FAILED or job.failed_count:
            sys.exit(EX_DATAERR)

    def report(self, job: ImportJob) -> None:
        self.stdout.write(
            f"{job.filename}: {job.state}, {job.position} rows: {job.created_count} created, "
            f"{job.updated_count} updated, {job.failed_count} failed"
        )
        for error in job.errors:
            self.stdout.write(f"  {error['item']}: {error['reason']}")
        if job.last_error:
            self.stdout.write(f"  {job.last_error}")


def find_campaign(slug: str, domain_slug: str | None) -> Campaign:
    campaigns = Campaign.objects.filter(slug=slug).select_related("domain")
    if domain_slug:
        campaigns = campaigns.filter(domain__slug=domain_slug)
    found = list(campaigns[:2])
    if not found:
        raise CommandError(f"no campaign with slug {slug!r}")
    if len(found) > 1:
        raise CommandError(f"several domains have a campaign {slug!r}: add --domain")
    return found[0]
