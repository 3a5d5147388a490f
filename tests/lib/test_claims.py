"""lib.claims, the one way background work is claimed, on a real table (AccountEmail's: the
columns every claimed table has) and a real database: SQLite by default, PostgreSQL with
DATABASE_URL. The workers are threads with their own connections, as worker processes would
be, so the database is transactional (committed rows, visible across connections)."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from comptoir.lib import shutdown
from comptoir.lib.claims import Claim, Lease, Round, clock, statement
from comptoir.tenancy.models import AccountEmail
from tests.concurrency import run_together, uncommitted
from tests.conftest import Acme, is_postgres

pytestmark = pytest.mark.django_db(transaction=True)

LEASE = 60
NOW = datetime(2031, 3, 4, 9, 0, tzinfo=UTC)
# Free rows, and rows whose lease ran out, in the order they were made.
WORK = Claim(
    table=AccountEmail._meta.db_table,
    sets="attempts = attempts + 1",
    due="claimed_until IS NULL OR claimed_until < %s",
    order="id",
)


def rows(acme: Acme, count: int) -> set[int]:
    made = AccountEmail.objects.bulk_create(
        AccountEmail(
            domain=acme.domain,
            user=acme.agent,
            kind="invitation",
            to_email=f"u{n}@acme.test",
            message_id=f"m{n}@acme.test",
        )
        for n in range(count)
    )
    return {row.pk for row in made}


def take(worker: str, limit: int, now: datetime = NOW) -> list[int]:
    lease = Lease.start(worker, LEASE, now)
    return WORK.take(lease, [lease.now], limit)


def test_a_claim_takes_at_most_the_batch_size_and_marks_its_worker(acme: Acme) -> None:
    made = rows(acme, 7)
    batches = [take("w1", 3), take("w2", 3), take("w3", 3), take("w4", 3)]
    assert [len(b) for b in batches] == [3, 3, 1, 0]
    assert {i for b in batches for i in b} == made
    assert sorted(batches[0]) == sorted(made)[:3]  # in the claim's order
    holders = dict(AccountEmail.objects.values_list("pk", "claimed_by"))
    assert {holders[i] for i in batches[1]} == {"w2"}
    until = set(AccountEmail.objects.values_list("claimed_until", flat=True))
    assert until == {NOW + timedelta(seconds=LEASE)}
    assert set(AccountEmail.objects.values_list("attempts", flat=True)) == {1}  # `sets`


def test_a_claim_of_one_row_takes_exactly_one(acme: Acme) -> None:
    made = rows(acme, 3)
    assert " id = (SELECT" in WORK.sql(1) and " id IN (SELECT" in WORK.sql(2)
    first, second = take("w1", 1), take("w2", 1)
    assert len(first) == len(second) == 1
    assert first != second and set(first + second) <= made


def test_a_lease_held_is_left_alone_and_an_expired_one_is_claimable_again(acme: Acme) -> None:
    [row] = rows(acme, 1)
    assert take("w1", 5) == [row]
    assert take("w2", 5, NOW + timedelta(seconds=LEASE - 1)) == []  # still w1's
    assert take("w2", 5, NOW + timedelta(seconds=LEASE + 1)) == [row]  # w1 died: taken over
    taken = AccountEmail.objects.get(pk=row)
    assert (taken.claimed_by, taken.attempts) == ("w2", 2)
    assert taken.claimed_until == NOW + timedelta(seconds=2 * LEASE + 1)


def test_two_workers_at_once_never_claim_the_same_row(acme: Acme) -> None:
    made = rows(acme, 60)
    # After its first batch each worker waits for the other's: both surely claim side by side.
    both_started = threading.Barrier(2, timeout=30)

    def claim_all(worker: str) -> list[int]:
        mine = take(worker, 3)
        both_started.wait()
        while batch := take(worker, 3):
            mine += batch
        return mine

    first, second = run_together(claim_all)

    assert set(first).isdisjoint(second)
    assert sorted(first + second) == sorted(made)
    assert len(first) >= 3 and len(second) >= 3


@pytest.mark.skipif(not is_postgres(), reason="SQLite runs one writer at a time")
def test_a_claim_skips_the_rows_another_worker_is_claiming(acme: Acme) -> None:
    """SKIP LOCKED: a worker whose claim is not committed yet delays no one."""
    made = rows(acme, 6)

    with uncommitted(lambda: take("slow", 4)) as held:
        others = take("quick", 10)

    assert len(held) == 4
    assert set(others) == made - set(held)


def test_skip_locked_is_asked_only_of_the_backend_that_has_it() -> None:
    postgresql, sqlite = statement(WORK, 5, "postgresql"), statement(WORK, 5, "sqlite")
    assert postgresql.endswith("LIMIT 5 FOR UPDATE SKIP LOCKED) RETURNING id")
    assert sqlite.endswith("LIMIT 5) RETURNING id")


def test_a_pass_clock_starts_at_the_given_time_and_runs_on() -> None:
    now = clock(NOW)
    first = now()
    assert NOW <= first < NOW + timedelta(seconds=5)
    assert now() >= first
    assert abs(clock()() - timezone.now()) < timedelta(seconds=5)


def test_a_round_ends_after_its_seconds_unless_it_runs_once() -> None:
    assert Round(once=False, seconds=0).over()
    assert not Round(once=False, seconds=60).over()
    assert not Round(once=True, seconds=0).over()


def test_a_round_is_over_as_soon_as_the_process_is_asked_to_stop() -> None:
    try:
        shutdown.REQUESTED.set()
        assert Round(once=False, seconds=60).over()
        assert Round(once=True).over()
    finally:
        shutdown.REQUESTED.clear()
    assert not Round(once=True).over()
