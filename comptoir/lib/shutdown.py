"""Clean stop for long-running commands: SIGTERM (service managers) and SIGINT (Ctrl-C)."""

import signal
import time
from types import FrameType

# The longest the main thread sleeps in one go while waiting for a stop (see StopEvent).
WAKE_SECONDS = 0.25


class StopEvent:
    """A stop flag that a signal handler sets, and whose wait() sleeps in short slices.

    Python runs a signal's handler in the main thread, between two bytecodes, whatever that
    thread is doing, including holding a lock. threading.Event.set() takes the event's lock,
    which the main thread holds for a moment in each Event.wait(): a signal handled in that
    moment deadlocked the command (the handler waited for a lock its own thread held) until
    serve killed it 25 s later. Measured right after `comptoir serve` said ready: about one
    Ctrl-C in twenty, the worker or the listener stuck so (faulthandler: request_stop blocked
    in Event.set, inside Event.wait). So setting the stop is a plain assignment, no lock; and
    waiting is sleeping in slices of WAKE_SECONDS, which brings the main thread back to the
    interpreter, where a handler pending since another thread took the signal runs too.
    """

    def __init__(self) -> None:
        self._set = False

    def set(self) -> None:
        self._set = True

    def clear(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        """Until the stop is set (True) or `timeout` seconds passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._set:
            left = WAKE_SECONDS if deadline is None else deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(WAKE_SECONDS, left))
        return True


# The process's stop: set by the signal handlers stop_requested() installs. Long work reads it
# too (lib.claims.Round, the outbox's batch) and ends early, leaving the rest for later.
REQUESTED = StopEvent()


def stop_requested() -> StopEvent:
    """An event set on the first SIGTERM or SIGINT; the command finishes its work and exits.

    Must be called from the main thread (Python delivers signals only there).
    """
    REQUESTED.clear()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        REQUESTED.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return REQUESTED


def stopping() -> bool:
    """Whether this process was asked to stop: work in hand ends at its next safe point."""
    return REQUESTED.is_set()
