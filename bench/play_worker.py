"""Django-side steps of the play-mode benchmark: `python -m bench.play_worker MODE …`.

Started by bench.play with COMPTOIR_DATA_DIR and DATABASE_URL set, like bench.worker.

  load N          N waiting tickets in the demo's support campaign (bulk_create: contacts, then
                  tickets with numbers, open, unassigned, priorities 0-3, waiting up to 30 days)
  agents LOGINS   one thread per agent login (comma-separated), each with its own database
                  connection: claim_next_ticket → qualify(…) with the campaign's first final
                  outcome ("done"; "resolu" in the demo's support campaign) in a loop for --duration
                  seconds, with an optional pause after each qualify (--think-ms, mean of a
                  uniform 0..2x draw); says "ready", starts on "go"
  feed            keeps the queue at its size while agents work: every 50 ms, as many new
                  tickets as were served since the start (mail keeps arriving); "ready"/"go"
  explain         EXPLAIN (ANALYZE, BUFFERS) of the queue claim statement, rolled back

--domain and --campaign choose another campaign than the demo's support (bench.supervision).

Each prints one line `RESULT {json}` (bench.worker.RESULT).
"""

import argparse
import json
import random
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from bench.worker import RESULT, setup_django, wait_for_go

LOAD_SEED = 20250307
PRIORITIES = (0, 0, 0, 1, 1, 2, 3)  # most tickets at the default priority


# The played campaign: the demo's support campaign (bench.play), or another one
# (--domain/--campaign: bench.supervision plays the data set's service-client).
PLAYED = {"domain": "demo", "campaign": "support"}


def demo_support() -> Any:
    from comptoir.campaigns.models import Campaign

    return Campaign.objects.select_related("domain").get(
        domain__slug=PLAYED["domain"], slug=PLAYED["campaign"]
    )


def waiting_ticket(
    campaign: Any, number: int, contact_ids: list[int], since: datetime, rng: random.Random
) -> Any:
    """An open, unassigned ticket waiting since `since`: a random contact, then a random
    priority (drawn in that order, so a seed gives the same queue)."""
    from comptoir.tickets.models import Ticket

    return Ticket(
        domain_id=campaign.domain_id,
        campaign=campaign,
        number=number,
        contact_id=rng.choice(contact_ids),
        subject=f"Demande {number}",
        priority=rng.choice(PRIORITIES),
        waiting_since=since,
        created_at=since,
        updated_at=since,
        last_inbound_at=since,
    )


def new_tickets(campaign: Any, contact_ids: list[int], count: int, rng: random.Random) -> int:
    """Insert `count` waiting tickets (numbers allocated like ingest does); how many."""
    from django.db import transaction
    from django.utils import timezone

    from comptoir.tickets.models import Ticket
    from comptoir.tickets.numbering import allocate_ticket_numbers

    now = timezone.now()
    with transaction.atomic():
        numbers = allocate_ticket_numbers(campaign.domain_id, count)
        rows = [waiting_ticket(campaign, number, contact_ids, now, rng) for number in numbers]
        Ticket.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def load(count: int) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from comptoir.tickets.models import Contact, Ticket
    from comptoir.tickets.numbering import allocate_ticket_numbers

    rng = random.Random(LOAD_SEED)
    campaign = demo_support()
    started = time.perf_counter()
    now = timezone.now()
    contacts = max(1, count // 2)
    with transaction.atomic():
        Contact.objects.bulk_create(
            [
                Contact(domain_id=campaign.domain_id, email=f"client{i}@bench.example")
                for i in range(contacts)
            ],
            batch_size=5000,
        )
        contact_ids = list(
            Contact.objects.filter(email__endswith="@bench.example").values_list("id", flat=True)
        )
        numbers = allocate_ticket_numbers(campaign.domain_id, count)
        batch: list[Ticket] = []
        for number in numbers:
            waiting = now - timedelta(seconds=rng.randint(60, 30 * 86400))
            batch.append(waiting_ticket(campaign, number, contact_ids, waiting, rng))
            if len(batch) == 5000:
                Ticket.objects.bulk_create(batch)
                batch = []
        Ticket.objects.bulk_create(batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    queue = Ticket.objects.filter(
        campaign=campaign, status="open", assignee__isnull=True, flagged=False
    ).count()
    return {"tickets": count, "queue": queue, "seconds": time.perf_counter() - started}


def closing_answer(campaign: Any) -> tuple[str, dict[str, object]]:
    """The campaign's first final outcome and answers to its required questions."""
    from comptoir.scripts.frozen import script_for
    from comptoir.scripts.models import FieldType, OutcomeKind

    script = script_for(campaign)
    outcome = next(o for o in script.outcomes if o.kind == OutcomeKind.FINAL)
    answers: dict[str, object] = {}
    for question in script.questions:
        if question.required:
            samples: dict[str, str] = {
                FieldType.CHOICE: question.choices[0] if question.choices else "",
                FieldType.YES_NO: "yes",
                FieldType.NUMBER: "1",
            }
            answers[question.name] = samples.get(question.field_type, "bench")
    return outcome.code, answers


class Agent(threading.Thread):
    """One agent at the console: next ticket, qualify, (pause), again; its own connection."""

    def __init__(self, login: str, args: argparse.Namespace, go: threading.Event) -> None:
        super().__init__(name=login, daemon=True)
        self.login, self.args, self.go = login, args, go
        self.ready = threading.Event()
        self.claims: list[float] = []  # seconds, claim_next_ticket alone
        self.qualifies: list[float] = []
        self.served: list[int] = []  # ticket ids, in order
        self.empty = 0  # "no ticket is waiting" answers
        self.errors: list[str] = []
        self.start_at = self.end_at = 0.0
        self.failed = ""

    def run(self) -> None:
        from django.db import connection

        try:
            self.work()
        except Exception as exc:  # reported, never silent
            self.failed = f"{type(exc).__name__}: {exc}"
            self.ready.set()
        finally:
            connection.close()

    def work(self) -> None:
        from comptoir.distribution.actions import claim_next_ticket, qualify
        from comptoir.tenancy.models import User

        campaign = demo_support()
        agent = User.objects.get(domain_id=campaign.domain_id, login=self.login)
        code, answers = closing_answer(campaign)
        rng = random.Random(self.login)
        think = self.args.think_ms / 1000
        self.ready.set()
        self.go.wait()
        self.start_at = time.time()
        deadline = time.perf_counter() + self.args.duration
        if think:  # agents arrive at their consoles one by one, not all in the same instant
            time.sleep(rng.uniform(0, 2 * think))
        while time.perf_counter() < deadline:
            clock = time.perf_counter()
            try:
                served = claim_next_ticket(agent, campaign)
            except Exception as exc:
                self.errors.append(f"claim: {type(exc).__name__}: {exc}"[:300])
                continue
            self.claims.append(time.perf_counter() - clock)
            if served.processing is None:
                self.empty += 1
                time.sleep(0.01)
                continue
            assert served.ticket is not None
            self.served.append(served.ticket.pk)
            clock = time.perf_counter()
            try:
                qualify(served.processing, outcome=code, answers=answers)
            except Exception as exc:
                self.errors.append(f"qualify: {type(exc).__name__}: {exc}"[:300])
            self.qualifies.append(time.perf_counter() - clock)
            if think:
                time.sleep(rng.uniform(0, 2 * think))
        self.end_at = time.time()

    def result(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "claims": [round(s * 1000, 3) for s in self.claims],
            "qualifies": [round(s * 1000, 3) for s in self.qualifies],
            "served": self.served,
            "empty": self.empty,
            "errors": self.errors[:5],
            "error_count": len(self.errors),
            "failed": self.failed,
            "start": self.start_at,
            "end": self.end_at,
        }


def agents(args: argparse.Namespace) -> dict[str, Any]:
    go = threading.Event()
    threads = [Agent(login, args, go) for login in args.logins.split(",")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.ready.wait()
    cpu = time.process_time()
    wait_for_go()
    go.set()
    for thread in threads:
        thread.join()
    return {
        "agents": [t.result() for t in threads],
        "cpu_seconds": time.process_time() - cpu,
    }


def feed(args: argparse.Namespace) -> dict[str, Any]:
    """Top the queue up as tickets are served, so that its size holds during the run."""
    from django.db.models import Max

    from comptoir.distribution.models import Processing
    from comptoir.tickets.models import Contact

    campaign = demo_support()
    rng = random.Random(LOAD_SEED + 1)
    contact_ids = list(
        Contact.objects.filter(domain_id=campaign.domain_id).values_list("id", flat=True)[:2000]
    )

    def served() -> int:
        return int(Processing.objects.aggregate(top=Max("id"))["top"] or 0)

    baseline = served()
    wait_for_go()
    inserted, rounds = 0, 0
    deadline = time.perf_counter() + args.duration
    while time.perf_counter() < deadline:
        time.sleep(0.05)
        missing = served() - baseline - inserted
        if missing > 0:
            inserted += new_tickets(campaign, contact_ids, missing, rng)
            rounds += 1
    return {"inserted": inserted, "rounds": rounds}


def explain() -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from comptoir.distribution.claim import QUEUE, lock_until
    from comptoir.lib.claims import db_time
    from comptoir.tenancy.models import User

    campaign = demo_support()
    agent = User.objects.get(domain_id=campaign.domain_id, login="agent1")
    now = timezone.now()
    stamp = db_time(now)
    params = [agent.pk, db_time(lock_until(now)), campaign.domain_id, campaign.pk, False]
    params += [campaign.max_attempts, stamp, stamp, stamp]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + QUEUE.sql(1), params)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return {"plan": plan}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.play_worker")
    parser.add_argument("mode", choices=["load", "agents", "feed", "explain"])
    parser.add_argument("what", nargs="?", default="", help="load: N; agents: LOGINS")
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--think-ms", type=float, default=0.0)
    parser.add_argument("--domain", default=PLAYED["domain"], help="the played campaign's domain")
    parser.add_argument("--campaign", default=PLAYED["campaign"], help="the played campaign")
    args = parser.parse_args()
    PLAYED.update(domain=args.domain, campaign=args.campaign)
    setup_django()
    if args.mode == "load":
        result = load(int(args.what))
    elif args.mode == "agents":
        args.logins = args.what
        result = agents(args)
    elif args.mode == "feed":
        result = feed(args)
    else:
        result = explain()
    print(RESULT + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
