"""The supervision data set built once, small, for the tests of bench/ (a few seconds)."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.db import connection

from bench.dataset_fill import META, fill
from comptoir.campaigns.models import Campaign
from comptoir.distribution.models import Processing
from comptoir.tenancy.models import Domain, User
from comptoir.tickets.models import Message, Ticket, TicketCounter, TicketEvent

ANCHOR = datetime(2026, 3, 13, 15, 30, tzinfo=UTC)
TICKETS = 2000


@pytest.fixture(scope="package")
def built(
    django_db_setup: None, django_db_blocker: pytest.FixtureRequest
) -> Iterator[dict[str, object]]:
    """Built once for tests/bench (a few seconds), removed afterwards."""
    with django_db_blocker.unblock():  # type: ignore[attr-defined]
        result = fill(TICKETS, anchor=ANCHOR, say=lambda _text: None)
        yield result
        for model in (TicketEvent, Processing, Message, Ticket):
            model.objects.all().delete()
        for domain in Domain.objects.filter(slug__startswith="bench"):
            wipe(domain)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {META}")


def wipe(domain: Domain) -> None:
    """The domain's small rows, in an order their protections allow."""
    from comptoir.scripts.models import QualificationScript
    from comptoir.tickets.models import Contact

    Contact.objects.filter(domain=domain).delete()
    Campaign.objects.filter(domain=domain).delete()
    QualificationScript.objects.filter(domain=domain).delete()
    TicketCounter.objects.filter(domain=domain).delete()
    User.objects.filter(domain=domain).delete()
    domain.delete()
