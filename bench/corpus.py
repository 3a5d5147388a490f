"""A reproducible corpus of realistic customer mail for the ingest benchmark.

`build_corpus(count, seed=...)` returns the same messages for the same arguments: new requests
from a fixed set of customers, and replies that name an earlier message of the same customer
in In-Reply-To and References (so they must thread onto its ticket). Shares of replies,
multipart/alternative, attachments and latin-1/cp1252 bodies are exact, not approximate.
"""

import random
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bench import corpus_text as words
from bench.corpus_mime import Body, Envelope, build_message, token

PARIS_WINTER = timezone(timedelta(hours=1))
START = datetime(2025, 3, 3, 8, 0, tzinfo=PARIS_WINTER)


@dataclass
class CorpusMessage:
    raw: bytes
    customer: int
    kind: str  # new | reply
    alternative: bool
    attachment: bool
    charset: str
    envelope_from: str
    date: datetime


@dataclass
class Thread:
    customer: int
    subject: str
    message_ids: list[str]
    last_paragraphs: list[str]
    last_date: datetime


@dataclass
class Shares:
    replies: float = 0.30
    alternative: float = 0.45
    attachment: float = 0.10
    legacy_charset: float = 0.30


@dataclass
class Plan:
    """Which message gets which trait, as exact shuffled counts."""

    kinds: list[str]
    alternative: list[bool]
    attachment: list[bool]
    legacy: list[bool]
    customers: list[int] = field(default_factory=list)


def flags(rng: random.Random, count: int, share: float) -> list[bool]:
    chosen = round(count * share)
    result = [True] * chosen + [False] * (count - chosen)
    rng.shuffle(result)
    return result


def make_plan(rng: random.Random, count: int, customers: int, shares: Shares) -> Plan:
    replies = flags(rng, count, shares.replies)
    first_new = replies.index(False)  # the first message cannot be a reply
    replies[0], replies[first_new] = replies[first_new], replies[0]
    kinds = ["reply" if r else "new" for r in replies]
    # Every customer writes at least once (when there are enough new requests), then at random.
    order = list(range(customers))
    rng.shuffle(order)
    new_count = kinds.count("new")
    senders = order[:new_count] + [rng.randrange(customers) for _ in range(new_count - customers)]
    return Plan(
        kinds=kinds,
        alternative=flags(rng, count, shares.alternative),
        attachment=flags(rng, count, shares.attachment),
        legacy=flags(rng, count, shares.legacy_charset),
        customers=senders,
    )


def reply_subject(rng: random.Random, subject: str, french: bool) -> str:
    prefix = rng.choice(["Re: ", "Re: ", "RE: ", "Re : " if french else "Re: ", "AW: "])
    return subject if subject.lower().startswith(("re:", "re :")) else prefix + subject


def next_message(
    rng: random.Random,
    thread: Thread,
    customer: words.Customer,
    *,
    date: datetime,
    charset: str,
    reply: bool,
) -> tuple[Envelope, Body]:
    """The envelope and body of the next message in `thread`, and update the thread."""
    host = customer.email.rpartition("@")[2]
    message_id = f"{token(rng)}.{token(rng, 32)}@{host}"
    subject = thread.subject if not reply else reply_subject(rng, thread.subject, customer.french)
    subject = words.fit_charset(subject, charset)
    paragraphs = [
        words.fit_charset(p, charset) for p in words.paragraphs(rng, customer, reply=reply)
    ]
    quoted = [words.fit_charset(p, charset) for p in thread.last_paragraphs] if reply else []
    when = thread.last_date.strftime(
        "%d/%m/%Y %H:%M" if customer.french else "%a, %b %d, %Y at %H:%M"
    )
    envelope = Envelope(
        customer=customer,
        subject=subject,
        message_id=message_id,
        date=date,
        in_reply_to=thread.message_ids[-1] if reply else "",
        references=tuple(thread.message_ids[-10:]) if reply else (),
    )
    body = Body(
        paragraphs, quoted, words.fit_charset(words.quote_header(customer, when), charset), charset
    )
    thread.message_ids.append(message_id)
    thread.last_paragraphs = paragraphs
    thread.last_date = date
    return envelope, body


def build_corpus(
    count: int, *, seed: int, customers: int = 500, shares: Shares | None = None
) -> list[CorpusMessage]:
    return list(iter_corpus(count, seed=seed, customers=customers, shares=shares))


def iter_corpus(
    count: int, *, seed: int, customers: int = 500, shares: Shares | None = None
) -> Iterator[CorpusMessage]:
    rng = random.Random(seed)
    people = [words.make_customer(rng, n) for n in range(customers)]
    plan = make_plan(rng, count, customers, shares or Shares())
    threads: list[Thread] = []
    senders = iter(plan.customers)
    date = START
    for index, kind in enumerate(plan.kinds):
        date += timedelta(seconds=rng.randint(5, 240))
        if kind == "new":
            customer_number = next(senders)
            thread = Thread(
                customer_number, words.new_subject(rng, people[customer_number]), [], [], date
            )
            threads.append(thread)
        else:
            thread = rng.choice(threads)
        customer = people[thread.customer]
        charset = customer.legacy_charset if plan.legacy[index] else "utf-8"
        envelope, body = next_message(
            rng, thread, customer, date=date, charset=charset, reply=kind == "reply"
        )
        raw = build_message(
            rng,
            envelope,
            body,
            alternative=plan.alternative[index],
            attachment=plan.attachment[index],
        )
        yield (
            CorpusMessage(
                raw, thread.customer, kind, plan.alternative[index], plan.attachment[index],
                charset, customer.email, date,
            )
        )  # fmt: skip


def split_by_customer(messages: list[CorpusMessage], parts: int) -> list[list[CorpusMessage]]:
    """`parts` slices, each holding whole customers (so every reply finds its parent)."""
    slices: list[list[CorpusMessage]] = [[] for _ in range(parts)]
    for message in messages:
        slices[message.customer % parts].append(message)
    return slices


def write_corpus(messages: Iterable[CorpusMessage], path: Path) -> None:
    """Length-prefixed raw messages: the workers' input, read back by `read_corpus`."""
    with path.open("wb") as handle:
        for message in messages:
            handle.write(struct.pack(">I", len(message.raw)))
            handle.write(message.raw)


def read_corpus(path: Path) -> list[bytes]:
    data = path.read_bytes()
    result, offset = [], 0
    while offset < len(data):
        (size,) = struct.unpack_from(">I", data, offset)
        result.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return result


def mbox_lines(message: CorpusMessage) -> Iterator[bytes]:
    """One mboxrd entry: "From " separator, LF line ends, ">*From " lines escaped."""
    stamp = message.date.strftime("%a %b %d %H:%M:%S %Y")
    yield f"From {message.envelope_from} {stamp}\n".encode("ascii")
    for line in message.raw.replace(b"\r\n", b"\n").splitlines(keepends=True):
        if line.lstrip(b">").startswith(b"From "):
            line = b">" + line
        yield line
    if not line.endswith(b"\n"):
        yield b"\n"
    yield b"\n"


def write_mbox(messages: Iterable[CorpusMessage], path: Path) -> None:
    with path.open("wb") as handle:
        for message in messages:
            handle.writelines(mbox_lines(message))
