"""The worker's job `scheduled-reports`: after each day or week, the report of that period
mailed to each recipient of each schedule (supervision.schedules).

It is mailed the way Comptoir mails its own users (invitations, password resets): queued as
an AccountEmail (kind `report`, with an HTML part and the tables as one CSV attachment) and
sent by the `account-mail` job, with its retries and backoff; not the outbox, which holds
customers' replies on tickets, sent from a campaign's address.

Exactly once per period and recipient: a schedule is claimed by one statement with a lease
(lib.claims), and its emails are queued in the transaction that moves `last_period_sent` to
the period, on condition that this worker still holds the claim. Two workers: one claims,
the other skips. A worker that dies before that transaction leaves nothing queued; the lease
runs out and another worker composes the period once. After it, delivery is the account
mail's: a crash between the server's acceptance and the marking resends that one email once.
A worker down for several periods mails only the last one.
"""

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from email.utils import make_msgid, parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from comptoir.lib.claims import Claim, Lease, Round, db_time
from comptoir.supervision.models import Frequency, ScheduledReport
from comptoir.supervision.report_tables import Figure, figures
from comptoir.supervision.reports.query import ReportQuery, Step
from comptoir.supervision.reports.report import full_report, may_see_reports
from comptoir.supervision.schedules import last_period
from comptoir.supervision.tabular import Dialect, csv_text
from comptoir.tenancy.models import AccountEmail, AccountEmailKind, User
from comptoir.tickets.access import supervised_campaigns

SCHEDULE = Claim(
    table=ScheduledReport._meta.db_table,
    due=(
        "id = %s AND (last_period_sent IS NULL OR last_period_sent < %s) "
        "AND (claimed_until IS NULL OR claimed_until < %s)"
    ),
    order="id",
)


def cell_text(value: Any) -> str:
    """A value as the reader reads it, in their language (active when called)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return date_format(value, "SHORT_DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, Decimal):
        return number_format(value, 1, use_l10n=True)
    return str(value)


def csv_file(found: list[Figure], zone: ZoneInfo) -> str:
    """Every table in one CSV (the BOM first, for spreadsheets): each table after a line with
    its title, and a blank line between two."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, figure in enumerate(found):
        table = figure.table(zone)
        if index:
            writer.writerow([])
        writer.writerow([str(figure.title)])
        writer.writerow([csv_text(label, table.zone, Dialect.COMMA) for label in table.header()])
        for row in table.rows:
            writer.writerow([csv_text(value, table.zone, Dialect.COMMA) for value in row])
    return "\ufeff" + buffer.getvalue()


def period_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    first = start.astimezone(zone).date()
    last = end.astimezone(zone).date() - timedelta(days=1)
    if first == last:
        return date_format(first, "DATE_FORMAT")
    return _("from %(first)s to %(last)s") % {
        "first": date_format(first, "SHORT_DATE_FORMAT"),
        "last": date_format(last, "SHORT_DATE_FORMAT"),
    }


def recipient_campaigns(schedule: ScheduledReport, recipient: User) -> list[int]:
    """What this recipient may see of the schedule's campaigns (all theirs if none chosen)."""
    if not recipient.is_active or not recipient.email or not may_see_reports(recipient):
        return []
    allowed = set(supervised_campaigns(recipient).values_list("id", flat=True))
    chosen = set(schedule.campaigns.values_list("id", flat=True))
    return sorted(chosen & allowed if chosen else allowed)


def compose(
    schedule: ScheduledReport, recipient: User, start: datetime, end: datetime, *, now: datetime
) -> AccountEmail | None:
    """The recipient's email for the period, in their language; None when they may see none
    of its campaigns (any more)."""
    ids = recipient_campaigns(schedule, recipient)
    if not ids:
        return None
    domain = schedule.domain
    query = ReportQuery(domain, start, end, step=Step.DAY, campaign_ids=ids)
    with translation.override(recipient.language or domain.language):
        found = figures(full_report(recipient, query, now=now))
        attachment = csv_file(found, query.zone)
        tables = [
            {"figure": f, "rows": [[cell_text(v) for v in row] for row in f.rows]} for f in found
        ]
        context = {"schedule": schedule, "period": period_text(start, end, query.zone)}
        context |= {"tables": tables, "recipient": recipient, "domain": domain}
        kind = _("Daily report") if schedule.frequency == Frequency.DAILY else _("Weekly report")
        subject = f"{kind} — {schedule.name} — {context['period']}"
        body = render_to_string("supervision/report_email.txt", context)
        html = render_to_string("supervision/report_email.html", context)
    first = start.astimezone(query.zone).date().isoformat()
    sender = settings.DEFAULT_FROM_EMAIL
    return AccountEmail(
        domain_id=domain.pk, user=recipient, kind=AccountEmailKind.REPORT,
        to_email=recipient.email, from_email=sender, subject=" ".join(subject.split())[:300],
        body=body, html_body=html, attachment_name=f"report-{first}.csv", attachment=attachment,
        message_id=make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None),
        created_at=now, next_attempt_at=now,
    )  # fmt: skip


def mail_period(
    schedule: ScheduledReport, worker: str, start: datetime, end: datetime, *, now: datetime
) -> int:
    """Queue the period's emails and mark it sent, in one transaction, if this worker still
    holds the schedule; the number of emails queued."""
    recipients = schedule.recipients.filter(domain_id=schedule.domain_id).order_by("pk")
    emails = [e for r in recipients if (e := compose(schedule, r, start, end, now=now))]
    with transaction.atomic():
        held = ScheduledReport.objects.filter(pk=schedule.pk, claimed_by=worker)
        if held.update(last_period_sent=start, claimed_by="", claimed_until=None) != 1:
            return 0  # the lease ran out and another worker took the period over
        AccountEmail.objects.bulk_create(emails)
    return len(emails)


def send_due_reports(worker: str, *, once: bool = False, now: datetime | None = None) -> int:
    """Mail every period that ended and was not mailed yet; the number of emails queued."""
    moment = now or timezone.now()
    turn, queued = Round(once=once), 0
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=moment)
    for schedule in ScheduledReport.objects.filter(free).select_related("domain").order_by("pk"):
        if turn.over():
            break
        start, end = last_period(schedule.domain, schedule.frequency, now=moment)
        if schedule.last_period_sent is not None and schedule.last_period_sent >= start:
            continue
        lease = Lease.start(worker, settings.COMPTOIR_OUTBOX_LEASE, moment)
        if SCHEDULE.take(lease, [schedule.pk, db_time(start), db_time(lease.now)], 1):
            queued += mail_period(schedule, worker, start, end, now=moment)
    return queued
