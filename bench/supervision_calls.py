"""What `bench supervision` measures: the supervisors' functions, by name, and how to call them.

Measuring a new function is one line in CALLS (or nothing, for a report: every public
function of comptoir.supervision.reports.* whose first parameter is a ReportQuery is found and
called with a month of one campaign). A function that cannot be imported yet is reported as
"not available yet"; one that fails when called fails the benchmark.

Runs inside a Django process (bench.supervision_worker). Server time = the call's wall time in
that process: its SQL and its Python, no HTTP and no template.
"""

import importlib
import inspect
import pkgutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

EXPLAIN_MS = 20.0  # a query slower than this gets its EXPLAIN (ANALYZE, BUFFERS) printed


@dataclass
class Context:
    """The people, campaign and instants every call gets."""

    now: datetime  # the data set's anchor: its "today" is a full day
    supervisor: Any  # superviseur1: 4 of the 20 campaigns
    admin: Any  # every campaign of the domain
    campaign: Any  # the biggest campaign (service-client)
    month_start: datetime


@dataclass
class Call:
    name: str
    target: str  # "module:function"
    run: Callable[[Callable[..., Any], Context], Any]
    # Called before each measured call when it exists: a cache to empty, so that the
    # computation is measured, not the cache (the refreshers keep it: that is production).
    reset: str = ""


def dummy_board(user: Any, *, now: datetime) -> list[dict[str, Any]]:
    """A stand-in for the board until comptoir.supervision.board exists: what a board must
    count per supervised campaign (open/waiting/flagged/assigned tickets, received today,
    processings today with their handling time), with the ORM, on today's indexes."""
    from django.db.models import Avg, Count, F, Q

    from comptoir.distribution.models import Processing
    from comptoir.tickets.access import supervised_campaign_ids
    from comptoir.tickets.models import Ticket

    # Issue 13: a supervisor sees the campaigns of their supervision teams, an administrator
    # every campaign of the domain.
    ids = None if user.role == "admin" else list(supervised_campaign_ids(user))
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    tickets = Ticket.objects.filter(domain_id=user.domain_id)
    processings = Processing.objects.filter(domain_id=user.domain_id, started_at__gte=day)
    if ids is not None:
        tickets, processings = (
            tickets.filter(campaign_id__in=ids),
            processings.filter(campaign_id__in=ids),
        )
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in tickets.filter(status__in=["open", "waiting"])
        .values("campaign_id", "status")
        .annotate(
            n=Count("id"),
            flagged=Count("id", filter=Q(flagged=True)),
            assigned=Count("id", filter=Q(assignee__isnull=False)),
        )
    ]
    today = processings.values("campaign_id").annotate(
        n=Count("id"), handling=Avg(F("ended_at") - F("started_at"))
    )
    rows += [dict(row) for row in today]
    return rows


def received_today(user: Any, *, now: datetime) -> int:
    """Tickets received today in the domain: a board's number that no index serves today
    (tickets by created_at), measured to show what it costs."""
    from comptoir.tickets.models import Ticket

    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return Ticket.objects.filter(domain_id=user.domain_id, created_at__gte=day).count()


BOARD_CACHE = "comptoir.supervision.board:forget_board"
CALLS = [
    Call("board: campaign_board, a supervisor", "comptoir.supervision.board:campaign_board",
         lambda f, c: f(c.supervisor, now=c.now), BOARD_CACHE),
    Call("board: campaign_board, the administrator", "comptoir.supervision.board:campaign_board",
         lambda f, c: f(c.admin, now=c.now), BOARD_CACHE),
    # The same with the 2 s cache kept (now is fixed, so every measured call is a hit): what
    # the refreshers of one process see, against the computation above (the target's).
    Call("board (2 s cache hit): campaign_board, a supervisor",
         "comptoir.supervision.board:campaign_board", lambda f, c: f(c.supervisor, now=c.now)),
    Call("board (2 s cache hit): campaign_board, the administrator",
         "comptoir.supervision.board:campaign_board", lambda f, c: f(c.admin, now=c.now)),
    Call("board: agent_board, a supervisor", "comptoir.supervision.board:agent_board",
         lambda f, c: f(c.supervisor, now=c.now), BOARD_CACHE),
    Call("dummy board (grouped counts), a supervisor", "bench.supervision_calls:dummy_board",
         lambda f, c: f(c.supervisor, now=c.now)),
    Call("dummy board (grouped counts), the administrator", "bench.supervision_calls:dummy_board",
         lambda f, c: f(c.admin, now=c.now)),
    Call("received today, the domain (no index)", "bench.supervision_calls:received_today",
         lambda f, c: f(c.admin, now=c.now)),
]  # fmt: skip
# The XLSX export of a month of processings (issue 13): measured by bench.supervision_worker
# (rows/s, peak memory) through xlsx_export.
XLSX_EXPORT = "bench.supervision_calls:xlsx_export"


class NotAvailable(Exception):
    pass


def load(target: str) -> Callable[..., Any]:
    module_name, _colon, name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        function: Callable[..., Any] = getattr(module, name)
    except (ImportError, AttributeError) as exc:
        raise NotAvailable(f"{target}: not available yet ({exc})") from None
    return function


def xlsx_export(user: Any, start: datetime, end: datetime, out: Any) -> int:
    """The processings ended in [start, end) that the user may export, as the UI's XLSX
    export writes them (comptoir.supervision.processings and .tabular); how many rows."""
    rows_of = load("comptoir.supervision.processings:processing_rows")
    query_class = load("comptoir.supervision.processings:ProcessingQuery")
    write = load("comptoir.supervision.tabular:write_xlsx")
    table = rows_of(user, query_class(domain=user.domain, start=start, end=end))
    count = [0]

    def counted(rows: Any) -> Iterator[Any]:
        for row in rows:
            count[0] += 1
            yield row

    table.rows = counted(table.rows)
    write(table, out, title="bench")
    return count[0]


def report_calls() -> list[Call]:
    """One Call per figure of comptoir.supervision.reports.*: a public function taking the
    user, a ReportQuery and `now` (keyword); NotAvailable when the package is missing."""
    try:
        package = importlib.import_module("comptoir.supervision.reports")
    except ImportError as exc:
        raise NotAvailable(f"comptoir.supervision.reports: not available yet ({exc})") from None
    calls = []
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or function.__module__ != module.__name__:
                continue
            if is_figure(inspect.signature(function)):
                target = f"{module.__name__}:{name}"
                calls.append(Call(f"report: {info.name}.{name}", target, month_report))
    return calls


def is_figure(signature: inspect.Signature) -> bool:
    params = signature.parameters
    takes_query = any("ReportQuery" in str(p.annotation) for p in params.values())
    now = params.get("now")
    keyword_now = now is not None and now.kind == inspect.Parameter.KEYWORD_ONLY
    return "user" in params and takes_query and keyword_now


def month_report(function: Callable[..., Any], c: Context) -> Any:
    """A month (to the anchor) of the biggest campaign, by day, for its supervisor."""
    query_class = load_report_query()
    query = query_class(
        domain=c.campaign.domain, start=c.month_start, end=c.now, step="day",
        campaign_ids=[c.campaign.pk], team_ids=[], agent_ids=[],
    )  # fmt: skip
    return function(c.supervisor, query, now=c.now)


def load_report_query() -> Any:
    for where in ("comptoir.supervision.reports.query", "comptoir.supervision.reports"):
        try:
            return importlib.import_module(where).ReportQuery
        except (ImportError, AttributeError):
            continue
    raise NotAvailable("ReportQuery: not available yet")


@dataclass
class Captured:
    sql: str
    params: Any
    ms: float


@dataclass
class Capture:
    queries: list[Captured] = field(default_factory=list)

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(Captured(sql, params, (time.perf_counter() - started) * 1000))


@contextmanager
def captured() -> Iterator[Capture]:
    from django.db import connection

    capture = Capture()
    with connection.execute_wrapper(capture):
        yield capture


def explain(query: Captured) -> list[str]:
    """The plan of a slow read (ANALYZE on PostgreSQL, rolled back; QUERY PLAN on SQLite)."""
    from django.db import connection, transaction

    if not query.sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return ["(not a read: no EXPLAIN)"]
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(prefix + query.sql, query.params)
        rows = [" ".join(str(part) for part in row) for row in cursor.fetchall()]
        transaction.set_rollback(True)
    return rows


def context(anchor: datetime) -> Context:
    from comptoir.campaigns.models import Campaign
    from comptoir.tenancy.models import User

    campaign = Campaign.objects.select_related("domain").get(
        domain__slug="bench", slug="service-client"
    )
    users = User.objects.filter(domain=campaign.domain)
    return Context(
        now=anchor,
        supervisor=users.get(login="superviseur1"),
        admin=users.get(login="admin"),
        campaign=campaign,
        month_start=anchor - timedelta(days=30),
    )
