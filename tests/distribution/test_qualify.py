"""Ending a processing: qualify through the campaign's script, or pause (release)."""

from datetime import datetime, timedelta

import pytest

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import PlayError, qualify, release
from comptoir.distribution.models import EndReason, Processing
from comptoir.scripts.answers import QualificationError
from comptoir.scripts.models import FieldType, OutcomeKind, QualificationField, QualificationOutcome
from comptoir.tenancy.models import User
from comptoir.tickets.models import Ticket, TicketStatus
from comptoir.tickets.outbound import add_note, reply
from tests.conftest import Acme, script_version
from tests.distribution.conftest import (
    customer_writes,
    customer_writes_again,
    event_kinds,
    fresh,
    lock_seconds,
    play,
    served,
)


def start(acme: Acme, now: datetime, agent: User | None = None) -> Processing:
    """The agent presses play and is served the one waiting ticket."""
    processing = play(agent or acme.agent, acme.support, now).processing
    assert processing is not None
    return processing


def blocking(campaign: Campaign, minutes: int) -> None:
    campaign.blocking_minutes = minutes
    campaign.save()


# --- Outcome kinds ----------------------------------------------------------------------------


def test_a_final_outcome_closes_the_ticket_without_counting_an_attempt(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    processing = qualify(start(acme, clock), outcome="done", answers={}, now=clock)
    ticket = fresh(ticket)
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closing_qualification == {"outcome": "done", "answers": {}}
    assert (ticket.attempts, ticket.locked_by, ticket.blocked_until) == (0, None, None)
    processing.refresh_from_db()
    assert (processing.end_reason, processing.outcome_kind) == (
        EndReason.QUALIFIED,
        OutcomeKind.FINAL,
    )
    assert (processing.ended_at, processing.counted_attempt) == (clock, False)
    assert event_kinds(ticket)[-2:] == ["processing_started", "processing_qualified"]
    assert served(acme.agent, acme.support, clock + timedelta(days=1)) is None


def test_reopen_later_needs_a_date(acme: Acme, clock: datetime) -> None:
    customer_writes(acme)
    processing = start(acme, clock)
    with pytest.raises(QualificationError) as refused:
        qualify(processing, outcome="reopen-later", answers={}, reopen_at=None, now=clock)
    assert set(refused.value.errors) == {"reopen_at"}


@pytest.mark.parametrize("when", [timedelta(0), -timedelta(hours=1)])
def test_reopen_later_needs_a_date_in_the_future(
    acme: Acme, clock: datetime, when: timedelta
) -> None:
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    with pytest.raises(QualificationError) as refused:
        qualify(processing, outcome="reopen-later", answers={}, reopen_at=clock + when, now=clock)
    assert set(refused.value.errors) == {"reopen_at"}
    assert fresh(ticket).locked_by == acme.agent  # nothing changed: still processing
    assert Processing.objects.get(pk=processing.pk).is_live


def test_reopen_later_assigns_the_ticket_and_brings_it_back_to_the_agent_at_that_date(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    monday = clock + timedelta(days=3)
    processing = qualify(
        start(acme, clock), outcome="reopen-later", answers={}, reopen_at=monday, now=clock
    )
    ticket = fresh(ticket)
    assert (ticket.assignee, ticket.reopen_at, ticket.blocked_until) == (acme.agent, monday, None)
    assert (ticket.status, ticket.attempts) == (TicketStatus.OPEN, 1)
    assert processing.counted_attempt and processing.reopen_at == monday
    before = monday - timedelta(minutes=1)
    assert served(acme.agent, acme.support, before) is None
    assert served(bob, acme.support, monday) is None
    assert served(acme.agent, acme.support, monday) == ticket


def test_the_reopen_date_comes_first_before_the_queue(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme, "À rappeler")
    qualify(
        start(acme, clock),
        outcome="reopen-later",
        answers={},
        reopen_at=clock + timedelta(hours=2),
        now=clock,
    )
    urgent = customer_writes(acme, "Urgent")
    Ticket.objects.filter(pk=urgent.pk).update(priority=10)
    assert served(acme.agent, acme.support, clock + timedelta(hours=2)) == ticket


def test_waiting_for_the_customer_leaves_the_queue_until_the_customer_writes(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    qualify(start(acme, clock), outcome="waiting-customer", answers={}, now=clock)
    ticket = fresh(ticket)
    assert (ticket.status, ticket.attempts) == (TicketStatus.WAITING, 1)
    assert served(bob, acme.support, clock + timedelta(days=30)) is None
    ticket = customer_writes_again(ticket, "Voici la pièce demandée.")
    assert ticket.status == TicketStatus.OPEN and ticket.has_unread
    assert ticket.blocked_until is None
    assert "ticket_reopened" in event_kinds(ticket)
    assert served(bob, acme.support, clock) == ticket


def test_not_finished_goes_back_to_the_queue_after_the_blocking_duration(
    acme: Acme, bob: User, clock: datetime
) -> None:
    blocking(acme.support, 45)
    ticket = customer_writes(acme)
    processing = qualify(start(acme, clock), outcome="not-finished", answers={}, now=clock)
    ticket = fresh(ticket)
    assert (ticket.attempts, ticket.blocked_until) == (1, clock + timedelta(minutes=45))
    assert (ticket.status, ticket.assignee, ticket.locked_by) == (TicketStatus.OPEN, None, None)
    assert processing.counted_attempt
    assert served(bob, acme.support, clock + timedelta(minutes=44)) is None
    assert served(bob, acme.support, clock + timedelta(minutes=45)) == ticket


def test_an_assigned_ticket_not_finished_comes_back_to_its_assignee_after_the_blocking(
    acme: Acme, bob: User, clock: datetime
) -> None:
    from comptoir.distribution.actions import assign_to_me

    blocking(acme.support, 30)
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    assign_to_me(ticket, acme.agent, now=clock)
    qualify(processing, outcome="not-finished", answers={}, now=clock)
    after = clock + timedelta(minutes=30)
    assert served(acme.agent, acme.support, after - timedelta(seconds=1)) is None
    assert served(bob, acme.support, after) is None
    assert served(acme.agent, acme.support, after) == ticket


def test_each_processing_that_does_not_close_counts_one_attempt(
    acme: Acme, clock: datetime
) -> None:
    blocking(acme.support, 10)
    ticket = customer_writes(acme)
    now = clock
    for kind in ["not-finished", "not-finished", "not-finished"]:
        qualify(start(acme, now), outcome=kind, answers={}, now=now)
        now += timedelta(minutes=10)
    assert fresh(ticket).attempts == 3


def test_at_the_maximum_attempts_the_ticket_is_flagged_and_leaves_the_queue(
    acme: Acme, clock: datetime
) -> None:
    acme.support.max_attempts = 2
    blocking(acme.support, 10)
    ticket = customer_writes(acme)
    qualify(start(acme, clock), outcome="not-finished", answers={}, now=clock)
    assert not fresh(ticket).flagged
    later = clock + timedelta(minutes=10)
    qualify(start(acme, later), outcome="not-finished", answers={}, now=later)
    ticket = fresh(ticket)
    assert (ticket.attempts, ticket.flagged) == (2, True)
    assert event_kinds(ticket)[-1] == "max_attempts_reached"
    assert served(acme.agent, acme.support, clock + timedelta(days=1)) is None


def test_qualifying_twice_is_refused(acme: Acme, clock: datetime) -> None:
    customer_writes(acme)
    processing = qualify(start(acme, clock), outcome="not-finished", answers={}, now=clock)
    with pytest.raises(PlayError):
        qualify(processing, outcome="done", answers={}, now=clock)


def test_an_unknown_outcome_is_refused(acme: Acme, clock: datetime) -> None:
    customer_writes(acme)
    with pytest.raises(QualificationError) as refused:
        qualify(start(acme, clock), outcome="solved-maybe", answers={}, now=clock)
    assert set(refused.value.errors) == {"outcome"}


# --- The campaign's own script ----------------------------------------------------------------


def own_outcomes(campaign: Campaign) -> None:
    for position, (code, label, kind) in enumerate(
        [
            ("sold", "Vendu", OutcomeKind.FINAL),
            ("call-back", "Rappeler", OutcomeKind.REOPEN_LATER),
        ]
    ):
        QualificationOutcome.objects.create(
            domain=campaign.domain,
            version=script_version(campaign),
            code=code,
            label=label,
            kind=kind,
            position=position,
        )


def test_a_campaign_s_own_outcomes_replace_the_standard_four(acme: Acme, clock: datetime) -> None:
    own_outcomes(acme.support)
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    with pytest.raises(QualificationError) as refused:
        qualify(processing, outcome="done", answers={}, now=clock)
    assert set(refused.value.errors) == {"outcome"}
    qualify(processing, outcome="sold", answers={}, now=clock)
    processing.refresh_from_db()
    assert (processing.outcome_code, processing.outcome_label) == ("sold", "Vendu")
    ticket = fresh(ticket)
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.closing_qualification == {"outcome": "sold", "answers": {}}


def test_a_campaign_s_own_reopen_outcome_also_needs_a_date(acme: Acme, clock: datetime) -> None:
    own_outcomes(acme.support)
    customer_writes(acme)
    with pytest.raises(QualificationError) as refused:
        qualify(start(acme, clock), outcome="call-back", answers={}, now=clock)
    assert set(refused.value.errors) == {"reopen_at"}


def questions(campaign: Campaign) -> None:
    rows = [
        ("reason", FieldType.CHOICE, ["panne", "facture", "autre"], True),
        ("satisfied", FieldType.YES_NO, [], True),
        ("amount", FieldType.NUMBER, [], False),
        ("comment", FieldType.TEXTAREA, [], False),
    ]
    for position, (name, field_type, choices, required) in enumerate(rows):
        QualificationField.objects.create(
            domain=campaign.domain,
            version=script_version(campaign),
            name=name,
            label=name.capitalize(),
            field_type=field_type,
            choices=choices,
            required=required,
            position=position,
        )


def test_required_questions_must_be_answered(acme: Acme, clock: datetime) -> None:
    questions(acme.support)
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    with pytest.raises(QualificationError) as refused:
        qualify(processing, outcome="done", answers={"comment": "rien"}, now=clock)
    assert set(refused.value.errors) == {"reason", "satisfied"}
    assert fresh(ticket).status == TicketStatus.OPEN


def test_each_wrong_answer_is_named_with_its_error(acme: Acme, clock: datetime) -> None:
    questions(acme.support)
    customer_writes(acme)
    answers: dict[str, object] = {"reason": "météo", "satisfied": "peut-être", "amount": "douze"}
    with pytest.raises(QualificationError) as refused:
        qualify(start(acme, clock), outcome="done", answers=answers, now=clock)
    errors = refused.value.errors
    assert set(errors) == {"reason", "satisfied", "amount"}
    assert all(errors.values())


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-inf"])
def test_a_number_answer_must_be_a_finite_number(acme: Acme, clock: datetime, amount: str) -> None:
    questions(acme.support)
    customer_writes(acme)
    answers: dict[str, object] = {"reason": "panne", "satisfied": "oui", "amount": amount}
    with pytest.raises(QualificationError) as refused:
        qualify(start(acme, clock), outcome="done", answers=answers, now=clock)
    assert set(refused.value.errors) == {"amount"}


def test_the_outcome_and_the_answers_are_checked_together(acme: Acme, clock: datetime) -> None:
    questions(acme.support)
    customer_writes(acme)
    with pytest.raises(QualificationError) as refused:
        qualify(start(acme, clock), outcome="nope", answers={}, now=clock)
    assert set(refused.value.errors) == {"outcome", "reason", "satisfied"}


def test_valid_answers_are_kept_cleaned_on_the_processing(acme: Acme, clock: datetime) -> None:
    questions(acme.support)
    ticket = customer_writes(acme)
    answers: dict[str, object] = {
        "reason": "facture",
        "satisfied": "Oui",
        "amount": " 12,50 ",
        "comment": "",
    }
    processing = qualify(start(acme, clock), outcome="done", answers=answers, now=clock)
    processing.refresh_from_db()
    cleaned = {"reason": "facture", "satisfied": True, "amount": "12.50"}
    assert processing.answers == cleaned
    assert fresh(ticket).closing_qualification == {"outcome": "done", "answers": cleaned}


# --- Pause (release) --------------------------------------------------------------------------


def test_a_pause_with_nothing_done_gives_the_ticket_back_unchanged(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    before = fresh(ticket)
    processing = release(start(acme, clock), now=clock)
    ticket = fresh(ticket)
    assert (processing.end_reason, processing.counted_attempt) == (EndReason.RELEASED, False)
    assert (ticket.attempts, ticket.blocked_until, ticket.reopen_at) == (0, None, None)
    assert (ticket.status, ticket.has_unread, ticket.locked_by) == (
        before.status,
        before.has_unread,
        None,
    )
    assert event_kinds(ticket)[-1] == "processing_released"
    assert served(bob, acme.support, clock) == ticket


def test_a_pause_keeps_an_unread_assigned_ticket_due_for_its_assignee(
    acme: Acme, clock: datetime
) -> None:
    from comptoir.distribution.actions import assign_to_me

    ticket = customer_writes(acme)
    first = start(acme, clock)
    assign_to_me(ticket, acme.agent, now=clock)
    release(first, now=clock)
    assert fresh(ticket).has_unread
    assert served(acme.agent, acme.support, clock) == ticket


def test_a_pause_after_a_reply_counts_as_not_finished(
    acme: Acme, bob: User, clock: datetime
) -> None:
    blocking(acme.support, 20)
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    reply(ticket, author=acme.agent, text="Bonjour, nous regardons cela.")
    release(processing, now=clock)
    processing.refresh_from_db()
    ticket = fresh(ticket)
    assert (processing.end_reason, processing.counted_attempt) == (EndReason.RELEASED, True)
    assert (ticket.attempts, ticket.blocked_until) == (1, clock + timedelta(minutes=20))
    assert served(bob, acme.support, clock) is None


def test_a_pause_after_a_note_counts_as_not_finished(acme: Acme, clock: datetime) -> None:
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    add_note(ticket, author=acme.agent, text="Client à rappeler, voir la facture.")
    release(processing, now=clock)
    assert fresh(ticket).attempts == 1 and fresh(ticket).blocked_until is not None


def test_a_pause_after_a_reply_at_the_maximum_attempts_flags_the_ticket(
    acme: Acme, clock: datetime
) -> None:
    acme.support.max_attempts = 1
    acme.support.save()
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    reply(ticket, author=acme.agent, text="Nous revenons vers vous.")
    release(processing, now=clock)
    ticket = fresh(ticket)
    assert (ticket.attempts, ticket.flagged) == (1, True)
    assert "max_attempts_reached" in event_kinds(ticket)


def test_a_message_written_before_the_processing_does_not_count(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    add_note(ticket, author=acme.agent, text="Vu hier.")
    later = clock + timedelta(minutes=1)  # the note is older than the processing
    release(start(acme, later), now=later)
    assert fresh(ticket).attempts == 0


# --- Losing the ticket ------------------------------------------------------------------------


def test_qualifying_after_the_lock_expired_and_another_agent_took_it_is_refused(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    alices = start(acme, clock)
    expired = clock + lock_seconds() + timedelta(seconds=1)
    bobs = start(acme, expired, agent=bob)
    with pytest.raises(PlayError):
        qualify(alices, outcome="done", answers={}, now=expired)
    with pytest.raises(PlayError):
        release(alices, now=expired)
    ticket = fresh(ticket)
    assert (ticket.status, ticket.locked_by) == (TicketStatus.OPEN, bob)
    assert Processing.objects.get(pk=bobs.pk).is_live


def test_qualifying_a_processing_lost_meanwhile_is_refused_even_once_the_ticket_is_free(
    acme: Acme, bob: User, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    alices = start(acme, clock)
    expired = clock + lock_seconds() + timedelta(seconds=1)
    release(start(acme, expired, agent=bob), now=expired)  # bob took it, then let it go
    with pytest.raises(PlayError):
        qualify(alices, outcome="done", answers={}, now=expired)
    assert fresh(ticket).status == TicketStatus.OPEN


def test_qualifying_late_is_accepted_when_nobody_took_the_ticket(
    acme: Acme, clock: datetime
) -> None:
    ticket = customer_writes(acme)
    processing = start(acme, clock)
    late = clock + lock_seconds() + timedelta(minutes=5)
    qualify(processing, outcome="done", answers={}, now=late)
    assert fresh(ticket).status == TicketStatus.CLOSED


@pytest.mark.parametrize(("typed", "kept"), [("2026-12-01", "2026-12-01"), ("1/12/2026", None)])
def test_a_date_answer_is_kept_as_an_iso_date_or_refused(
    acme: Acme, clock: datetime, typed: str, kept: str | None
) -> None:
    QualificationField.objects.create(
        domain=acme.domain,
        version=script_version(acme.support),
        name="callback",
        label="Rappel le",
        field_type=FieldType.DATE,
    )
    customer_writes(acme)
    processing = start(acme, clock)
    if kept is None:
        with pytest.raises(QualificationError) as refused:
            qualify(processing, outcome="done", answers={"callback": typed}, now=clock)
        assert set(refused.value.errors) == {"callback"}
        return
    assert qualify(processing, outcome="done", answers={"callback": typed}, now=clock).answers == {
        "callback": kept
    }
