"""`comptoir create-domain`: a new domain (tenant) and its first administrator.

Without --password, a generated password is printed once on standard output. An existing slug
or hostname is refused: the command never changes a domain that exists.
"""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email, validate_slug

from comptoir.tenancy.actions import PeopleError, create_domain
from comptoir.tenancy.links import domain_address


class Command(BaseCommand):
    help = "Create a domain and its first administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="short name, also <slug>.localhost")
        parser.add_argument("--name", required=True, help="the company's name")
        parser.add_argument(
            "--hostname", action="append", default=[], help="a web address of the domain"
        )
        parser.add_argument("--admin", required=True, help="the administrator's login")
        parser.add_argument("--admin-email", required=True, help="the administrator's email")
        parser.add_argument("--password", help="the administrator's password (else generated)")
        parser.add_argument(
            "--mail-domain",
            action="append",
            default=[],
            help="a mail domain its campaigns receive mail on and send from (repeatable; "
            "later: comptoir mail-domain add)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        for option, validate in (("slug", validate_slug), ("admin_email", validate_email)):
            try:
                validate(options[option])
            except ValidationError as error:
                name = "--" + option.replace("_", "-")
                raise CommandError(f"{name}: {' '.join(error.messages)}") from error
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            domain, admin = create_domain(
                slug=options["slug"],
                name=options["name"],
                hostnames=[h.strip().lower() for h in options["hostname"]],
                admin_login=options["admin"],
                admin_email=options["admin_email"],
                password=password,
                mail_domains=options["mail_domain"],
            )
        except PeopleError as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("password: " + " ".join(error.messages)) from error
        self.stdout.write(f"domain {domain.slug} created: {domain_address(domain)}/")
        self.stdout.write(f"administrator: {admin.login}")
        for mail_domain in domain.mail_domains.order_by("name"):
            self.stdout.write(f"mail domain: {mail_domain.name}")
        if not options["password"]:
            self.stdout.write(f"password: {password}")
