"""Clean stop for long-running commands: SIGTERM (service managers) and SIGINT (Ctrl-C)."""

import signal
import threading
from types import FrameType


def stop_requested() -> threading.Event:
    """An event set on the first SIGTERM or SIGINT; the command finishes its work and exits.

    Must be called from the main thread (Python delivers signals only there).
    """
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    return stop
