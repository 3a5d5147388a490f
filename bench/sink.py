"""A fast SMTP sink in its own process: `python -m bench.sink [--impl lean|aiosmtpd] [--port N]`.

It accepts every message, counts it per connection, remembers its Message-ID (to prove that
no message arrived twice) and throws the bytes away. It runs in its own process so that it
does not share a GIL with what it measures.

  lean      a minimal asyncio SMTP responder (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT)
            written as a protocol: the default, several times faster than aiosmtpd
  aiosmtpd  aiosmtpd's SMTP server with a counting handler, for comparison

Control on stdin, one command a line; answers are one line on stdout:
  stats [PATH]   JSON: messages, bytes, per-connection counts and times, Message-ID
                 duplicates, CPU seconds used since the last reset; with PATH, every
                 Message-ID received, one a line, is written there
  reset          forget everything counted so far
  quit           stop
On start it prints `ready PORT`.
"""

import argparse
import asyncio
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^>]*>)", re.IGNORECASE | re.MULTILINE)
END_OF_DATA = b"\r\n.\r\n"
EHLO_ANSWER = b"250-sink.localhost\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 67108864\r\n"


@dataclass
class Connection:
    messages: int = 0
    bytes: int = 0
    first: float = 0.0  # time.time() of the first MAIL FROM
    last: float = 0.0  # time.time() of the last 250 after DATA


@dataclass
class Tally:
    connections: list[Connection] = field(default_factory=list)
    ids: Counter[bytes] = field(default_factory=Counter)
    without_id: int = 0
    cpu_start: float = field(default_factory=time.process_time)

    def received(self, connection: Connection, data: bytes) -> None:
        connection.messages += 1
        connection.bytes += len(data)
        connection.last = time.time()
        head = data[: data.find(b"\r\n\r\n")]
        found = MESSAGE_ID.search(head)
        if found:
            self.ids[b"".join(found.group(1).split())] += 1
        else:
            self.without_id += 1

    def stats(self, path: str = "") -> dict[str, Any]:
        if path:
            Path(path).write_bytes(b"".join(i.strip(b"<>") + b"\n" for i in self.ids.elements()))
        used = [c for c in self.connections if c.messages]
        return {
            "messages": sum(c.messages for c in self.connections),
            "bytes": sum(c.bytes for c in self.connections),
            "connections": [
                {"messages": c.messages, "bytes": c.bytes, "first": c.first, "last": c.last}
                for c in used
            ],
            "unique_ids": len(self.ids),
            "duplicate_ids": sum(n - 1 for n in self.ids.values() if n > 1),
            "without_id": self.without_id,
            # CPU this process used since the last reset: how busy the sink was.
            "cpu_seconds": time.process_time() - self.cpu_start,
        }


ANSWERS = {
    b"MAIL": b"250 2.1.0 Ok\r\n",
    b"RCPT": b"250 2.1.5 Ok\r\n",
    b"DATA": b"354 End data with <CR><LF>.<CR><LF>\r\n",
    b"EHLO": EHLO_ANSWER,
    b"HELO": b"250 sink.localhost\r\n",
    b"RSET": b"250 2.0.0 Ok\r\n",
    b"NOOP": b"250 2.0.0 Ok\r\n",
    b"QUIT": b"221 2.0.0 Bye\r\n",
}


class LeanSession(asyncio.Protocol):
    """One SMTP session, as a protocol (no coroutine per line): every command is answered at
    once, nothing is checked. The answers to what one read brought go out in one write."""

    def __init__(self, tally: Tally) -> None:
        self.tally = tally
        self.connection = Connection()
        tally.connections.append(self.connection)
        self.buffer = bytearray()
        self.in_data = False
        self.scanned = 0  # in DATA: where to look for the end again (the buffer was searched)
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"220 sink.localhost ESMTP bench sink\r\n")

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        buffer = self.buffer
        buffer += data
        out, start, close = [], 0, False
        while not close:
            if self.in_data:  # the message runs to CRLF "." CRLF (smtplib never sends it empty)
                end = buffer.find(END_OF_DATA, max(start, self.scanned))
                if end < 0:
                    break
                self.tally.received(self.connection, bytes(buffer[start : end + 2]))
                out.append(b"250 2.0.0 Ok: queued\r\n")
                start, self.in_data, self.scanned = end + len(END_OF_DATA), False, 0
                continue
            end = buffer.find(b"\r\n", start)
            if end < 0:
                break
            verb = bytes(buffer[start : start + 4]).upper()
            start = end + 2
            out.append(ANSWERS.get(verb, b"502 5.5.2 Command not implemented\r\n"))
            if verb == b"MAIL" and not self.connection.first:
                self.connection.first = time.time()
            self.in_data, close = verb == b"DATA", verb == b"QUIT"
        del buffer[:start]
        if self.in_data:
            self.scanned = max(0, len(buffer) - len(END_OF_DATA))
        if out:
            self.transport.write(b"".join(out))
        if close:
            self.transport.close()


async def start_lean(tally: Tally, port: int) -> asyncio.Server:
    loop = asyncio.get_running_loop()
    return await loop.create_server(lambda: LeanSession(tally), "127.0.0.1", port)


async def start_aiosmtpd(tally: Tally, port: int) -> asyncio.Server:
    from aiosmtpd.smtp import SMTP, Envelope, Session

    connections: dict[int, Connection] = {}

    class Handler:
        async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
            connection = connections.get(id(session))
            if connection is None:
                connection = connections[id(session)] = Connection(first=time.time())
                tally.connections.append(connection)
            content = envelope.original_content or b""
            tally.received(connection, bytes(content))
            return "250 2.0.0 Ok: queued"

    loop = asyncio.get_running_loop()
    handler = Handler()
    return await loop.create_server(
        lambda: SMTP(handler, decode_data=False, hostname="sink.localhost"), "127.0.0.1", port
    )


async def control(tally: Tally, server: asyncio.Server) -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := (await reader.readline()).decode().strip():
        command, _space, argument = line.partition(" ")
        if command == "stats":
            print(json.dumps(tally.stats(argument)), flush=True)
        elif command == "reset":
            tally.connections.clear()
            tally.ids.clear()
            tally.without_id = 0
            tally.cpu_start = time.process_time()
            print("ok", flush=True)
        elif command == "quit":
            break
        else:
            print(json.dumps({"error": f"unknown command {command!r}"}), flush=True)
    server.close()


async def serve(impl: str, port: int) -> None:
    tally = Tally()
    start = start_lean if impl == "lean" else start_aiosmtpd
    server = await start(tally, port)
    bound = server.sockets[0].getsockname()[1]
    print(f"ready {bound}", flush=True)
    await control(tally, server)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.sink")
    parser.add_argument("--impl", choices=["lean", "aiosmtpd"], default="lean")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args()
    asyncio.run(serve(args.impl, args.port))


if __name__ == "__main__":
    main()
