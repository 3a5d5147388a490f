"""A command's stop event (comptoir/lib/shutdown.py) is seen whichever thread the signal
reaches: Ctrl-C then serve's SIGTERM, a moment apart, while other threads are busy."""

import signal
import subprocess
import sys
import time

from tests.ops.conftest import ROOT

# A command's shape: busy threads (as the listener's), the main thread waiting for a stop.
WAITER = """
import threading
from comptoir.lib.shutdown import stop_requested

stop = stop_requested()

def busy():
    while True:
        sum(range(1000))

for _ in range(3):
    threading.Thread(target=busy, daemon=True).start()
print("waiting", flush=True)
stop.wait()
print("stopped", flush=True)
"""
ROUNDS = 20


def stops_within(seconds: float) -> bool:
    process = subprocess.Popen(
        [sys.executable, "-c", WAITER], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline() == "waiting\n"
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=seconds) == 0
    except subprocess.TimeoutExpired:
        return False
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_two_signals_a_moment_apart_stop_a_command_whose_threads_are_busy() -> None:
    # Before the fix, about one round in three never stopped: 20 rounds all passing by
    # chance was about one chance in a thousand.
    hung = [n for n in range(ROUNDS) if not stops_within(3)]
    assert hung == [], f"rounds that did not stop within 3 s: {hung}"


# Signals arriving all the time (a timer every 0.37 ms) while the main thread waits for the
# stop, is woken, and waits again: some are handled inside wait() itself. A handler that took
# a lock there (threading.Event.set) waited for its own thread: the command never stopped.
PESTERED = """
import signal, time
from comptoir.lib.shutdown import stop_requested

stop = stop_requested()
signal.signal(signal.SIGALRM, signal.getsignal(signal.SIGTERM))
signal.setitimer(signal.ITIMER_REAL, 0.0001, 0.00037)
end = time.monotonic() + 1.5
while time.monotonic() < end:
    stop.wait(0.0003)
    stop.clear()
signal.setitimer(signal.ITIMER_REAL, 0)
print("survived", flush=True)
"""


def test_a_stop_handled_inside_the_wait_for_it_never_deadlocks() -> None:
    for _ in range(3):
        done = subprocess.run(
            [sys.executable, "-c", PESTERED], cwd=ROOT, capture_output=True, text=True, timeout=30
        )
        assert (done.returncode, done.stdout) == (0, "survived\n"), done.stderr[-2000:]
