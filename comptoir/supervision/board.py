"""The live board (issue 13): per campaign the user supervises, what waits, who processes,
what is held back, what came in and went out today; and the domain's quarantine.

Supervisors see the campaigns their supervision teams supervise, domain administrators every
campaign of their domain (tickets.access.supervised_campaigns). The numbers are computed by
`figures` and shared: each campaign's figures are kept FRESH_SECONDS, so that twenty
supervisors refreshing every few seconds cost about one computation per campaign and web
process (a board may show numbers up to FRESH_SECONDS old; docs/supervision.md).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from threading import Lock
from zoneinfo import ZoneInfo

from comptoir.campaigns.models import Campaign
from comptoir.supervision import figures
from comptoir.supervision.figures import CampaignFigures, Day
from comptoir.tenancy.models import User
from comptoir.tickets.access import supervised_campaigns

FRESH_SECONDS = 2.0
# Past this many entries the cache starts again (deleted campaigns, other domains' old ones).
CACHE_LIMIT = 10_000


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    figures: CampaignFigures


@dataclass(frozen=True)
class Board:
    """What the board shows at `now`. `quarantine` is None for whoever may not open the
    quarantine (it is the domain's, for those with the right to supervise)."""

    now: datetime
    day: Day
    rows: list[CampaignRow]
    quarantine: int | None


class Fresh:
    """Values kept FRESH_SECONDS of `now` (the callers' clock, so that tests may move it),
    in this process: a cache, never a source of truth (nothing a second node needs)."""

    def __init__(self) -> None:
        self.values: dict[object, tuple[datetime, object]] = {}
        self.lock = Lock()

    def get(self, key: object, now: datetime) -> object | None:
        found = self.values.get(key)
        if found is None:
            return None
        at, value = found
        age = (now - at).total_seconds()
        return value if 0 <= age < FRESH_SECONDS else None

    def put(self, key: object, now: datetime, value: object) -> None:
        with self.lock:
            if len(self.values) >= CACHE_LIMIT:
                self.values.clear()
            self.values[key] = (now, value)

    def clear(self) -> None:
        with self.lock:
            self.values.clear()


_fresh = Fresh()


def forget_board() -> None:
    """Drop the shared figures (tests that change tickets and look again at the same `now`)."""
    _fresh.clear()


def local_day(now: datetime, time_zone: str) -> Day:
    """Today in the time zone: from its midnight to the next (23 or 25 hours on the days
    the clocks change)."""
    zone = ZoneInfo(time_zone)
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    return Day(start, end)


def campaign_figures(
    campaigns: list[Campaign], now: datetime, day: Day
) -> dict[int, CampaignFigures]:
    """The figures of these campaigns (one domain's): the fresh ones kept, the others
    computed together."""
    found: dict[int, CampaignFigures] = {}
    for campaign in campaigns:
        kept = _fresh.get(("campaign", campaign.pk), now)
        if isinstance(kept, CampaignFigures):
            found[campaign.pk] = kept
    missing = [c.pk for c in campaigns if c.pk not in found]
    if missing:
        computed = figures.compute(campaigns[0].domain_id, missing, now, day)
        for pk, value in computed.items():
            _fresh.put(("campaign", pk), now, value)
        found.update(computed)
    return found


def quarantine_count(domain_id: int, now: datetime) -> int:
    kept = _fresh.get(("quarantine", domain_id), now)
    if isinstance(kept, int):
        return kept
    count = figures.quarantined(domain_id)
    _fresh.put(("quarantine", domain_id), now, count)
    return count


def supervised(user: User) -> list[Campaign]:
    """The campaigns on the user's board, by name."""
    return list(supervised_campaigns(user).order_by("name", "pk"))


def campaign_board(user: User, *, now: datetime, only: Campaign | None = None) -> Board:
    """The board of every campaign the user supervises, or of `only` (one of them: the
    caller found it among `supervised(user)`, else it is left out)."""
    campaigns = supervised(user)
    if only is not None:
        campaigns = [c for c in campaigns if c.pk == only.pk]
    day = local_day(now, user.domain.time_zone)
    numbers = campaign_figures(campaigns, now, day)
    rows = [CampaignRow(c, numbers[c.pk]) for c in campaigns]
    quarantine = quarantine_count(user.domain_id, now) if user.can_supervise else None
    return Board(now=now, day=day, rows=rows, quarantine=quarantine)
