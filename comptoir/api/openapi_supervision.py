"""The OpenAPI description of /api/v1/supervision/ (docs/exports.md), part of openapi.py's
document (which imports it when it builds the document: this module uses its helpers)."""

from typing import Any

from comptoir.api.openapi import MOMENT, STRING, error, nullable, obj, operation, ref


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


# Years from 1970 to 2100 (comptoir.supervision.periods), as the API checks them.
YEARS = "^(19[7-9][0-9]|20[0-9][0-9]|2100)-"
DAY_OR_MOMENT = {
    "anyOf": [
        {"type": "string", "format": "date", "pattern": YEARS},
        {"type": "string", "format": "date-time", "pattern": YEARS},
    ]
}
NAMES = {"type": "array", "items": STRING}
PROCESSING_ROW = obj(
    [
        *("processing", "ticket", "campaign_slug", "campaign", "agent_login", "agent"),
        *("started_at", "ended_at", "duration_seconds", "end_reason", "outcome_code"),
        *("outcome", "outcome_kind", "script", "script_version", "counted_attempt"),
        *("reopen_at", "answers"),
    ],
    processing={"type": "integer", "description": "The processing's id: a stable key."},
    ticket={"type": "integer", "description": "The ticket's number."},
    campaign_slug=STRING,
    campaign=STRING,
    agent_login=STRING,
    agent=STRING,
    started_at={"type": "string", "format": "date-time"},
    ended_at={"type": "string", "format": "date-time"},
    duration_seconds={"type": "integer"},
    end_reason={"enum": ["qualified", "released", "expired", "unlocked", None]},
    outcome_code=nullable("string"),
    outcome=nullable("string", description="The outcome's label in its script version."),
    outcome_kind=nullable("string"),
    script=nullable("string"),
    script_version=nullable("integer"),
    counted_attempt={"type": "boolean"},
    reopen_at=MOMENT,
    answers={"type": "object", "description": "Question name → answer, as stored."},
)
SPREADSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def processings_operation() -> dict[str, Any]:
    page = obj(
        ["processings", "next_cursor"],
        processings={"type": "array", "items": ref("ProcessingRow")},
        next_cursor=nullable("string", description="Pass as `cursor` for the next page."),
    )
    answer = operation(
        "The processings ended in the period, one row each (docs/exports.md).",
        "200",
        page,
        parameters=[
            query("start", DAY_OR_MOMENT, "A day (from its start, in the domain's time zone) "
                  "or a date and time with its offset. Default: today."),
            query("end", DAY_OR_MOMENT, "A day (included) or a date and time (excluded). "
                  "Default: none (up to now)."),
            query("campaign", NAMES, "Campaign slugs (repeat the parameter for several)."),
            query("team", NAMES, "Team names: their members' processings."),
            query("agent", NAMES, "Agent logins."),
            query("format", {"enum": ["json", "csv", "xlsx"]}, "Default: json."),
            query("separator", {"enum": ["comma", "semicolon"]},
                  "CSV: `,` and a decimal point (default), or `;` and a decimal comma."),
            query("headers", {"enum": ["keys", "labels"]},
                  "CSV and XLSX: the header row in keys (default) or the user's language."),
            query("cursor", STRING, "JSON: the `next_cursor` of the previous page."),
            query("limit", {"type": "integer", "minimum": 1, "maximum": 2000},
                  "JSON: rows per page (default 500)."),
        ],
        responses={
            "400": error("A parameter is not valid (`fields` says which)."),
            "403": error("No right to use the API, or to export processings (agents)."),
            "404": error("A campaign, team or agent named is not one the user may see."),
        },
    )  # fmt: skip
    files = {
        "text/csv": {"schema": STRING | {"description": "UTF-8 with a BOM."}},
        SPREADSHEET: {"schema": STRING | {"format": "binary"}},
    }
    answer["responses"]["200"]["content"].update(files)
    return answer


def figure(description: str, kind: str = "array") -> dict[str, Any]:
    return {"type": kind, "description": description}


REPORT = obj(
    [
        *("period", "received", "messages", "closed", "first_response", "resolution"),
        *("handling", "processings", "agents", "occupation", "outcomes", "attempts"),
        *("reopen_later", "reopened", "backlog"),
    ],
    period=obj(
        ["start", "end", "step"],
        start={"type": "string", "format": "date-time"},
        end={"type": "string", "format": "date-time", "description": "Excluded."},
        step={"enum": ["hour", "day"]},
    ),
    received=figure("Per bucket: start, tickets, automatic."),
    messages=figure("Per bucket: start, inbound, inbound_automatic, replies, acknowledgements."),
    closed=figure("Per bucket: start, count (closings)."),
    first_response=figure(
        "business and elapsed summaries (count, average, median, in seconds) and buckets.",
        "object",
    ),
    resolution=figure("As first_response, for closings.", "object"),
    handling=figure("Handling time: overall, buckets and agents summaries (seconds).", "object"),
    processings=figure("Per agent: processings, qualified, released, lapsed, attempts, closings."),
    agents=figure("The agents the report is about: agent_id, name."),
    occupation=figure(
        "Per agent: processing_seconds, available_seconds, rate (0 to 1, or null)."
    ),
    outcomes=figure("Per script version and outcome: script, version, code, label, kind, "
                    "count, share (0 to 1)."),
    attempts=figure("attempts, tickets: closings by the attempts their ticket took."),
    reopen_later=figure("Per bucket: start, scheduled, due."),
    reopened=figure("Per bucket: start, count (reopened after a final outcome)."),
    backlog=figure("Per day: day, at, open_tickets."),
)  # fmt: skip


def reports_operation() -> dict[str, Any]:
    return operation(
        "Every figure of a report (docs/reports.md): the numbers the Reports page shows.",
        "200",
        REPORT,
        parameters=[
            query("period", {"enum": ["today", "yesterday", "this_week", "last_week",
                                      "this_month"]},
                  "Without start and end. Default: today."),
            query("start", DAY_OR_MOMENT, "A day (from its start, in the domain's time zone) "
                  "or a date and time with its offset; with end."),
            query("end", DAY_OR_MOMENT, "A day (included) or a date and time (excluded)."),
            query("step", {"enum": ["day", "hour"]}, "Buckets. Default: day."),
            query("campaign", NAMES, "Campaign slugs (repeat the parameter for several)."),
            query("team", NAMES, "Team names: their members' work."),
            query("agent", NAMES, "Agent logins."),
        ],
        responses={
            "400": error("A parameter is not valid (`fields` says which)."),
            "403": error("No right to use the API, or to see reports (agents)."),
            "404": error("A campaign, team or agent named is not one the user may see."),
        },
    )  # fmt: skip


def supervision_paths() -> dict[str, Any]:
    return {
        "/supervision/processings": {"get": processings_operation()},
        "/supervision/reports": {"get": reports_operation()},
    }
