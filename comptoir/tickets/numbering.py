"""Ticket numbers: unique per domain, never reused, allocated without races.

The counter row is updated with `last_number = last_number + 1`: on PostgreSQL the UPDATE
takes the row lock, so a concurrent transaction waits and then reads the next value; on SQLite
transactions are IMMEDIATE, so writers are serialised. Ingest allocates the number as late as
possible in its transaction so that the lock is held only for the last statements and COMMIT.
A rolled-back transaction gives its number back; a committed one never does.
"""

from django.db import transaction
from django.db.models import F

from comptoir.tickets.models import TicketCounter


def allocate_ticket_number(domain_id: int) -> int:
    counter = TicketCounter.objects.filter(domain_id=domain_id)
    if not counter.update(last_number=F("last_number") + 1):
        with transaction.atomic():
            TicketCounter.objects.get_or_create(domain_id=domain_id)
        counter.update(last_number=F("last_number") + 1)
    return counter.values_list("last_number", flat=True).get()
