"""Ticket numbers: unique per domain, never reused, allocated without races.

The counter row is updated with `last_number = last_number + 1`: on PostgreSQL the UPDATE
takes the row lock, so a concurrent transaction waits and then reads the next value; on SQLite
transactions are IMMEDIATE, so writers are serialised. Ingest allocates the number as late as
possible in its transaction so that the lock is held only for the last statements and COMMIT.
A rolled-back transaction gives its number back; a committed one never does.
"""

from django.db import connection

from comptoir.tickets.models import TicketCounter

# One round trip: PostgreSQL and SQLite (>= 3.35) both return the incremented value.
INCREMENT = (
    f"UPDATE {TicketCounter._meta.db_table} SET last_number = last_number + %s "
    "WHERE domain_id = %s RETURNING last_number"
)


def allocate_ticket_numbers(domain_id: int, count: int) -> list[int]:
    """`count` consecutive new numbers, in one statement."""
    with connection.cursor() as cursor:
        cursor.execute(INCREMENT, [count, domain_id])
        row = cursor.fetchone()
        if row is None:  # the domain's first ticket: create its counter (races are fine)
            TicketCounter.objects.get_or_create(domain_id=domain_id)
            cursor.execute(INCREMENT, [count, domain_id])
            row = cursor.fetchone()
    last = int(row[0])
    return list(range(last - count + 1, last + 1))


def allocate_ticket_number(domain_id: int) -> int:
    return allocate_ticket_numbers(domain_id, 1)[0]
