"""Durations summed up: how many, their average and their median, in seconds."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import median


@dataclass(frozen=True)
class Summary:
    count: int
    average: float | None  # seconds; None when there is nothing to average
    median: float | None


@dataclass(frozen=True)
class SummaryPoint:
    start: datetime  # the bucket's start, aware, in the domain's time zone
    summary: Summary


def summarise(values: Sequence[float]) -> Summary:
    if not values:
        return Summary(0, None, None)
    return Summary(len(values), sum(values) / len(values), float(median(values)))


def by_key[K](pairs: Iterable[tuple[K, float]]) -> dict[K, list[float]]:
    """The values of (key, value) pairs, gathered by key."""
    gathered: dict[K, list[float]] = {}
    for key, value in pairs:
        gathered.setdefault(key, []).append(value)
    return gathered
