"""A report (supervision.reports.report) as tables: what the Reports page shows, what its
charts are drawn from, and what its CSV and XLSX downloads hold (supervision.tabular).

Each `Figure` is typed columns and rows of values; durations in minutes to a tenth,
shares and rates in percent to a tenth, so the page, the chart and the file show one
number. A figure's chart names the columns it draws; `chart_data` builds the chart from the
rows (the table is the data, the chart a picture of it).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from comptoir.scripts.models import OutcomeKind
from comptoir.supervision.reports.query import Step
from comptoir.supervision.reports.report import Report
from comptoir.supervision.reports.stats import Summary
from comptoir.supervision.tabular import Column, Kind, Table

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Chart:
    kind: str  # Chart.js type: line, bar
    series: tuple[str, ...]  # the columns drawn, by key; the first column labels the points


@dataclass
class Figure:
    key: str  # stable: the download's name and the page's anchor
    title: str
    columns: list[Column]
    rows: list[tuple[Any, ...]]
    chart: Chart | None = None
    note: str = ""
    # The columns whose values, joined, label a row in the chart (the first by default).
    label_columns: tuple[int, ...] = (0,)

    def table(self, zone: ZoneInfo, *, keys_header: bool = False) -> Table:
        return Table(self.columns, self.rows, zone, keys_header=keys_header)


def minutes(seconds: float | None) -> Decimal | None:
    if seconds is None:
        return None
    return (Decimal(str(seconds)) / 60).quantize(TENTH)


def percent(ratio: float | None) -> Decimal | None:
    if ratio is None:
        return None
    return (Decimal(str(ratio)) * 100).quantize(TENTH)


def start_value(moment: datetime, report: Report) -> date | datetime:
    """A bucket's start: its day, or its local time for hours."""
    local = moment.astimezone(report.query.zone)
    return local.date() if report.query.step == Step.DAY else local


def start_column(report: Report) -> Column:
    if report.query.step == Step.DAY:
        return Column("day", _("Day"), Kind.DATE, 12)
    return Column("hour", _("Hour"), Kind.DATETIME, 18)


def count(key: str, label: str) -> Column:
    return Column(key, label, Kind.INTEGER)


def decimal(key: str, label: str) -> Column:
    return Column(key, label, Kind.DECIMAL)


def volumes(report: Report) -> Figure:
    rows = [
        (start_value(r.start, report), r.tickets, r.automatic, m.inbound, m.inbound_automatic,
         m.replies, m.acknowledgements, c.count)
        for r, m, c in zip(report.received, report.messages, report.closed, strict=True)
    ]  # fmt: skip
    columns = [
        start_column(report),
        count("received", _("Tickets received")),
        count("received_automatic", _("of which automatic")),
        count("inbound", _("Messages received")),
        count("inbound_automatic", _("Automatic messages received")),
        count("replies", _("Replies sent")),
        count("acknowledgements", _("Acknowledgements sent")),
        count("closed", _("Tickets closed")),
    ]
    chart = Chart("line", ("received", "inbound", "replies", "closed"))
    return Figure("volumes", _("Volumes"), columns, rows, chart)


def duration_row(label: str, summary: Summary) -> tuple[Any, ...]:
    return (label, summary.count, minutes(summary.average), minutes(summary.median))


def durations(report: Report) -> Figure:
    first, resolution = report.first_response, report.resolution
    rows = [
        duration_row(_("First response, in opening hours"), first.business),
        duration_row(_("First response, on the clock"), first.elapsed),
        duration_row(_("Resolution, in opening hours"), resolution.business),
        duration_row(_("Resolution, on the clock"), resolution.elapsed),
        duration_row(_("Handling time per processing"), report.handling.overall),
    ]
    columns = [
        Column("measure", _("Measure"), Kind.TEXT, 36),
        count("count", _("Count")),
        decimal("average_minutes", _("Average (min)")),
        decimal("median_minutes", _("Median (min)")),
    ]
    return Figure("durations", _("Response, resolution and handling times"), columns, rows)


def times(report: Report) -> Figure:
    rows = [
        (start_value(f.start, report), minutes(f.business.average),
         minutes(r.business.average), minutes(h.summary.average), h.summary.count)
        for f, r, h in zip(
            report.first_response.buckets, report.resolution.buckets, report.handling.buckets,
            strict=True,
        )
    ]  # fmt: skip
    columns = [
        start_column(report),
        decimal("first_response_minutes", _("First response, average in opening hours (min)")),
        decimal("resolution_minutes", _("Resolution, average in opening hours (min)")),
        decimal("handling_minutes", _("Handling time, average (min)")),
        count("handled", _("Processings handled")),
    ]
    chart = Chart("line", ("handling_minutes", "first_response_minutes"))
    return Figure("times", _("Times over the period"), columns, rows, chart)


def agents(report: Report) -> Figure:
    """Processings, handling time and occupation per agent: the report's agents and anyone
    else who ended a processing in it."""
    names = {a.agent_id: a.name for a in report.agents}
    done = {p.agent.agent_id: p for p in report.processings}
    handled = {a.agent.agent_id: a.summary for a in report.handling.agents}
    busy = {o.agent_id: o for o in report.occupation}
    for row in report.processings:
        names.setdefault(row.agent.agent_id, row.agent.name)
    rows = []
    for agent_id, name in sorted(names.items(), key=lambda item: (item[1].lower(), item[0])):
        p, h, o = done.get(agent_id), handled.get(agent_id), busy.get(agent_id)
        counts = (p.processings, p.qualified, p.released, p.lapsed, p.attempts, p.closings) if p \
            else (0, 0, 0, 0, 0, 0)  # fmt: skip
        rows.append((
            name, *counts, minutes(h.average) if h else None,
            minutes(o.processing_seconds) if o else None,
            minutes(o.available_seconds) if o else None, percent(o.rate) if o else None,
        ))  # fmt: skip
    columns = [
        Column("agent", _("Agent"), Kind.TEXT, 24),
        count("processings", _("Processings")),
        count("qualified", _("Qualified")),
        count("released", _("Paused")),
        count("lapsed", _("Lapsed")),
        count("attempts", _("Attempts")),
        count("closings", _("Closings")),
        decimal("handling_minutes", _("Handling time, average (min)")),
        decimal("processing_minutes", _("In processing (min)")),
        decimal("available_minutes", _("Available (min)")),
        decimal("occupation_percent", _("Occupation (%)")),
    ]
    note = _("Occupation: time in processing over time in play (in processing or available).")
    return Figure("agents", _("Agents"), columns, rows, note=note)


def outcomes(report: Report) -> Figure:
    kinds = dict(OutcomeKind.choices)
    rows = [
        (o.script or _("Standard outcomes"), o.version, o.code, o.label,
         str(kinds.get(o.kind, o.kind)), o.count, percent(o.share))
        for o in report.outcomes
    ]  # fmt: skip
    columns = [
        Column("script", _("Script"), Kind.TEXT, 24),
        count("version", _("Version")),
        Column("code", _("Code"), Kind.TEXT),
        Column("outcome", _("Outcome"), Kind.TEXT, 28),
        Column("kind", _("Kind"), Kind.TEXT, 24),
        count("count", _("Qualifications")),
        decimal("share_percent", _("Share of the version (%)")),
    ]
    chart = Chart("bar", ("share_percent",))
    note = _("A code renamed between versions shows under each version's label.")
    title = _("Outcomes by script version")
    return Figure("outcomes", title, columns, rows, chart, note, label_columns=(0, 1, 3))


def attempts(report: Report) -> Figure:
    rows = [(a.attempts, a.tickets) for a in report.attempts]
    columns = [count("attempts", _("Attempts")), count("closings", _("Tickets closed"))]
    note = _("For each closing: the attempts the ticket took, the closing one included.")
    chart = Chart("bar", ("closings",))
    return Figure("attempts", _("Attempts before closing"), columns, rows, chart, note)


def reopenings(report: Report) -> Figure:
    rows = [
        (start_value(later.start, report), later.scheduled, later.due, again.count)
        for later, again in zip(report.reopen_later, report.reopened, strict=True)
    ]
    columns = [
        start_column(report),
        count("reopen_later", _("“Reopen later” qualifications")),
        count("reopen_later_due", _("“Reopen later” due")),
        count("reopened_after_final", _("Reopened after a final outcome")),
    ]
    return Figure("reopenings", _("Reopen later and reopened tickets"), columns, rows)


def backlog(report: Report) -> Figure:
    rows = [(point.day, point.open_tickets) for point in report.backlog]
    columns = [Column("day", _("Day"), Kind.DATE, 12), count("open", _("Tickets not closed"))]
    note = _("Tickets not closed at the end of each day (now, for today).")
    return Figure("backlog", _("Backlog"), columns, rows, Chart("line", ("open",)), note)


BUILDERS: list[Callable[[Report], Figure]] = [
    volumes, durations, times, agents, outcomes, attempts, reopenings, backlog,
]  # fmt: skip


def figures(report: Report) -> list[Figure]:
    return [build(report) for build in BUILDERS]


def chart_data(figure: Figure, labels: Sequence[str]) -> dict[str, Any] | None:
    """The chart's JSON: one point per row, labelled by `labels` (the first column as the
    page shows it), one series per charted column, its numbers as the table has them."""
    if figure.chart is None:
        return None
    keys = [column.key for column in figure.columns]
    datasets = []
    for key in figure.chart.series:
        index = keys.index(key)
        data = [None if row[index] is None else float(row[index]) for row in figure.rows]
        datasets.append({"label": str(figure.columns[index].label), "data": data})
    return {"type": figure.chart.kind, "labels": list(labels), "datasets": datasets}
