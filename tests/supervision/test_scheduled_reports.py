"""Scheduled reports: the actions' checks, the worker's job (once per period and recipient,
not before the period ends, each recipient's own campaigns), and the email itself, sent
through a real SMTP server by the account-mail job."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from comptoir.lib.claims import Lease, db_time
from comptoir.mail.account_mail import send_due
from comptoir.supervision.models import Frequency, ScheduledReport
from comptoir.supervision.periods import days_bounds
from comptoir.supervision.report_mail import SCHEDULE, csv_file, send_due_reports
from comptoir.supervision.report_tables import figures
from comptoir.supervision.reports.query import ReportQuery, Step
from comptoir.supervision.reports.report import full_report
from comptoir.supervision.schedules import create_schedule, delete_schedule, last_period
from comptoir.tenancy.models import AccountEmail, AccountEmailKind
from tests.concurrency import run_together
from tests.mail.test_account_mail import OUR_MAILER
from tests.smtp_sink import SmtpSink
from tests.supervision.conftest import World, make_world
from tests.supervision.reports.conftest import Clock, clock, paris, writes

__all__ = ["clock"]

PARIS = ZoneInfo("Europe/Paris")


def with_addresses(world: World) -> World:
    for user in (world.sam, world.sue, world.acme.agent):
        user.email = f"{user.login}@acme.test"
        user.save()
    return world


@pytest.fixture
def people(db: None) -> World:
    return with_addresses(make_world())


def daily(world: World, *, now: datetime, campaigns: tuple[int, ...] = ()) -> ScheduledReport:
    return create_schedule(
        world.sam, name="Chaque jour", frequency=Frequency.DAILY, campaign_ids=campaigns,
        recipient_ids=[world.sam.pk, world.sue.pk], now=now,
    )  # fmt: skip


def received(email: AccountEmail) -> int:
    """The tickets received of a one-day report, from its CSV (Volumes, first data row)."""
    lines = email.attachment.lstrip("\ufeff").split("\r\n")
    return int(lines[2].split(",")[1])


def test_a_day_is_mailed_once_after_it_ends_with_each_recipients_numbers(
    people: World, clock: Clock
) -> None:
    acme = people.acme
    schedule = daily(people, now=paris(3, 9))  # Monday 3 March 2025
    writes(clock, paris(3, 10), "Claire <claire@client.test>")
    writes(clock, paris(3, 11), "Paul <paul@client.test>")
    writes(clock, paris(3, 12), "Léa <lea@client.test>", to="orders@acme.test")
    assert send_due_reports("w", once=True, now=paris(3, 23, 59)) == 0  # not over yet
    after = clock.at(paris(4, 0, 5))
    assert send_due_reports("w", once=True, now=after) == 2
    assert send_due_reports("w", once=True, now=paris(4, 18)) == 0  # once per period
    emails = {e.user_id: e for e in AccountEmail.objects.filter(kind=AccountEmailKind.REPORT)}
    # sam supervises every campaign, sue only support: each gets their own numbers.
    assert received(emails[people.sam.pk]) == 3
    assert received(emails[people.sue.pk]) == 2
    start, end = days_bounds(paris(3, 0).date(), paris(3, 0).date(), PARIS)
    query = ReportQuery(acme.domain, start, end, step=Step.DAY, campaign_ids=[acme.support.pk])
    with translation.override("fr"):
        expected = csv_file(figures(full_report(people.sue, query, now=after)), PARIS)
    assert emails[people.sue.pk].attachment == expected  # the report functions' numbers
    schedule.refresh_from_db()
    assert schedule.last_period_sent == start
    assert send_due_reports("w", once=True, now=paris(5, 0, 1)) == 2  # the next day


def test_the_french_email(people: World, clock: Clock, settings) -> None:  # type: ignore[no-untyped-def]
    daily(people, now=paris(3, 9), campaigns=(people.acme.support.pk,))
    writes(clock, paris(3, 10), "Claire <claire@client.test>")
    send_due_reports("w", once=True, now=clock.at(paris(4, 6)))
    email = AccountEmail.objects.get(user=people.sue)
    assert email.subject == "Rapport quotidien — Chaque jour — 3 mars 2025"
    assert email.body.startswith("Rapport « Chaque jour », 3 mars 2025.\n")
    assert "Les tableaux sont joints dans un fichier CSV." in email.body
    assert "== Volumes ==" in email.body and "Tickets reçus" in email.body
    assert "<th>Tickets reçus</th>" in email.html_body
    assert email.attachment.startswith("\ufeffVolumes\r\nJour,Tickets reçus,")
    server = SmtpSink().start()
    try:
        settings.MAILERS = OUR_MAILER
        settings.COMPTOIR_SMTP_URL = server.url + "?timeout=5"
        assert send_due("w", once=True, now=paris(4, 6, 1)).sent == 2
        mailed = {r.recipients[0]: r.parsed() for r in server.received}
    finally:
        server.stop()
    message = mailed["sue@acme.test"]
    assert message.get_body(("html",)) is not None
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_filename() == "report-2025-03-03.csv"
    assert attachment.get_content().startswith("\ufeffVolumes")


def test_a_week_is_mailed_after_sunday_in_the_domains_time_zone(people: World) -> None:
    create_schedule(
        people.sam, name="Semaine", frequency=Frequency.WEEKLY, recipient_ids=[people.sam.pk],
        now=paris(5, 9),
    )  # fmt: skip
    assert send_due_reports("w", once=True, now=paris(9, 23, 59)) == 0  # Sunday night
    assert send_due_reports("w", once=True, now=paris(10, 0, 1)) == 1  # Monday, Paris
    email = AccountEmail.objects.get()
    assert "du 03/03/2025 au 09/03/2025" in email.subject
    start, _end = last_period(people.acme.domain, Frequency.WEEKLY, now=paris(10, 0, 1))
    assert start == paris(3, 0)


def test_a_recipient_who_lost_the_right_gets_nothing(people: World) -> None:
    daily(people, now=paris(3, 9), campaigns=(people.acme.support.pk,))
    # Sue's team no longer supervises support; sam's (make_acme's "Supervision") still does.
    people.acme.support.supervision_teams.remove(*people.sue.teams.all())
    assert people.acme.support.supervision_teams.filter(members=people.sam).exists()
    assert send_due_reports("w", once=True, now=paris(4, 6)) == 1
    assert AccountEmail.objects.get().user == people.sam


def test_the_action_refuses_bad_input(people: World) -> None:
    acme, now = people.acme, paris(3, 9)
    cases = [
        ({"name": " ", "recipient_ids": [people.sam.pk]}, "name"),
        ({"frequency": "monthly", "recipient_ids": [people.sam.pk]}, "frequency"),
        ({"recipient_ids": []}, "recipients"),
        ({"recipient_ids": [acme.agent.pk]}, "recipients"),  # an agent sees no report
        ({"recipient_ids": [10**30]}, "recipients"),
    ]
    for fields, field in cases:
        arguments = {"name": "R", "frequency": Frequency.DAILY} | fields
        with pytest.raises(ValidationError) as refused:
            create_schedule(people.sam, now=now, **arguments)  # type: ignore[arg-type]
        assert field in refused.value.message_dict
    # sue supervises support only: not orders, and sam's reports of orders are not hers.
    with pytest.raises(ValidationError) as refused:
        create_schedule(
            people.sue, name="R", frequency=Frequency.DAILY, campaign_ids=[acme.orders.pk],
            recipient_ids=[people.sue.pk], now=now,
        )  # fmt: skip
    assert "campaigns" in refused.value.message_dict
    with pytest.raises(ValidationError):
        create_schedule(
            people.sam, name="R", frequency=Frequency.DAILY, campaign_ids=[acme.orders.pk],
            recipient_ids=[people.sue.pk], now=now,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        create_schedule(
            acme.agent, name="R", frequency=Frequency.DAILY, recipient_ids=[acme.agent.pk], now=now
        )
    schedule = daily(people, now=now)
    with pytest.raises(ScheduledReport.DoesNotExist):
        delete_schedule(people.sue, schedule)  # not hers
    delete_schedule(people.sam, schedule)
    assert not ScheduledReport.objects.exists()


def test_a_worker_that_died_before_marking_leaves_the_period_to_one_other(
    people: World,
) -> None:
    schedule = daily(people, now=paris(3, 9))
    start, _end = last_period(people.acme.domain, Frequency.DAILY, now=paris(4, 6))
    lease = Lease.start("dead", 60, paris(4, 6))
    assert SCHEDULE.take(lease, [schedule.pk, db_time(start), db_time(lease.now)], 1)
    assert send_due_reports("w", once=True, now=paris(4, 6, 0)) == 0  # still held
    assert send_due_reports("w", once=True, now=paris(4, 6, 2)) == 2  # the lease ran out
    assert send_due_reports("w2", once=True, now=paris(4, 6, 5)) == 0
    assert AccountEmail.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_mail_each_recipient_once() -> None:
    world = with_addresses(make_world())
    daily(world, now=paris(3, 9))
    results = run_together(lambda w: send_due_reports(w, once=True, now=paris(4, 6)), workers=4)
    assert sorted(results) == [0, 0, 0, 2]
    assert AccountEmail.objects.filter(kind=AccountEmailKind.REPORT).count() == 2
    assert datetime(2025, 3, 2, 23, tzinfo=UTC) == ScheduledReport.objects.get().last_period_sent
