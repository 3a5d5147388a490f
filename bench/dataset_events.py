"""The history rows of the supervision data set (bench.dataset): one event per message, as
ingest and reply write them, and those of the processings (started, qualified, reopened after a
final outcome, maximum attempts reached). INSERT … SELECT from the rows already made."""

from bench.dataset_sql import Dialect, Shape


def message_events(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    """History rows for the messages of tickets lo..hi: what ingest and reply write."""
    kind = (
        "(CASE WHEN m.direction = 'inbound' AND m.in_reply_to = '' THEN 'ticket_created'"
        " WHEN m.direction = 'inbound' THEN 'message_appended'"
        " WHEN m.direction = 'note' THEN 'note_added' ELSE 'reply_queued' END)"
    )
    data = (
        "(CASE WHEN m.direction = 'inbound' AND m.in_reply_to = '' THEN '{\"rule\": \"new\"}'"
        " WHEN m.direction = 'inbound' THEN"
        ' \'{"rule": "in-reply-to", "message_id": "\' || m.in_reply_to || \'"}\''
        " WHEN m.direction = 'note' THEN '{}'"
        " ELSE '{\"to\": [\"' || m.from_email || '\"]}' END)"
    )
    return f"""INSERT INTO tickets_ticketevent (domain_id, ticket_id, message_id, actor_id, kind,
  data, created_at)
SELECT m.domain_id, m.ticket_id, m.id, m.author_id, {kind}, {d.json(data)}, m.created_at
FROM tickets_message m JOIN tickets_ticket t ON t.id = m.ticket_id
WHERE t.domain_id = {s.domain_id} AND t.number BETWEEN {lo} AND {hi}"""


def processing_events(d: Dialect, s: Shape) -> list[str]:
    """processing_started and _qualified for every processing; ticket_reopened after a final
    outcome that was not the last; max_attempts_reached on flagged tickets."""
    head = (
        "INSERT INTO tickets_ticketevent (domain_id, ticket_id, message_id, actor_id, kind,"
        " data, created_at)"
    )
    qualified = d.json(
        """'{"outcome": "' || p.outcome_label || '", "code": "' || p.outcome_code || '"}'"""
    )
    later = (
        "EXISTS (SELECT 1 FROM distribution_processing q WHERE q.ticket_id = p.ticket_id"
        " AND q.started_at > p.started_at)"
    )
    reopened = d.json("""'{"previous": "closed"}'""")
    attempts = d.json("""'{"attempts": ' || t.attempts || '}'""")
    last_end = "(SELECT max(p.ended_at) FROM distribution_processing p WHERE p.ticket_id = t.id)"
    processed = "EXISTS (SELECT 1 FROM distribution_processing p WHERE p.ticket_id = t.id)"
    mine = f"p.domain_id = {s.domain_id}"
    return [
        f"{head} SELECT p.domain_id, p.ticket_id, NULL, p.agent_id, 'processing_started',"
        f" {d.json("'{}'")}, p.started_at FROM distribution_processing p WHERE {mine}",
        f"{head} SELECT p.domain_id, p.ticket_id, NULL, p.agent_id, 'processing_qualified',"
        f" {qualified}, p.ended_at FROM distribution_processing p WHERE {mine}",
        f"{head} SELECT p.domain_id, p.ticket_id, NULL, NULL, 'ticket_reopened', {reopened},"
        f" {d.ts(d.epoch('p.ended_at') + ' + 60')} FROM distribution_processing p"
        f" WHERE {mine} AND p.outcome_kind = 'final' AND {later}",
        f"{head} SELECT t.domain_id, t.id, NULL, NULL, 'max_attempts_reached', {attempts},"
        f" {last_end} FROM tickets_ticket t"
        f" WHERE t.domain_id = {s.domain_id} AND t.flagged AND {processed}",
    ]
