"""Receiving a message's data without holding it in memory: small in memory, large on disk.

aiosmtpd 1.4.6 collects DATA as a list of lines, joins them, and keeps the result twice on the
envelope: four senders of 40 MB took the listener past 1.5 GB. Here the lines go to a Spool
instead: a buffer up to COMPTOIR_SMTP_SPOOL_THRESHOLD bytes, then an unlinked temporary file,
written by a worker thread in chunks so that disk waits never hold the event loop. Only
smtp_DATA is replaced; the protocol rules are aiosmtpd's own, kept line for line: a lone dot
ends the data, a leading dot is removed (RFC 5321 §4.5.2), past the size limit the rest is
read and discarded then `552`, a line longer than the limit gives `500`. One liberty, as
Postfix's: a line may end in LF alone, and is stored ending in CRLF (see receive()).
"""

import asyncio
import enum
import tempfile
import threading
from concurrent.futures import Executor
from typing import IO, Any

from aiosmtpd.smtp import MISSING, SMTP, Envelope

# Bytes gathered in memory before one write to the file (once the message went to disk).
CHUNK = 64 * 1024


class SpoolClosed(Exception):
    """The session ended (closed, timed out) and its spool was freed before it was read."""


class Spool:
    """One message's bytes: a buffer, moved to a temporary file past the threshold.

    Written from the event loop (write, finish), read and closed from any thread: a lock
    makes close() wait for a write or read in progress, so a file is never used once closed.
    """

    def __init__(self, *, threshold: int, directory: str, executor: Executor) -> None:
        self.threshold = threshold
        self.directory = directory or None
        self.executor = executor
        self.buffer = bytearray()
        self.file: IO[bytes] | None = None
        self.size = 0
        self.closed = False
        self.lock = threading.Lock()

    async def write(self, data: bytes) -> None:
        self.buffer += data
        self.size += len(data)
        if self.size > self.threshold and len(self.buffer) >= min(CHUNK, self.threshold):
            await self.flush()

    async def finish(self) -> None:
        """Every byte received is in the file, if there is one."""
        if self.file is not None and self.buffer:
            await self.flush()

    async def flush(self) -> None:
        chunk, self.buffer = self.buffer, bytearray()
        await asyncio.get_running_loop().run_in_executor(self.executor, self.write_file, chunk)

    def write_file(self, chunk: bytearray) -> None:
        with self.lock:
            if self.closed:
                return
            if self.file is None:
                # Unlinked at once (O_TMPFILE on Linux): the disk space comes back when it is
                # closed, or when the process dies, whatever happens to the session.
                self.file = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close())
                    dir=self.directory, prefix="comptoir-smtp-"
                )
            self.file.write(chunk)

    def discard(self) -> None:
        """Drop what was received (too big, line too long): the rest is read, not kept."""
        self.close()

    def read(self) -> bytes:
        """The whole message; called from a worker thread, once the data is complete."""
        with self.lock:
            if self.closed:
                raise SpoolClosed
            if self.file is None:
                return bytes(self.buffer)
            self.file.flush()
            self.file.seek(0)
            return self.file.read()

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.buffer = bytearray()
            if self.file is not None:
                self.file.close()
                self.file = None


class SpooledEnvelope(Envelope):
    """aiosmtpd's envelope, whose data is in a Spool (content stays None), and the campaign
    each accepted recipient routed to at RCPT (mail.server: routing answered once)."""

    def __init__(self) -> None:
        super().__init__()
        self.spool: Spool | None = None
        self.routes: dict[str, Any] = {}


class DataState(enum.Enum):
    NOMINAL = "nominal"
    TOO_MUCH = "552 Error: Too much mail data"
    TOO_LONG = "500 Line too long (see RFC5321 4.5.3.1.6)"


class SpoolingDATA(SMTP):
    """smtp_DATA of aiosmtpd, receiving into a Spool. Mixed in before SMTP or LMTP."""

    envelope: SpooledEnvelope | None  # type: ignore[assignment]

    def spool_settings(self) -> tuple[int, str, Executor]:
        """(threshold, directory, executor for file writes): the handler's."""
        handler = self.event_handler
        return handler.spool_threshold, handler.spool_directory, handler.spool_writer

    def _create_envelope(self) -> SpooledEnvelope:
        return SpooledEnvelope()

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        threshold, directory, executor = self.spool_settings()
        spool = Spool(threshold=threshold, directory=directory, executor=executor)
        try:
            state = await self.receive(spool)
            if state is not DataState.NOMINAL:
                await self.push(state.value)  # before the reset: LMTP answers per recipient
                self._set_post_data_state()
                return
            await spool.finish()
            self.envelope.spool = spool
            # The timeout covered receiving; storing gets a full one of its own.
            self._reset_timeout()
            status = await self._call_handler_hook("DATA")
            self._set_post_data_state()
            await self.push("250 OK" if status is MISSING else status)
        finally:
            # However the session ends (closed, timed out, cancelled), the file goes.
            spool.close()

    async def receive(self, spool: Spool) -> DataState:
        """Read lines up to the lone dot into the spool; the state says what to answer.

        A line may end in LF alone (scripts, some gateways): it is stored with CRLF, as
        Postfix does (smtpd_forbid_bare_newline = normalize). Only CRLF.CRLF ends the data: a
        dot line next to a bare LF is content, so it cannot end one message and smuggle the
        next (SMTP smuggling).
        """
        received = 0
        fragments: list[bytes] = []
        state = DataState.NOMINAL
        after_crlf = True  # the previous line ended in CRLF (or there was none)
        while True:
            line, state = await self.read_line(spool, state)
            if not fragments and after_crlf and line == b".\r\n":
                return state
            received += len(line)
            if self.data_size_limit and received > self.data_size_limit:
                state = refused(spool, state, DataState.TOO_MUCH)
            fragments.append(line)
            if not line.endswith(b"\n"):
                continue
            whole = b"".join(fragments)
            fragments.clear()
            after_crlf = whole.endswith(b"\r\n")
            if len(whole) > self.line_length_limit:
                state = refused(spool, state, DataState.TOO_LONG)
            if state is DataState.NOMINAL:
                await spool.write(normalised(whole))

    async def read_line(self, spool: Spool, state: DataState) -> tuple[bytes, DataState]:
        """The next line, or the next piece of one longer than the stream's limit (then the
        data is refused: 500 after the dot)."""
        try:
            return await self._reader.readuntil(b"\n"), state
        except asyncio.CancelledError:
            self._writer.close()
            raise
        except asyncio.LimitOverrunError as error:
            state = refused(spool, state, DataState.TOO_LONG)
            return await self._reader.read(error.consumed), state


def refused(spool: Spool, state: DataState, refusal: DataState) -> DataState:
    """The data's state once `refusal` is found: the first refusal wins, and from it on
    nothing more is written (what was is discarded)."""
    if state is not DataState.NOMINAL:
        return state
    spool.discard()
    return refusal


def normalised(line: bytes) -> bytes:
    """One data line as stored: its leading dot removed (RFC 5321 §4.5.2), ending in CRLF."""
    if line.startswith(b"."):
        line = line[1:]
    if not line.endswith(b"\r\n"):
        line = line[:-1] + b"\r\n"
    return line
