"""Clean stop for long-running commands: SIGTERM (service managers) and SIGINT (Ctrl-C)."""

import signal
import threading
import time
from types import FrameType

# The longest the main thread sleeps in one go while waiting for a stop (see StopEvent).
WAKE_SECONDS = 0.25


class StopEvent(threading.Event):
    """An event that a signal handler sets, and whose wait() wakes up regularly.

    Python runs a signal's handler in the main thread only, between two bytecodes. The
    kernel hands a signal sent to the process to whichever of its threads takes it first;
    when that is another thread (busy listener threads often win), Python only raises a
    flag there, and a main thread blocked in an untimed wait is never woken to run the
    handler. Measured: `comptoir smtpd` under load, sent SIGINT then SIGTERM a moment apart
    (Ctrl-C, then `serve`'s own SIGTERM), stayed in `Event.wait()` about one time in three,
    until `serve` killed it 25 s later. Waiting in short slices brings the main thread back
    to the interpreter, where the pending handler runs.
    """

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = WAKE_SECONDS if deadline is None else deadline - time.monotonic()
            if super().wait(min(WAKE_SECONDS, max(0.0, left))):
                return True
            if deadline is not None and time.monotonic() >= deadline:
                return False


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
