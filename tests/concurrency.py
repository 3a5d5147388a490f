"""Running test work at the same instant in several threads, each with its own connection."""

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction


def run_together[T](work: Callable[[str], T], workers: int = 2) -> list[T]:
    """Run `work(worker_id)` in threads released at the same instant, each with its own
    database connection, as separate worker processes would."""
    start = threading.Barrier(workers)
    results: list[T] = []
    errors: list[BaseException] = []

    def worker(worker_id: str) -> None:
        try:
            start.wait()
            results.append(work(worker_id))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    return results


@contextmanager
def uncommitted[T](work: Callable[[], T]) -> Iterator[T]:
    """Run `work` in a thread, inside a transaction left open (its row locks held) until the
    block ends: a worker whose claim is not committed yet, as the others see it. Inside the
    block, a statement of this connection that would wait for those locks fails after 5 s
    instead (PostgreSQL's lock_timeout)."""
    ready = threading.Event()
    done = threading.Event()
    results: list[T] = []

    def hold() -> None:
        try:
            with transaction.atomic():
                results.append(work())
                ready.set()
                done.wait(timeout=30)
        finally:
            ready.set()
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert ready.wait(timeout=30) and results, "the other transaction did not get its rows"
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '5s'")
        yield results[0]
    finally:
        done.set()
        thread.join(timeout=30)
