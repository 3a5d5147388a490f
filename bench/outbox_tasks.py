"""Django-side steps of the outbox benchmark: `python -m bench.outbox_tasks {prepare|verify} …`.

Started by bench.outbox with COMPTOIR_DATA_DIR and DATABASE_URL set, like bench.worker.

  prepare CORPUS [--dump PATH]
      ingest the customer emails (mail.batch.ingest_many, no automatic reply), then queue
      one agent reply per ticket with tickets.outbound.reply() (a demo template, the
      campaign's signature, the customer's message quoted), each timed; with --dump, write
      the queued messages' envelopes and bytes for bench.smtp_client.
  verify IDS [--expected N]
      compare the outbound messages in the database with the Message-IDs the sink received
      (one a line in IDS): every message sent, each received exactly once, nothing else.

Each prints one line `RESULT {json}`.
"""

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bench.corpus import read_corpus
from bench.smtp_client import Envelope, write_envelopes
from bench.worker import RESULT, setup_django

TEMPLATE_SEED = 20250305


def prepare(corpus: Path, dump: Path | None) -> dict[str, Any]:
    from comptoir.campaigns.models import Campaign, EmailTemplate
    from comptoir.demo.replies import ensure_replies
    from comptoir.mail.batch import ingest_many
    from comptoir.tenancy.models import User
    from comptoir.tickets.models import Ticket
    from comptoir.tickets.outbound import reply, template_text

    campaign = Campaign.objects.select_related("domain").get(domain__slug="demo", slug="support")
    ensure_replies(campaign.domain)
    campaign.refresh_from_db()
    agents = list(User.objects.filter(domain=campaign.domain, login__startswith="agent"))
    templates = [
        t
        for t in EmailTemplate.objects.filter(campaign=campaign).order_by("id")
        if t.name != "Accusé de réception"
    ]
    messages = read_corpus(corpus)

    clock = time.perf_counter()
    outcomes: Counter[str] = Counter()
    items = (("bench", raw) for raw in messages)
    for _label, ingested in ingest_many(items, campaign=campaign, auto_reply=False):
        outcomes[ingested.outcome] += 1
    ingest_seconds = time.perf_counter() - clock

    rng = random.Random(TEMPLATE_SEED)
    tickets = list(
        Ticket.objects.filter(campaign=campaign)
        .select_related("domain", "campaign", "contact")
        .order_by("id")
    )
    clock = time.perf_counter()
    for index, ticket in enumerate(tickets):
        agent = agents[index % len(agents)]
        _subject, body = template_text(rng.choice(templates), ticket, agent)
        reply(ticket, author=agent, text=body)
    queue_seconds = time.perf_counter() - clock

    result: dict[str, Any] = {
        "ingested": len(messages),
        "outcomes": dict(outcomes),
        "ingest_seconds": ingest_seconds,
        "replies": len(tickets),
        "queue_seconds": queue_seconds,
    }
    if dump:
        result.update(dump_queued(dump))
    return result


def dump_queued(path: Path) -> dict[str, Any]:
    from comptoir.mail.outbox import json_list
    from comptoir.tickets.models import DeliveryState, Direction, Message

    rows = (
        Message.objects.filter(direction=Direction.OUTBOUND, delivery_state=DeliveryState.QUEUED)
        .order_by("next_attempt_at", "id")
        .values_list("raw__envelope_from", "raw__envelope_to", "raw__content")
        .iterator()
    )
    sizes: list[int] = []

    def envelopes() -> Any:
        for sender, recipients, content in rows:
            raw = bytes(content)
            sizes.append(len(raw))
            yield Envelope(sender, json_list(recipients), raw)

    count = write_envelopes(envelopes(), path)
    return {"dumped": count, "average_bytes": round(sum(sizes) / count) if count else 0}


def verify(ids_file: Path, expected: int) -> dict[str, Any]:
    """What the database says was sent, against what the sink received."""
    from django.db.models import Max, Min

    from comptoir.tickets.models import Direction, Message

    outbound = Message.objects.filter(direction=Direction.OUTBOUND)
    states = Counter(outbound.values_list("delivery_state", flat=True))
    attempts = Counter(outbound.values_list("delivery_attempts", flat=True))
    sent = outbound.filter(delivery_state="sent")
    span = sent.aggregate(first=Min("sent_at"), last=Max("sent_at"))
    in_database = set(outbound.values_list("message_id", flat=True))
    received = Counter(ids_file.read_text().split())
    problems = []
    if len(in_database) != expected or sum(states.values()) != expected:
        problems.append(f"{sum(states.values())} outbound messages in the database, not {expected}")
    if states.get("sent", 0) != expected:
        problems.append(f"delivery states {dict(states)}, not {expected} sent")
    if set(attempts) - {1}:
        problems.append(f"delivery attempts {dict(attempts)}: some message was tried again")
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    if duplicates:
        problems.append(f"{duplicates} message(s) received more than once")
    missing = len(in_database - set(received))
    if missing:
        problems.append(f"{missing} message(s) never received")
    unknown = len(set(received) - in_database)
    if unknown:
        problems.append(f"{unknown} received Message-ID(s) not in the database")
    first, last = span["first"], span["last"]
    return {
        "states": dict(states),
        "attempts": {str(k): v for k, v in attempts.items()},
        "received": sum(received.values()),
        "problems": problems,
        "sent_span_seconds": (last - first).total_seconds() if first and last else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outbox_tasks")
    parser.add_argument("task", choices=["prepare", "verify"])
    parser.add_argument("path", type=Path, help="the corpus (prepare), the sink's IDs (verify)")
    parser.add_argument("--dump", type=Path, help="prepare: write the queued messages here")
    parser.add_argument("--expected", type=int, default=0, help="verify: messages queued")
    args = parser.parse_args()
    setup_django()
    if args.task == "prepare":
        result = prepare(args.path, args.dump)
    else:
        result = verify(args.path, args.expected)
    print(RESULT + json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
