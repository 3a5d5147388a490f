"""Reports (issue 13): the supervisors' figures over a period, one tested function each.

Every figure takes the user (rights: tickets.access) and a `ReportQuery` (query.py) and
returns plain dataclasses that the UI, the exports and the API all show unchanged. The
numbers are SQL aggregates grouped by bucket in the domain's time zone (buckets.py); only
the business-hours durations are computed per ticket in Python (calendar.py), from two
timestamps each. docs/reports.md defines every figure exactly.

Modules, one per topic: query (period, filters, rights), buckets, calendar (business
hours), stats (average, median), volumes (received, messages, closed), response
(first response and resolution times), activity (handling time, processings, occupation),
outcomes (qualifications, attempts, reopen later, reopened after a final outcome),
backlog (open tickets at each day's end).
"""
