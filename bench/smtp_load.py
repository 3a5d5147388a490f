"""Deliver a corpus to a listener over N connections: `python -m bench.smtp_load PORT CORPUS...`.

One corpus file per connection (bench.corpus.write_corpus), each holding whole customers so
that every reply follows its parent on its own connection. One asyncio process drives every
connection with the bare protocol (no smtplib: the client must cost little beside the
listener on the same cores), as an MTA does: EHLO (LHLO with --lmtp) once, then per message
MAIL, RCPT, DATA, the data, the final dot, and the reply. Time to `250` is measured from the
final dot written to the reply read: what a sending MTA waits for.

Prints `RESULT {json}`: messages, wall-clock start and end, latencies' percentiles, and
every reply that was not 2xx (the first few).
"""

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from bench.corpus import read_corpus

RESULT = "RESULT "
SENDER = "bench@client.example"
RECIPIENT = "support@demo.localhost"


def dot_stuffed(raw: bytes) -> bytes:
    """The DATA payload: CRLF line ends, leading dots doubled, the final CRLF.CRLF."""
    text = raw.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    if not text.endswith(b"\r\n"):
        text += b"\r\n"
    text = text.replace(b"\r\n.", b"\r\n..")
    if text.startswith(b"."):
        text = b"." + text
    return text + b".\r\n"


async def reply(reader: asyncio.StreamReader) -> bytes:
    """One reply, multi-line or not; returns its last line."""
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed by the listener")
        if line[3:4] != b"-":
            return line.rstrip()


async def expect(reader: asyncio.StreamReader, code: bytes) -> None:
    line = await reply(reader)
    if not line.startswith(code):
        raise ConnectionError(f"expected {code.decode()}, got {line!r}")


async def connection(
    port: int, messages: list[bytes], lmtp: bool, go: asyncio.Event, out: dict[str, list]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
    await expect(reader, b"220")
    writer.write(b"LHLO bench.example\r\n" if lmtp else b"EHLO bench.example\r\n")
    await expect(reader, b"250")
    await go.wait()
    for raw in messages:
        writer.write(f"MAIL FROM:<{SENDER}>\r\n".encode())
        await expect(reader, b"250")
        writer.write(f"RCPT TO:<{RECIPIENT}>\r\n".encode())
        await expect(reader, b"250")
        writer.write(b"DATA\r\n")
        await expect(reader, b"354")
        writer.write(dot_stuffed(raw))
        await writer.drain()
        sent = time.perf_counter()
        status = await reply(reader)
        out["latencies"].append(time.perf_counter() - sent)
        if not status.startswith(b"2"):
            out["failures"].append(status.decode(errors="replace"))
    writer.write(b"QUIT\r\n")
    await writer.drain()
    writer.close()


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(port: int, corpora: list[list[bytes]], lmtp: bool, wait: bool) -> dict:
    go = asyncio.Event()
    out: dict[str, list] = {"latencies": [], "failures": []}
    tasks = [asyncio.create_task(connection(port, c, lmtp, go, out)) for c in corpora]
    await asyncio.sleep(0.2)  # every connection greeted before the clock starts
    if wait:
        print("ready", flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        if line.strip() != "go":
            sys.exit("bench smtp load: expected 'go' on stdin")
    started, clock = time.time(), time.perf_counter()
    go.set()
    errors = [r for r in await asyncio.gather(*tasks, return_exceptions=True) if r is not None]
    seconds, ended = time.perf_counter() - clock, time.time()
    latencies = out["latencies"]
    return {
        "messages": len(latencies),
        "start": started,
        "end": ended,
        "seconds": seconds,
        "p50_ms": round(1000 * percentile(latencies, 0.50), 1),
        "p99_ms": round(1000 * percentile(latencies, 0.99), 1),
        "max_ms": round(1000 * max(latencies, default=0.0), 1),
        "failures": len(out["failures"]),
        "first_failures": out["failures"][:5] + [repr(e) for e in errors[:5]],
        "connection_errors": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.smtp_load")
    parser.add_argument("port", type=int)
    parser.add_argument("corpora", nargs="+", type=Path, help="one corpus file per connection")
    parser.add_argument("--lmtp", action="store_true")
    parser.add_argument("--wait", action="store_true", help="say ready, start on 'go'")
    args = parser.parse_args()
    corpora = [read_corpus(path) for path in args.corpora]
    result = asyncio.run(run(args.port, corpora, args.lmtp, args.wait))
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
