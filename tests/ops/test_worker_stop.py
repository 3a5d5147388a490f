"""`comptoir worker` stops soon after SIGTERM even in the middle of its work.

A worker's round at a job lasts up to lib.claims.ROUND_SECONDS, and the outbox sends a batch
of up to 50 messages at a time: a stop that waited for the round to end took as long as the
work in hand (a slow SMTP server: minutes). The round ends, and the batch's messages not tried
yet go back to the queue untouched, as soon as the stop is asked.
"""

import asyncio
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session

from comptoir.tickets.models import DeliveryState, Message
from tests.conftest import Acme
from tests.mail.outbox_helpers import open_ticket, queue_reply, running
from tests.mail.test_smtp import child_database_env
from tests.ops.conftest import ROOT
from tests.smtp_sink import CaptureHandler, SmtpSink

pytestmark = pytest.mark.django_db(transaction=True)

REPLIES = 20
SEND_SECONDS = 0.5  # the slow server's time per message: the batch takes 10 s


class SlowHandler(CaptureHandler):
    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(SEND_SECONDS)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.handler = SlowHandler()
    with running(sink):
        yield sink


def test_a_worker_sending_a_batch_stops_soon_and_gives_the_rest_back(
    acme: Acme, slow_sink: SmtpSink
) -> None:
    ticket = open_ticket(acme)
    for n in range(REPLIES):
        queue_reply(acme, ticket, text=f"Reply {n}")
    env = child_database_env() | {"COMPTOIR_SMTP_URL": slow_sink.url}
    argv = [sys.executable, "-m", "comptoir.cli", "worker"]
    worker = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not slow_sink.received and time.monotonic() < deadline:
            time.sleep(0.05)
        assert slow_sink.received, "the worker sent nothing"
        worker.terminate()
        asked = time.monotonic()
        assert worker.wait(timeout=30) == 0
        took = time.monotonic() - asked
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert took < 2 * SEND_SECONDS + 1, f"the worker took {took:.1f} s to stop"
    outbound = Message.objects.exclude(delivery_state="")
    sent = outbound.filter(delivery_state=DeliveryState.SENT)
    assert sent.count() == len(slow_sink.received) < REPLIES
    # The others are queued again, due now, as if never tried: no attempt counted.
    rest = outbound.exclude(delivery_state=DeliveryState.SENT)
    assert {(m.delivery_state, m.delivery_attempts, m.claimed_by) for m in rest} == {
        (DeliveryState.QUEUED, 0, "")
    }
