"""`comptoir token create|list|revoke`: API tokens of a domain's users (docs/api.md).

`create` prints the token alone on standard output, so that a script can capture it; it is
never shown again (only its sha256 is stored).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.api.actions import create_token, revoke_token
from comptoir.api.models import ApiToken
from comptoir.tenancy.models import Domain, User


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token; prints it, once")
        create.add_argument("--domain", required=True, help="the domain's slug")
        create.add_argument("--user", required=True, help="the user's login")
        create.add_argument("--name", default="", help="what the token is for")
        listing = actions.add_parser("list", help="a domain's tokens (never the tokens)")
        listing.add_argument("--domain", required=True, help="the domain's slug")
        revoke = actions.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("--domain", required=True, help="the domain's slug")
        revoke.add_argument("--prefix", required=True, help="the prefix `token list` shows")

    def handle(self, *args: Any, **options: Any) -> None:
        domain = Domain.objects.filter(slug=options["domain"]).first()
        if domain is None:
            raise CommandError(f"no domain with slug {options['domain']!r}")
        if options["action"] == "create":
            self.create(domain, options["user"], options["name"])
        elif options["action"] == "list":
            self.list_tokens(domain)
        else:
            self.revoke(domain, options["prefix"])

    def create(self, domain: Domain, login: str, name: str) -> None:
        user = User.objects.filter(domain=domain, login=login).first()
        if user is None:
            raise CommandError(f"no user {login!r} in domain {domain.slug!r}")
        if not user.can_use_api or not user.is_active:
            self.stderr.write(
                f"warning: {login} may not use the API (inactive or without the API right); "
                "the token is refused until that changes"
            )
        _token, key = create_token(user, name=name)
        self.stdout.write(key)

    def list_tokens(self, domain: Domain) -> None:
        tokens = ApiToken.objects.filter(domain=domain).select_related("user").order_by("pk")
        for token in tokens:
            used = token.last_used_at.isoformat() if token.last_used_at else "never"
            state = "revoked" if token.revoked else "active"
            self.stdout.write(
                f"{token.key_prefix}\t{token.user.login}\t{state}\t"
                f"created {token.created_at.isoformat()}\tused {used}\t{token.name}"
            )

    def revoke(self, domain: Domain, prefix: str) -> None:
        found = list(ApiToken.objects.filter(domain=domain, key_prefix=prefix, revoked=False))
        if not found:
            raise CommandError(f"no active token with prefix {prefix!r} in {domain.slug!r}")
        if len(found) > 1:
            raise CommandError(f"{len(found)} active tokens have prefix {prefix!r}: none revoked")
        revoke_token(found[0])
        self.stdout.write(f"revoked {prefix}")
