"""Running test work at the same instant in several threads, each with its own connection."""

import threading
from collections.abc import Callable

from django.db import connection


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
