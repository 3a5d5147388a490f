"""Drive an SMTP sink alone: `python -m bench.smtp_client MESSAGES PORT [--wait]`.

Sends precomposed messages (the outbox's own, dumped by bench.outbox_tasks) with smtplib
over one connection, as the outbox's SMTP transport does, and prints `RESULT {json}` with
the wall-clock start and end of the sending loop (the connection and EHLO come before it).
No Django here: this measures the sink and smtplib, nothing else.
"""

import argparse
import json
import smtplib
import struct
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

RESULT = "RESULT "


@dataclass
class Envelope:
    sender: str
    recipients: list[str]
    raw: bytes


def write_envelopes(items: Iterable[Envelope], path: Path) -> int:
    """Length-prefixed (JSON envelope, raw bytes) pairs; returns how many were written."""
    count = 0
    with path.open("wb") as handle:
        for item in items:
            head = json.dumps({"from": item.sender, "to": item.recipients}).encode()
            handle.write(struct.pack(">II", len(head), len(item.raw)))
            handle.write(head)
            handle.write(item.raw)
            count += 1
    return count


def read_envelopes(path: Path) -> list[Envelope]:
    data = path.read_bytes()
    result, offset = [], 0
    while offset < len(data):
        head_size, raw_size = struct.unpack_from(">II", data, offset)
        offset += 8
        head = json.loads(data[offset : offset + head_size])
        offset += head_size
        result.append(Envelope(head["from"], head["to"], data[offset : offset + raw_size]))
        offset += raw_size
    return result


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.smtp_client")
    parser.add_argument("messages", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--wait", action="store_true", help="say ready, start on 'go'")
    args = parser.parse_args()
    messages = read_envelopes(args.messages)
    client = smtplib.SMTP("127.0.0.1", args.port, timeout=30)
    client.ehlo_or_helo_if_needed()
    if args.wait:
        print("ready", flush=True)
        if sys.stdin.readline().strip() != "go":
            sys.exit("bench smtp client: expected 'go' on stdin")
    started, clock = time.time(), time.perf_counter()
    for item in messages:
        client.sendmail(item.sender, item.recipients, item.raw)
    seconds, ended = time.perf_counter() - clock, time.time()
    client.quit()
    result = {"messages": len(messages), "start": started, "end": ended, "seconds": seconds}
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
