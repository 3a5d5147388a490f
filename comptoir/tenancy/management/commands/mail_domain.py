"""`comptoir mail-domain add|remove|list`: give mail domains to a Comptoir domain.

A domain's campaigns may receive mail only on addresses of its mail domains, and send only
from them (issue 10, findings 5 and 6); its administrators see them on the domain's settings
page but cannot change them. A mail domain belongs to one domain at most.

    comptoir mail-domain add --domain acme acme.example support.acme.example
    comptoir mail-domain remove --domain acme support.acme.example
    comptoir mail-domain list [--domain acme]
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.tenancy.mail_domains import MailDomainError, add_mail_domain, remove_mail_domain
from comptoir.tenancy.models import Domain, MailDomain


class Command(BaseCommand):
    help = "Give mail domains to a domain, take them back, or list them."

    def add_arguments(self, parser: CommandParser) -> None:
        # One sub-command each, so that `add --domain acme acme.example` parses as written.
        actions = parser.add_subparsers(dest="action", required=True)
        for action, needs_names in (("add", True), ("remove", True), ("list", False)):
            sub = actions.add_parser(action)
            sub.add_argument("--domain", required=needs_names, help="the domain's slug")
            if needs_names:
                sub.add_argument("names", nargs="+", help="mail domains, e.g. acme.example")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            self.list(options["domain"])
            return
        names = options["names"]
        domain = Domain.objects.filter(slug=options["domain"]).first()
        if domain is None:
            raise CommandError(f"no domain {options['domain']}")
        for name in names:
            try:
                if action == "add":
                    row = add_mail_domain(domain=domain, name=name)
                    self.stdout.write(f"{row.name}: mail domain of {domain.slug}")
                else:
                    remove_mail_domain(domain=domain, name=name)
                    self.stdout.write(f"{name}: no longer a mail domain of {domain.slug}")
            except MailDomainError as error:
                raise CommandError(str(error)) from error

    def list(self, slug: str | None) -> None:
        rows = MailDomain.objects.select_related("domain").order_by("domain__slug", "name")
        if slug:
            rows = rows.filter(domain__slug=slug)
        for row in rows:
            self.stdout.write(f"{row.domain.slug}\t{row.name}")
