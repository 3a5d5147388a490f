"""`comptoir demo [--agents N]`: the demo domain, its people and tickets. Idempotent."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from comptoir.demo.messages import demo_mail
from comptoir.demo.people import DEMO_PASSWORD, ensure_people
from comptoir.demo.play import ensure_play_settings
from comptoir.demo.replies import ensure_replies
from comptoir.mail.ingest import ingest_email, route_address


class Command(BaseCommand):
    help = "Create (or complete) the demo domain `demo` with users, teams, campaigns and tickets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agents", type=int, default=3, help="how many agents (agent1..N)")

    def handle(self, *args: Any, **options: Any) -> None:
        domain = ensure_people(options["agents"])
        ensure_replies(domain)
        ensure_play_settings(domain)
        counts: dict[str, int] = {}
        # Messages are ingested through the real pipeline; their fixed Message-IDs make a
        # second run a no-op (every message comes back "duplicate").
        start = timezone.now().replace(minute=0, second=0, microsecond=0)
        for mail in demo_mail(start):
            campaign = route_address(f"{mail.campaign}@demo.localhost", domain)
            result = ingest_email(mail.raw, campaign=campaign, source=f"demo:{mail.label}")
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
        self.stdout.write(f"demo domain ready: {counts}")
        logins = ["admin", "superviseur"] + [f"agent{i}" for i in range(1, options["agents"] + 1)]
        self.stdout.write(f"users (password '{DEMO_PASSWORD}'): {', '.join(logins)}")
        self.stdout.write(
            "open http://demo.localhost:8000/ (or http://127.0.0.1:8000/, domain demo)"
        )
        self.stdout.write(
            "mail: support@demo.localhost, commandes@demo.localhost on SMTP port 2525"
        )
