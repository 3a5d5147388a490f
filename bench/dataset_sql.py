"""The statements that fill the supervision data set (bench.dataset), for PostgreSQL and SQLite.

Every row is computed in the database from its number (INSERT … SELECT over a series:
generate_series on PostgreSQL, a recursive CTE on SQLite) and small lookup tables named
bench_* that bench.dataset fills first and drops at the end. Randomness is a hash of the row's
number and a salt (HASH below), the same on both databases, so a data set is the same at
every build. Times are Unix seconds until the last moment (`ts`), integers throughout: SQLite
has no interval type, and integer division is the same on both.

What a ticket is made of, from its number n (see Shape for the proportions):
  created   arrival-ordered: bench_hour spreads the numbers over the year's hours by weight
  status    by age: recent tickets are mostly open, last month's mostly closed, older ones
            almost all closed; open ones split into queue, flagged, blocked, reopen-later
            (assigned), due to their assignee
  messages  1 to 6 (2.5 on average), alternating customer (even k) and agent (odd k), gap g
  processings (tickets created in the processing window) attempts + 1 when closed, else
            attempts; the last one's outcome says the status; none overlap (start_j =
            created + 2j·g + g/4, shorter than g/2)
"""

from dataclasses import dataclass

P = 2147483647  # a prime below 2^31: products stay below 2^62 on both databases
NOTE_RATE = 20  # one agent message in NOTE_RATE is an internal note
RARE_RATE = 200  # one message in RARE_RATE carries a rare word
PICK_SLOTS = 1000  # bench_pick_campaign's slots per domain
RARE_SLOTS = 10000  # bench_rare_pick's slots

MOTIFS = ["Connexion", "Facturation", "Livraison", "Autre"]


def h(expr: str, salt: int) -> str:
    """A hash of an integer expression in [0, P): ((x·a + b) mod P)² mod P, a and b from the
    salt. The square breaks the lattice that a linear step leaves between salts."""
    a = pow(16807, salt + 1, P)
    b = (salt * 1000003 + 12345) % P
    x = f"((({expr}) * {a} + {b}) % {P})"
    return f"(({x} * {x}) % {P})"


@dataclass
class Dialect:
    vendor: str  # postgresql | sqlite

    @property
    def pg(self) -> bool:
        return self.vendor == "postgresql"

    def series(self, lo: int, hi: int) -> str:
        """`WITH RECURSIVE g(n) AS (…)`: the integers lo..hi."""
        if self.pg:
            return f"WITH RECURSIVE g(n) AS (SELECT generate_series({lo}::bigint, {hi}::bigint))"
        return f"WITH RECURSIVE g(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM g WHERE n < {hi})"

    def ts(self, seconds: str) -> str:
        if self.pg:
            return f"to_timestamp({seconds})"
        return f"datetime({seconds}, 'unixepoch')"

    def epoch(self, column: str) -> str:
        if self.pg:
            return f"CAST(extract(epoch FROM {column}) AS bigint)"
        return f"CAST(strftime('%s', {column}) AS INTEGER)"

    def least(self, *parts: str) -> str:
        return f"{'least' if self.pg else 'min'}({', '.join(parts)})"

    def greatest(self, *parts: str) -> str:
        return f"{'greatest' if self.pg else 'max'}({', '.join(parts)})"

    def json(self, text: str) -> str:
        return f"CAST({text} AS jsonb)" if self.pg else text


@dataclass
class Shape:
    """One domain's numbers, and the instant the data set calls "now"."""

    dom: int  # 1 = the measured domain, 2 = the small other one (bench_* keys)
    domain_id: int
    tickets: int
    contacts: int
    contact_base: int  # contact i (1..contacts) has id contact_base + i
    anchor: int  # Unix seconds: the data set's "now"
    window_days: int  # processings for tickets created in the last window_days
    sentences: int
    subjects: int
    first_names: int
    last_names: int
    mail_domains: int

    @property
    def window_start(self) -> int:
        return self.anchor - self.window_days * 86400


def contacts(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    email = "fn.slug || '.' || ln.slug || '.' || g.n || '@' || md.name"  # unique: n is in it
    return f"""{d.series(lo, hi)}
INSERT INTO tickets_contact (id, domain_id, email, name, language, extra, created_at)
SELECT {s.contact_base} + g.n, {s.domain_id}, {email}, fn.name || ' ' || ln.name, 'fr',
       {d.json("'{}'")}, {d.ts(str(s.anchor - 400 * 86400))}
FROM g
JOIN bench_first fn ON fn.id = {h("g.n", 20)} % {s.first_names}
JOIN bench_last ln ON ln.id = {h("g.n", 21)} % {s.last_names}
JOIN bench_maildomain md ON md.id = {h("g.n", 22)} % {s.mail_domains}"""


def message_count(n: str, status: str) -> str:
    """1..6 messages (2.5 on average); an open ticket ends on the customer's message, a
    waiting one on the agent's."""
    mm = f"({h(n, 6)} % 100)"
    base = (
        f"(CASE WHEN {mm} < 25 THEN 1 WHEN {mm} < 55 THEN 2 WHEN {mm} < 80 THEN 3"
        f" WHEN {mm} < 92 THEN 4 WHEN {mm} < 98 THEN 5 ELSE 6 END)"
    )
    return (
        f"(CASE WHEN {status} = 'open' AND {base} % 2 = 0 THEN {base} - 1"
        f" WHEN {status} = 'waiting' AND {base} % 2 = 1 THEN {base} + 1 ELSE {base} END)"
    )


def status_of(s: Shape, created: str) -> str:
    """open / waiting / closed by age and a hash bucket (st, 0..9999)."""
    age = f"({s.anchor} - {created})"
    return (
        f"(CASE WHEN {age} < 2 * 86400 THEN"
        " (CASE WHEN st < 6000 THEN 'open' WHEN st < 7000 THEN 'waiting' ELSE 'closed' END)"
        f" WHEN {age} < 30 * 86400 THEN"
        " (CASE WHEN st < 300 THEN 'open' WHEN st < 700 THEN 'waiting' ELSE 'closed' END)"
        " ELSE (CASE WHEN st < 5 THEN 'open' WHEN st < 15 THEN 'waiting' ELSE 'closed' END)"
        " END)"
    )


# Open tickets, by `sub` (0..99): flagged, blocked, reopen later (assigned), due to their
# assignee (assigned, a customer wrote), the rest in the queue.
FLAGGED, BLOCKED, REOPEN, DUE = 8, 16, 24, 28


def ticket_core(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    """The CTEs up to `t3`: one row per ticket number with everything a ticket needs."""
    hour = (
        f"(SELECT id FROM bench_hour WHERE dom = {s.dom} AND first <= g.n"
        " ORDER BY first DESC LIMIT 1)"
    )
    in_window = f"t2.created >= {s.window_start}"
    return f"""{d.series(lo, hi)},
t1 AS (
  SELECT g.n, {hour} AS hour_id, {h("g.n", 1)} % {PICK_SLOTS} AS c_slot,
         {h("g.n", 2)} % {s.contacts} AS contact_i, {h("g.n", 3)} % 10000 AS st,
         {h("g.n", 10)} % 100 AS sub, {h("g.n", 8)} % 100 AS att_u, {h("g.n", 9)} % 1000 AS ag_u
  FROM g),
t2 AS (
  SELECT t1.*, c.id AS campaign_id, c.idx AS cidx, c.max_attempts, c.agents AS cagents,
         hr.t + (t1.n - hr.first) * hr.len / hr.cnt AS created
  FROM t1
  JOIN bench_hour hr ON hr.id = t1.hour_id
  JOIN bench_pick_campaign pc ON pc.dom = {s.dom} AND pc.slot = t1.c_slot
  JOIN bench_campaign c ON c.dom = {s.dom} AND c.idx = pc.idx),
t3 AS (
  SELECT t2.*, {status_of(s, "t2.created")} AS status,
         (CASE WHEN att_u < 75 THEN 0 WHEN att_u < 95 THEN 1 ELSE 2 END) AS extra,
         (CASE WHEN {in_window} THEN 1 ELSE 0 END) AS win
  FROM t2)"""


def open_kind(t: str) -> dict[str, str]:
    """Conditions on an open ticket's kind (by `sub`), for the row alias t."""
    open_ = f"{t}.status = 'open'"
    return {
        "flagged": f"({open_} AND {t}.sub < {FLAGGED})",
        "blocked": f"({open_} AND {t}.sub >= {FLAGGED} AND {t}.sub < {BLOCKED})",
        "reopen": f"({open_} AND {t}.sub >= {BLOCKED} AND {t}.sub < {REOPEN})",
        "assigned": f"({open_} AND {t}.sub >= {BLOCKED} AND {t}.sub < {DUE})",
    }


def ticket_attempts(d: Dialect, t: str) -> str:
    k = open_kind(t)
    return (
        f"(CASE WHEN {k['flagged']} THEN {t}.max_attempts"
        f" WHEN {k['blocked']} THEN {d.least(f'{t}.extra + 1', f'{t}.max_attempts - 1')}"
        f" WHEN {k['assigned']} THEN 1 WHEN {t}.win = 0 OR {t}.status = 'open' THEN 0"
        f" WHEN {t}.status = 'waiting' THEN {t}.extra + 1 ELSE {t}.extra END)"
    )


def final_code(n: str) -> str:
    return f"(CASE WHEN {h(n, 11)} % 100 < 92 THEN 'resolu' ELSE 'sans-suite' END)"


def satisfied(n: str) -> str:
    return f"(CASE WHEN {h(n, 13)} % 3 = 0 THEN 'no' ELSE 'yes' END)"


def answers(d: Dialect, n: str) -> str:
    """The answers of a ticket's qualifications (motif: joined as `mo`)."""
    return f"""'{{"motif": "' || mo.text || '", "satisfait": "' || {satisfied(n)} || '"}}'"""


def tickets(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    m = message_count("t3.n", "t3.status")
    last_in = f"(CASE WHEN ({m} - 1) % 2 = 0 THEN {m} - 1 ELSE {m} - 2 END)"
    last_out = f"(CASE WHEN ({m} - 1) % 2 = 1 THEN {m} - 1 ELSE {m} - 2 END)"
    k = open_kind("t5")
    qualification = d.json(
        f"""'{{"outcome": "' || {final_code("t5.n")} || '", "answers": ' || {answers(d, "t5.n")}
        || '}}'"""
    )
    unread = f"NOT ({k['blocked']} OR {k['reopen']} OR {k['flagged']})"
    priority = (
        "(CASE WHEN t5.att_u < 85 THEN 0 WHEN t5.att_u < 95 THEN 1"
        " WHEN t5.att_u < 99 THEN 2 ELSE 3 END)"
    )
    last_message = d.greatest("t5.m", "2 * t5.attempts + 1")
    waiting = (
        "(CASE WHEN t5.status = 'open' THEN t5.created + t5.last_in * t5.g ELSE t5.created END)"
    )
    return f"""{ticket_core(d, s, lo, hi)},
t4 AS (
  SELECT t3.*, {ticket_attempts(d, "t3")} AS attempts, {m} AS m, {last_in} AS last_in,
         {last_out} AS last_out
  FROM t3),
t5 AS (
  SELECT t4.*, {gap("t4", s, d)} AS g FROM t4)
INSERT INTO tickets_ticket (
  domain_id, number, campaign_id, contact_id, subject, status, assignee_id, has_unread,
  reopen_at, blocked_until, attempts, priority, is_automatic, created_at, updated_at,
  last_inbound_at, last_outbound_at, closing_qualification, locked_by_id, locked_until,
  waiting_since, flagged)
SELECT {s.domain_id}, t5.n, t5.campaign_id, {s.contact_base} + 1 + t5.contact_i, sj.text,
  t5.status,
  (CASE WHEN {k["assigned"]} THEN ba.user_id END),
  (CASE WHEN t5.status = 'open' AND {unread} THEN TRUE ELSE FALSE END),
  (CASE WHEN {k["reopen"]} THEN {d.ts(f"{s.anchor} + 3600 * (1 + t5.ag_u % 72)")} END),
  (CASE WHEN {k["blocked"]} THEN {d.ts(f"{s.anchor} + 600 + t5.ag_u * 3")} END),
  t5.attempts, {priority}, FALSE, {d.ts("t5.created")},
  {d.ts(f"t5.created + ({last_message} - 1) * t5.g")},
  {d.ts("t5.created + t5.last_in * t5.g")},
  (CASE WHEN t5.last_out > 0 THEN {d.ts("t5.created + t5.last_out * t5.g")} END),
  (CASE WHEN t5.status = 'closed' THEN {qualification} END),
  NULL, NULL, {d.ts(waiting)},
  (CASE WHEN {k["flagged"]} THEN TRUE ELSE FALSE END)
FROM t5
JOIN bench_subject sj ON sj.id = {h("t5.n", 4)} % {s.subjects}
JOIN bench_motif mo ON mo.id = {h("t5.n", 12)} % {len(MOTIFS)}
LEFT JOIN bench_agent ba ON ba.dom = {s.dom} AND ba.cidx = t5.cidx
  AND ba.k = t5.ag_u % t5.cagents"""


def processings_count(t: str) -> str:
    """Processings of a ticket row (tickets_ticket `t` with its `created` epoch as t.created):
    none outside the window; attempts, plus the final one when closed."""
    return (
        f"(CASE WHEN {t}.win = 0 THEN 0 WHEN {t}.status = 'closed' THEN {t}.attempts + 1"
        f" ELSE {t}.attempts END)"
    )


def gap(t: str, s: Shape, d: Dialect) -> str:
    """Seconds between a ticket's messages: half an hour to two days, squeezed so that every
    message and processing fits before the anchor (slots = max(messages, 2·processings) + 1)."""
    slots = d.greatest(f"{t}.m", f"2 * {t}.attempts + 2") + " + 1"
    base = f"(1800 + ({h(f'{t}.n', 7)} % 1000) * 170)"
    return d.least(base, f"({s.anchor} - {t}.created) / ({slots})")


def stored_tickets(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    """`ts`: the stored tickets of numbers lo..hi with m (messages), g (gap), p (processings)."""
    created = d.epoch("t.created_at")
    m = message_count("t.number", "t.status")
    return f"""WITH t0 AS (
  SELECT t.id, t.number AS n, t.campaign_id, t.contact_id, t.subject, t.status, t.attempts,
         t.assignee_id, t.flagged, t.reopen_at, {created} AS created, {m} AS m,
         (CASE WHEN {created} >= {s.window_start} THEN 1 ELSE 0 END) AS win
  FROM tickets_ticket t
  WHERE t.domain_id = {s.domain_id} AND t.number BETWEEN {lo} AND {hi}),
ts AS (
  SELECT t0.*, {gap("t0", s, d)} AS g, {processings_count("t0")} AS p FROM t0)"""


def messages(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    x = "(ts.n * 8 + k.k)"  # the message's own number, for its hashes
    inbound = "k.k % 2 = 0"
    note = f"(k.k % 2 = 1 AND {h(x, 41)} % {NOTE_RATE} = 0)"
    direction = f"(CASE WHEN {inbound} THEN 'inbound' WHEN {note} THEN 'note' ELSE 'outbound' END)"
    sentences = " || ' ' || ".join(f"s{i}.text" for i in range(1, 3))
    more = " ".join(
        f"|| (CASE WHEN {h(x, 42)} % 4 >= {i - 2} THEN ' ' || s{i}.text ELSE '' END)"
        for i in range(3, 6)
    )
    rare = f"(CASE WHEN {h(x, 43)} % {RARE_RATE} = 0 THEN ' ' || rs.text ELSE '' END)"
    customer_body = (
        f"op.text || '\n\n' || {sentences} {more} || {rare} || '\n\n' || cl.text || '\n' || ct.name"
    )
    agent_body = (
        f"aop.text || ' ' || ct.name || ',\n\n' || {sentences} {more} || '\n\n' || acl.text"
        " || '\n' || ba.name || '\n' || c.name"
    )
    mid = f"ts.n || '.' || k.k || '.{s.dom}@bench.example'"
    previous = f"ts.n || '.' || (k.k - 1) || '.{s.dom}@bench.example'"
    first = f"ts.n || '.0.{s.dom}@bench.example'"
    joins = "\n".join(
        f"JOIN bench_sentence s{i} ON s{i}.id = {h(x, 44 + i)} % {s.sentences}" for i in range(1, 6)
    )
    return f"""{stored_tickets(d, s, lo, hi)}
INSERT INTO tickets_message (
  domain_id, ticket_id, direction, raw_id, message_id, dedupe_key, in_reply_to, "references",
  from_email, from_name, "to", cc, reply_to, subject, date, text, html, is_automatic,
  automatic_reason, author_id, delivery_state, delivery_attempts, delivery_error,
  next_attempt_at, claimed_by, claimed_until, sent_at, created_at)
SELECT {s.domain_id}, ts.id, {direction}, NULL, {mid}, 'bench-' || ts.n || '-' || k.k,
  (CASE WHEN k.k = 0 THEN '' ELSE {previous} END),
  {d.json(f"(CASE WHEN k.k = 0 THEN '[]' ELSE '[\"' || {first} || '\"]' END)")},
  (CASE WHEN {inbound} THEN ct.email ELSE c.sender END),
  (CASE WHEN {inbound} THEN ct.name ELSE c.name END),
  {d.json(f"'[\"' || (CASE WHEN {inbound} THEN c.address ELSE ct.email END) || '\"]'")},
  {d.json("'[]'")}, {d.json("'[]'")},
  (CASE WHEN k.k = 0 THEN ts.subject ELSE 'RE: ' || ts.subject END),
  {d.ts("ts.created + k.k * ts.g")},
  (CASE WHEN {inbound} THEN {customer_body} ELSE {agent_body} END),
  '', FALSE, '',
  (CASE WHEN {inbound} THEN NULL ELSE ba.user_id END),
  (CASE WHEN {direction} = 'outbound' THEN 'sent' ELSE '' END),
  (CASE WHEN {direction} = 'outbound' THEN 1 ELSE 0 END), '', NULL, '', NULL,
  (CASE WHEN {direction} = 'outbound' THEN {d.ts("ts.created + k.k * ts.g + 5")} END),
  {d.ts("ts.created + k.k * ts.g")}
FROM ts
JOIN bench_k k ON k.k < ts.m
JOIN tickets_contact ct ON ct.id = ts.contact_id
JOIN bench_campaign c ON c.dom = {s.dom} AND c.id = ts.campaign_id
JOIN bench_agent ba ON ba.dom = {s.dom} AND ba.cidx = c.idx AND ba.k = {h(x, 40)} % c.agents
JOIN bench_opening op ON op.id = {h(x, 51)} % 5
JOIN bench_closing cl ON cl.id = {h(x, 52)} % 5
JOIN bench_agent_opening aop ON aop.id = {h(x, 53)} % 3
JOIN bench_agent_closing acl ON acl.id = {h(x, 54)} % 3
JOIN bench_rare_pick rp ON rp.slot = {h(x, 55)} % {RARE_SLOTS}
JOIN bench_rare rs ON rs.id = rp.rank
{joins}"""


def processings(d: Dialect, s: Shape, lo: int, hi: int) -> str:
    x = "(ts.n * 8 + j.k)"
    last = "j.k = ts.p - 1"
    earlier = f"{h(x, 60)} % 100"
    # A final outcome before the last processing: the customer wrote again (ticket_reopened).
    code = (
        f"(CASE WHEN {last} THEN (CASE"
        f" WHEN ts.status = 'closed' THEN {final_code('ts.n')}"
        " WHEN ts.status = 'waiting' THEN 'attente-client'"
        " WHEN ts.reopen_at IS NOT NULL THEN 'a-rappeler' ELSE 'non-termine' END)"
        " WHEN ts.flagged THEN 'non-termine'"
        f" WHEN ts.status = 'closed' AND {earlier} < 10 THEN 'resolu'"
        f" WHEN {earlier} < 75 THEN 'non-termine' WHEN {earlier} < 90 THEN 'attente-client'"
        " ELSE 'a-rappeler' END)"
    )
    start = "(ts.created + 2 * j.k * ts.g + ts.g / 4)"
    long = f"(CASE WHEN {h(x, 62)} % 10 = 0 THEN {h(x, 63)} % 1800 ELSE 0 END)"
    duration = d.greatest("1", d.least(f"45 + {h(x, 61)} % 600 + {long}", "ts.g / 2"))
    version = f"(CASE WHEN {start} < {s.anchor - s.window_days * 43200} THEN 1 ELSE 2 END)"
    reopen = (
        "(CASE WHEN o.kind = 'reopen_later' THEN (CASE WHEN pj.k = pj.p - 1 THEN pj.reopen_at"
        f" ELSE {d.ts('pj.start + pj.g')} END) END)"
    )
    agent = (
        "(CASE WHEN {last} AND ts.assignee_id IS NOT NULL THEN ts.assignee_id ELSE ba.user_id END)"
    )
    return f"""{stored_tickets(d, s, lo, hi)},
pj AS (
  SELECT ts.*, j.k, {code} AS code, {start} AS start, {duration} AS dur, {version} AS ver,
         {agent.format(last=last)} AS agent_id
  FROM ts
  JOIN bench_k j ON j.k < ts.p
  JOIN bench_campaign c ON c.dom = {s.dom} AND c.id = ts.campaign_id
  JOIN bench_agent ba ON ba.dom = {s.dom} AND ba.cidx = c.idx AND ba.k = {h(x, 64)} % c.agents)
INSERT INTO distribution_processing (
  domain_id, ticket_id, campaign_id, agent_id, started_at, ended_at, end_reason, outcome_code,
  outcome_label, outcome_kind, answers, script_version_id, reopen_at, counted_attempt,
  was_unread)
SELECT {s.domain_id}, pj.id, pj.campaign_id, pj.agent_id, {d.ts("pj.start")},
  {d.ts("pj.start + pj.dur")}, 'qualified', o.code, o.label, o.kind,
  {d.json(answers(d, "pj.n"))}, o.version_id, {reopen},
  (CASE WHEN o.kind = 'final' THEN FALSE ELSE TRUE END),
  (CASE WHEN pj.k = 0 THEN TRUE ELSE FALSE END)
FROM pj
JOIN bench_campaign c ON c.dom = {s.dom} AND c.id = pj.campaign_id
JOIN bench_outcome o ON o.script_id = c.script_id AND o.ver = pj.ver AND o.code = pj.code
JOIN bench_motif mo ON mo.id = {h("pj.n", 12)} % {len(MOTIFS)}"""
