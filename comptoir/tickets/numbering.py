"""Ticket numbers: unique per domain, never reused, allocated without races.

The counter row is updated with `last_number = last_number + 1`: on PostgreSQL the UPDATE
takes the row lock, so a concurrent transaction waits and then reads the next value; on SQLite
transactions are IMMEDIATE, so writers are serialised. Ingest allocates the number as late as
possible in its transaction so that the lock is held only for the last statements and COMMIT.
A rolled-back transaction gives its number back; a committed one never does.
"""

from django.db import connection

from comptoir.tickets.models import Ticket, TicketCounter

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


COUNTER, TICKETS = TicketCounter._meta.db_table, Ticket._meta.db_table
# PostgreSQL: take the numbers and write them into the new tickets in one statement.
NUMBER_TICKETS_PG = (
    f"WITH c AS ({INCREMENT}) UPDATE {TICKETS} t SET number = c.last_number - %s + v.n "
    "FROM c, (VALUES {rows}) AS v (id, n) WHERE t.id = v.id RETURNING t.id, t.number"
)


def number_tickets(domain_id: int, ticket_ids: list[int]) -> dict[int, int]:
    """Number these new tickets in the order given (the last statements of a filing
    transaction, as above): their numbers by id."""
    if not ticket_ids:
        return {}
    count = len(ticket_ids)
    if connection.vendor != "postgresql":
        numbers = dict(zip(ticket_ids, allocate_ticket_numbers(domain_id, count), strict=True))
        cases = " ".join(["WHEN %s THEN %s"] * count)
        ids = ", ".join(["%s"] * count)
        sql = f"UPDATE {TICKETS} SET number = CASE id {cases} END WHERE id IN ({ids})"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*(x for pair in numbers.items() for x in pair), *ticket_ids])
        return numbers
    sql = NUMBER_TICKETS_PG.format(rows=", ".join(["(%s::bigint, %s::bigint)"] * count))
    params = [count, domain_id, count, *(x for i, pk in enumerate(ticket_ids, 1) for x in (pk, i))]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
        if not rows:  # the domain's first ticket: create its counter (races are fine)
            TicketCounter.objects.get_or_create(domain_id=domain_id)
            cursor.execute(sql, params)
            rows = cursor.fetchall()
    numbers = {int(pk): int(number) for pk, number in rows}
    if len(numbers) != count:
        raise RuntimeError(f"numbered {len(numbers)} of {count} new tickets")
    return numbers
