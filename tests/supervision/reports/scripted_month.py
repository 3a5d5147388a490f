"""March 2025 at Acme, played through the real actions at known times (Paris time).

Support opens Monday to Friday 09:00-12:00 and 14:00-18:00 (7 hours a day); the domain is
closed on Wednesday 5 March (a domain holiday) and support alone on Monday 10 March (its
own holiday). Orders has no opening hours (open all the time, but the domain's holiday) and
acknowledges new tickets. Alice and Bob are agents of both, Sam supervises every campaign,
Tina supervises support only (a seat in its supervision team), Maud manages campaigns.

Support's script, version 1: resolu "Résolu" (final), rappel "À rappeler" (reopen later),
attente "Attente client" (waiting for the customer), nonfini "Non terminé" (not finished).
On Thursday 6 at 12:00 Maud renames resolu "Problème résolu": version 2.

    Mon 3   10:00 T1 received (support)       10:20 alice claims T1 (P1)
            10:30 alice replies T1            10:40 P1 resolu (v1): T1 closed
            19:00 T2 received (support)
    Tue 4   08:00 T1's customer writes: reopened after a final outcome
            09:00 alice claims T2 (P2)        09:05 bob claims T1 (P3)
            09:10 alice replies T2            09:15 bob replies T1
            09:20 P3 resolu (v1): T1 closed   09:30 P2 attente (v1): T2 waits
            22:00 T5 received (orders), acknowledged
    Wed 5   10:00 T3 received (support)       (holiday: nobody plays)
    Thu 6   01:00 alice replies T5            09:00 alice claims T3 (P4)
            09:30 alice replies T3            09:45 P4 rappel (v1), reopen Mon 10 09:00
            10:00 T2's customer writes (reopened from waiting)
            10:05 bob claims T2 (P5)          10:15 bob pauses, nothing done (P5 released)
            10:20 bob claims T2 (P6)          10:50 P6 nonfini (v1): blocked 60 min
            12:00 resolu renamed: version 2
    Fri 7   09:00 alice claims T2 (P7)        09:20 P7 resolu (v2): T2 closed
            17:00 T4 received (support)
    Mon 10  11:00 alice replies T4            (support's holiday)
            11:00 bob claims T5 in orders (P8)   11:30 P8 done: T5 closed
    Tue 11  09:00 alice claims T3, due (P9)   09:10 P9 resolu (v2): T3 closed
            09:15 alice claims T4 (P10)       09:25 P10 rappel (v2), reopen Tue 18 09:00
"""

from dataclasses import dataclass
from datetime import date, time

from comptoir.distribution.actions import qualify, release
from comptoir.distribution.models import Processing
from comptoir.scripts.actions import assign_script, create_script, save_outcome
from comptoir.scripts.models import OutcomeKind, QualificationOutcome
from comptoir.tenancy.models import Role, Team, User
from comptoir.tickets.models import Ticket
from comptoir.tickets.outbound import reply
from tests.conftest import Acme
from tests.supervision.reports.conftest import (
    Clock,
    agent_of,
    claims,
    holiday,
    make_user,
    paris,
    weekday_hours,
    writes,
    writes_again,
)


@dataclass
class World:
    acme: Acme
    alice: User
    bob: User
    tina: User
    maud: User
    tickets: dict[str, Ticket]
    processings: dict[str, Processing]


def people(acme: Acme) -> tuple[User, User, User]:
    bob = agent_of(acme, "bob")
    tina = make_user(acme, "tina")
    watchers = Team.objects.create(domain=acme.domain, name="Veille support")
    watchers.members.add(tina)
    acme.support.supervision_teams.add(watchers)
    maud = make_user(acme, "maud", Role.ADMIN, can_manage_campaigns=True, can_supervise=True)
    return bob, tina, maud


def support_script(acme: Acme, maud: User) -> QualificationOutcome:
    script = create_script(acme.domain.pk, "Support", by=maud)
    outcomes = [
        ("resolu", "Résolu", OutcomeKind.FINAL),
        ("rappel", "À rappeler", OutcomeKind.REOPEN_LATER),
        ("attente", "Attente client", OutcomeKind.WAITING_CUSTOMER),
        ("nonfini", "Non terminé", OutcomeKind.NOT_FINISHED),
    ]
    resolved = None
    for code, label, kind in outcomes:
        row = save_outcome(script, None, code=code, label=label, kind=kind, by=maud)
        resolved = resolved or row
    assign_script(acme.support, script, by=maud)
    assert resolved is not None
    return resolved


def calendars(acme: Acme) -> None:
    weekday_hours(acme.support, [(time(9), time(12)), (time(14), time(18))], range(5))
    holiday(acme, date(2025, 3, 5))
    holiday(acme, date(2025, 3, 10), acme.support)
    acme.orders.auto_reply_enabled = True
    acme.orders.save()


def scripted_month(acme: Acme, clock: Clock) -> World:
    bob, tina, maud = people(acme)
    alice = acme.agent
    calendars(acme)
    resolved = support_script(acme, maud)
    t, p = {}, {}
    t["T1"] = writes(clock, paris(3, 10), "anne@client.test")
    p["P1"] = claims(clock, paris(3, 10, 20), alice, acme.support)
    answer(clock, paris(3, 10, 30), t["T1"], alice)
    qualify(p["P1"], outcome="resolu", answers={}, now=clock.at(paris(3, 10, 40)))
    t["T2"] = writes(clock, paris(3, 19), "bruno@client.test")
    tuesday(acme, clock, t, p, bob)
    t["T3"] = writes(clock, paris(5, 10), "denise@client.test")
    thursday(acme, clock, t, p, bob)
    clock.at(paris(6, 12))
    save_outcome(
        resolved.version.script,
        resolved,
        code="resolu",
        label="Problème résolu",
        kind=OutcomeKind.FINAL,
        by=maud,
    )
    p["P7"] = claims(clock, paris(7, 9), alice, acme.support)
    qualify(p["P7"], outcome="resolu", answers={}, now=clock.at(paris(7, 9, 20)))
    t["T4"] = writes(clock, paris(7, 17), "emile@client.test")
    answer(clock, paris(10, 11), t["T4"], alice)
    p["P8"] = claims(clock, paris(10, 11), bob, acme.orders)
    qualify(p["P8"], outcome="done", answers={}, now=clock.at(paris(10, 11, 30)))
    p["P9"] = claims(clock, paris(11, 9), alice, acme.support)
    qualify(p["P9"], outcome="resolu", answers={}, now=clock.at(paris(11, 9, 10)))
    p["P10"] = claims(clock, paris(11, 9, 15), alice, acme.support)
    later = paris(18, 9)
    qualify(p["P10"], outcome="rappel", answers={}, reopen_at=later, now=clock.at(paris(11, 9, 25)))
    return World(acme, alice, bob, tina, maud, t, p)


def answer(clock: Clock, when: object, ticket: Ticket, agent: User) -> None:
    clock.at(when)  # type: ignore[arg-type]
    reply(Ticket.objects.get(pk=ticket.pk), author=agent, text="Bonjour, c'est noté.")


def tuesday(acme: Acme, clock: Clock, t: dict, p: dict, bob: User) -> None:  # type: ignore[type-arg]
    alice = acme.agent
    writes_again(clock, paris(4, 8), t["T1"])
    p["P2"] = claims(clock, paris(4, 9), alice, acme.support)
    assert p["P2"].ticket_id == t["T2"].pk
    p["P3"] = claims(clock, paris(4, 9, 5), bob, acme.support)
    assert p["P3"].ticket_id == t["T1"].pk
    answer(clock, paris(4, 9, 10), t["T2"], alice)
    answer(clock, paris(4, 9, 15), t["T1"], bob)
    qualify(p["P3"], outcome="resolu", answers={}, now=clock.at(paris(4, 9, 20)))
    qualify(p["P2"], outcome="attente", answers={}, now=clock.at(paris(4, 9, 30)))
    t["T5"] = writes(clock, paris(4, 22), "chloe@client.test", to="orders@acme.test")


def thursday(acme: Acme, clock: Clock, t: dict, p: dict, bob: User) -> None:  # type: ignore[type-arg]
    alice = acme.agent
    answer(clock, paris(6, 1), t["T5"], alice)
    p["P4"] = claims(clock, paris(6, 9), alice, acme.support)
    assert p["P4"].ticket_id == t["T3"].pk
    answer(clock, paris(6, 9, 30), t["T3"], alice)
    back = paris(10, 9)
    qualify(p["P4"], outcome="rappel", answers={}, reopen_at=back, now=clock.at(paris(6, 9, 45)))
    writes_again(clock, paris(6, 10), t["T2"])
    p["P5"] = claims(clock, paris(6, 10, 5), bob, acme.support)
    release(p["P5"], now=clock.at(paris(6, 10, 15)))
    p["P6"] = claims(clock, paris(6, 10, 20), bob, acme.support)
    assert p["P5"].ticket_id == p["P6"].ticket_id == t["T2"].pk
    qualify(p["P6"], outcome="nonfini", answers={}, now=clock.at(paris(6, 10, 50)))
