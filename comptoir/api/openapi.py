"""The OpenAPI 3.1 description of /api/v1/, written by hand to stay readable.

Keep it true to urls.py and views.py: tests/api/test_openapi.py checks that every route and
method here exists there, and the reverse.
"""

from typing import Any

from django.conf import settings

from comptoir.api.body import MAX_DEPTH

JSON = "application/json"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(kind: str, **extra: Any) -> dict[str, Any]:
    return {"type": [kind, "null"], **extra}


def obj(required: list[str], **properties: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties}


def body(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def error(description: str) -> dict[str, Any]:
    return body(ref("Error"), description)


STRING = {"type": "string"}
# What a person writes: not blank (at least one character other than a space).
TEXT = {"type": "string", "minLength": 1, "pattern": "\\S"}
MOMENT = nullable("string", format="date-time")
PERSON = obj(["email", "name"], email=STRING, name=STRING)

SCHEMAS: dict[str, Any] = {
    "Error": obj(
        ["error"],
        error={"type": "string", "description": "What went wrong, for a person."},
        fields={
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "What is wrong, by field of the request (400 only).",
        },
    ),
    "Attachment": obj(
        ["filename", "content_type", "size", "sha256", "inline"],
        filename=STRING,
        content_type=STRING,
        size={"type": "integer"},
        sha256=STRING,
        inline={"type": "boolean"},
    ),
    "Delivery": obj(
        ["state", "attempts", "last_error"],
        state={"enum": ["queued", "sending", "sent", "failed"]},
        attempts={"type": "integer"},
        last_error=STRING,
    ),
    "Message": obj(
        [
            *("id", "direction", "message_id", "from", "to", "cc", "subject", "date", "text"),
            *("html", "attachments", "delivery", "automatic", "author"),
        ],
        id={"type": "integer"},
        direction={"enum": ["inbound", "outbound", "note"]},
        message_id={"type": "string", "description": "RFC 5322 Message-ID, no brackets."},
        **{"from": PERSON},
        to={"type": "array", "items": PERSON},
        cc={"type": "array", "items": PERSON},
        subject=STRING,
        date={"type": "string", "format": "date-time"},
        text=STRING,
        html={"type": "string", "description": "Sanitised HTML body, or empty."},
        attachments={"type": "array", "items": ref("Attachment")},
        delivery={
            "oneOf": [ref("Delivery"), {"type": "null"}],
            "description": "Outbound messages only.",
        },
        automatic=nullable("string", description="Why the message counts as automatic."),
        author=nullable("string", description="Login of the agent who wrote it."),
    ),
    "Ticket": obj(
        [
            *("number", "subject", "status", "campaign", "contact", "assignee", "attempts"),
            *("priority", "flagged", "reopen_at", "blocked_until", "locked_by", "locked_until"),
            *("created_at", "processing", "messages"),
        ],
        number={"type": "integer"},
        subject=STRING,
        status={"enum": ["open", "waiting", "closed"]},
        campaign={"type": "string", "description": "The campaign's slug."},
        contact=PERSON,
        assignee=nullable("string", description="Login of the assigned agent."),
        attempts={"type": "integer"},
        priority={"type": "integer"},
        flagged={"type": "boolean", "description": "Max attempts reached."},
        reopen_at=MOMENT,
        blocked_until=MOMENT,
        locked_by=nullable("string", description="Login of the agent processing it."),
        locked_until=MOMENT,
        created_at={"type": "string", "format": "date-time"},
        processing=nullable("integer", description="The caller's live processing, if any."),
        messages={"type": "array", "items": ref("Message")},
    ),
    "NextTicket": {
        "oneOf": [
            obj(["ticket", "processing"], ticket=ref("Ticket"), processing={"type": "integer"}),
            obj(
                ["ticket", "reason", "opens_at"],
                ticket={"type": "null"},
                reason={"type": "string", "description": "Why no ticket, for the agent."},
                opens_at=MOMENT,
            ),
        ]
    },
    "Processing": obj(
        [
            *("id", "ticket", "campaign", "started_at", "ended_at", "end_reason", "outcome"),
            *("answers", "reopen_at", "counted_attempt", "script"),
        ],
        id={"type": "integer"},
        ticket={"type": "integer", "description": "The ticket's number."},
        campaign=STRING,
        started_at={"type": "string", "format": "date-time"},
        ended_at=MOMENT,
        end_reason={"enum": ["qualified", "released", "expired", "unlocked", None]},
        outcome={
            "oneOf": [
                obj(["code", "label", "kind"], code=STRING, label=STRING, kind=STRING),
                {"type": "null"},
            ]
        },
        answers={"type": "object"},
        reopen_at=MOMENT,
        counted_attempt={"type": "boolean"},
        script={
            "description": "The version of the qualification script it was qualified with "
            "(null: the standard outcomes, or not qualified).",
            "oneOf": [
                obj(
                    ["id", "name", "version"],
                    id={"type": "integer"},
                    name=STRING,
                    version={"type": "integer"},
                ),
                {"type": "null"},
            ],
        },
    ),
    "Campaign": obj(
        ["slug", "name", "playable"],
        slug=STRING,
        name=STRING,
        playable={
            "type": "boolean",
            "description": "Active, given to one of the user's agent teams.",
        },
    ),
    "Heartbeat": obj(
        ["processing", "locked_until"],
        processing={"type": "integer"},
        locked_until={"type": "string", "format": "date-time"},
    ),
    "NoteRequest": obj(["text"], text={**TEXT, "description": "The note."}),
    "QualifyRequest": obj(
        ["outcome"],
        outcome={"type": "string", "description": "An outcome code of the campaign's script."},
        answers={"type": "object", "description": "Question name → answer."},
        reopen_at=nullable(
            "string", format="date-time", description="Needed by a reopen-later outcome."
        ),
    ),
}

INVALID = error(
    "The request is not valid: the body is not UTF-8 JSON, not an object, nested more than "
    f"{MAX_DEPTH} levels, holds a NUL character or a lone surrogate, or a field is wrong (`fields` "
    "says which and why)."
)
TOO_LARGE = error("The body is larger than the server accepts (2.5 MB by default).")
FAILURE = error("An unexpected failure, logged by the server; the answer says nothing more.")


def reply_request() -> dict[str, Any]:
    """The reply's body; its Cc limit is the setting's, less the customer (always one)."""
    limit = settings.COMPTOIR_MAX_RECIPIENTS
    return obj(
        ["text"],
        text={**TEXT, "description": "The reply; the signature is added."},
        cc={
            "type": "array",
            "items": {"type": "string", "format": "email"},
            "maxItems": max(limit - 1, 0),
            "description": f"Copies. A reply has {limit} recipients at most (To and Cc: "
            "COMPTOIR_MAX_RECIPIENTS); more is a 400 naming `cc`.",
        },
    )


UNAUTHORISED = error("No token, or an unknown or revoked one, or a deactivated user.")
NO_API_RIGHT = error("The user does not have the right to use the API.")
NO_TICKET = error("No such ticket in the token's domain, or not one the user may see.")


def operation(summary: str, ok: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One authenticated operation answering `ok` with `schema`, plus its error answers: those
    of every operation, and those of reading a body when it takes one (api/body.py)."""
    responses = {ok: body(schema, summary), "401": UNAUTHORISED, "403": NO_API_RIGHT}
    if "requestBody" in extra:
        responses.update({"400": INVALID, "413": TOO_LARGE})
    responses.update(extra.pop("responses", {}))
    responses["500"] = FAILURE
    return {"summary": summary, "responses": responses, **extra}


def ticket_operation(summary: str, ok: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    responses = {"404": NO_TICKET, **extra.pop("responses", {})}
    return operation(summary, ok, schema, responses=responses, **extra)


def request(name: str) -> dict[str, Any]:
    return {"required": True, "content": {JSON: {"schema": ref(name)}}}


NUMBER = {"name": "number", "in": "path", "required": True, "schema": {"type": "integer"}}
SLUG = {"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}
CONFLICT = error("Not possible now (see the error).")
NO_PROCESSING = error("The caller has no processing in progress on this ticket.")


def ticket_paths() -> dict[str, Any]:
    ticket = ref("Ticket")
    return {
        "/tickets/{number}": {
            "parameters": [NUMBER],
            "get": ticket_operation("The ticket and its whole thread.", "200", ticket),
        },
        "/tickets/{number}/assign": assignment_path(),
        "/tickets/{number}/reply": {
            "parameters": [NUMBER],
            "post": ticket_operation(
                "Queue a reply to the customer (sent by the outbox).",
                "201",
                ref("Message"),
                requestBody=request("ReplyRequest"),
                responses={"400": INVALID},
            ),
        },
        "/tickets/{number}/notes": {
            "parameters": [NUMBER],
            "post": ticket_operation(
                "Add an internal note (never sent).",
                "201",
                ref("Message"),
                requestBody=request("NoteRequest"),
                responses={"400": INVALID},
            ),
        },
        **play_paths(),
    }


def assignment_path() -> dict[str, Any]:
    ticket = ref("Ticket")
    return {
        "parameters": [NUMBER],
        "post": ticket_operation(
            "Assign to me: only the caller is served it from now on.",
            "200",
            ticket,
            responses={"409": error("Already assigned to someone else.")},
        ),
        "delete": ticket_operation(
            "Remove my assignment: the ticket goes back to the team's queue.",
            "200",
            ticket,
            responses={"409": error("The ticket is not assigned to the caller.")},
        ),
    }


def play_paths() -> dict[str, Any]:
    return {
        "/tickets/{number}/qualify": {
            "parameters": [NUMBER],
            "post": ticket_operation(
                "Qualify the caller's processing of this ticket, ending it.",
                "200",
                ref("Processing"),
                requestBody=request("QualifyRequest"),
                responses={"400": INVALID, "409": NO_PROCESSING},
            ),
        },
        "/tickets/{number}/release": {
            "parameters": [NUMBER],
            "post": ticket_operation(
                "Pause: end the caller's processing without qualifying it.",
                "200",
                ref("Processing"),
                responses={"409": NO_PROCESSING},
            ),
        },
        "/tickets/{number}/heartbeat": {
            "parameters": [NUMBER],
            "post": ticket_operation(
                "Keep the caller's lock on the ticket while they work on it.",
                "200",
                ref("Heartbeat"),
                responses={"409": error("No processing in progress, or the lock was lost.")},
            ),
        },
    }


def campaign_paths() -> dict[str, Any]:
    listing = obj(["campaigns"], campaigns={"type": "array", "items": ref("Campaign")})
    return {
        "/campaigns": {"get": operation("The campaigns the user sees.", "200", listing)},
        "/campaigns/{slug}/next": {
            "parameters": [SLUG],
            "post": operation(
                "Play: the ticket to process now, locked to the caller, or why there is none.",
                "200",
                ref("NextTicket"),
                responses={"404": error("No such campaign given to one of the user's teams.")},
            ),
        },
    }


def document() -> dict[str, Any]:
    # Here, not at the top: that module builds on the helpers above (a cycle otherwise).
    from comptoir.api.openapi_supervision import PROCESSING_ROW, supervision_paths

    public = {
        "get": {
            "summary": "This description.",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1 document."}},
        }
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Comptoir API",
            "version": "1",
            "description": "Email ticketing for contact centres. See docs/api.md.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": {
            "/openapi.json": public,
            **campaign_paths(),
            **ticket_paths(),
            **supervision_paths(),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                **SCHEMAS,
                "ReplyRequest": reply_request(),
                "ProcessingRow": PROCESSING_ROW,
            },
        },
    }
