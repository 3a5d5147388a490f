"""The processings detail: one row per processing ended in the period, its values computed
by hand here, the rights of each persona, the filters, and reading by pages."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from comptoir.campaigns.models import Campaign
from comptoir.distribution.actions import claim_next_ticket
from comptoir.scripts.models import FieldType, QualificationField, ScriptVersion
from comptoir.supervision import processings
from comptoir.supervision.processings import (
    ProcessingQuery,
    export_filename,
    processing_page,
    processing_rows,
)
from comptoir.supervision.tabular import Kind
from comptoir.tenancy.models import Domain, Role, Team, User
from tests.conftest import make_acme
from tests.distribution.conftest import customer_writes, make_agent
from tests.supervision.conftest import MONDAY, World, processed

PARIS = ZoneInfo("Europe/Paris")


def monday(world: World, **filters: object) -> ProcessingQuery:
    """Monday 2 November 2026, a whole local day."""
    start = datetime(2026, 11, 2, tzinfo=PARIS)
    return ProcessingQuery(world.acme.domain, start, start + timedelta(days=1), **filters)  # type: ignore[arg-type]


def rows_of(user: User, query: ProcessingQuery, **options: bool) -> list[dict[str, object]]:
    table = processing_rows(user, query, **options)
    keys = [column.key for column in table.columns]
    return [dict(zip(keys, row, strict=True)) for row in table.rows]


def play_monday(world: World) -> None:
    """alice's Monday: two support tickets, one orders ticket, one still open at the end."""
    acme = world.acme
    reopen = MONDAY + timedelta(days=2)
    answers = {"motif": "Facture erronée", "montant": "12,50", "rappel": "oui",
               "echeance": "2026-11-30"}  # fmt: skip
    processed(acme, acme.support, MONDAY, 95, outcome="rappel", answers=answers, reopen_at=reopen)
    processed(acme, acme.support, MONDAY + timedelta(hours=1), 30, outcome="resolu")
    processed(acme, acme.orders, MONDAY + timedelta(hours=2), 61, outcome="done")
    customer_writes(acme)
    live = claim_next_ticket(acme.agent, acme.support, now=MONDAY + timedelta(hours=3))
    assert live.processing is not None  # not ended: not in any export


def test_one_row_per_ended_processing_with_its_values(world: World) -> None:
    play_monday(world)
    with translation.override("en"):
        rows = rows_of(world.sam, monday(world), keys_header=True)
    assert [row["ticket"] for row in rows] == [1, 2, 3]
    first = rows[0]
    assert first["campaign_slug"] == "support" and first["campaign"] == "Support"
    assert (first["agent_login"], first["agent"]) == ("alice", "Alice Dupré")
    assert first["started_at"] == MONDAY and first["ended_at"] == MONDAY + timedelta(seconds=95)
    assert first["duration_seconds"] == 95
    assert (first["end_reason"], first["outcome_code"], first["outcome_kind"]) == (
        "qualified",
        "rappel",
        "reopen_later",
    )
    assert first["outcome"] == "À rappeler « vite »"
    assert (first["script"], first["script_version"]) == (
        f"Script support {world.acme.support.pk}",
        1,
    )
    assert first["counted_attempt"] is True
    assert first["reopen_at"] == MONDAY + timedelta(days=2)
    assert first["answer_motif"] == "Facture erronée"
    assert first["answer_montant"] == Decimal("12.50")
    assert first["answer_rappel"] is True
    assert first["answer_echeance"] == date(2026, 11, 30)
    second, third = rows[1], rows[2]
    assert (second["duration_seconds"], second["counted_attempt"]) == (30, False)
    assert second["answer_motif"] is None and second["reopen_at"] is None
    # orders has no script: the standard outcomes, no version, no answers.
    assert (third["outcome_code"], third["script"], third["script_version"]) == ("done", None, None)


def test_the_labels_header_and_words_are_in_the_readers_language(world: World) -> None:
    play_monday(world)
    with translation.override("fr"):
        table = processing_rows(world.sam, monday(world))
        first = next(iter(table.rows))
    labels = [column.label for column in table.columns]
    assert labels[:2] == ["Traitement", "Ticket"] and "Durée (secondes)" in labels
    assert labels[-4:] == ["Motif", "Montant (€)", "Rappel souhaité", "Échéance"]
    kinds = {column.key: column.kind for column in table.columns}
    assert kinds["answer_montant"] == Kind.DECIMAL and kinds["ended_at"] == Kind.DATETIME
    assert first[9] == "Qualifié"  # the end reason, in words


def test_the_period_is_of_ended_processings_in_local_days(world: World) -> None:
    acme = world.acme
    ends = [
        datetime(2026, 11, 1, 23, 59, 59, tzinfo=PARIS),  # Sunday: before
        datetime(2026, 11, 2, 0, 0, 0, tzinfo=PARIS),  # Monday's first instant: in
        datetime(2026, 11, 2, 23, 59, 59, tzinfo=PARIS),  # in
        datetime(2026, 11, 3, 0, 0, 0, tzinfo=PARIS),  # Tuesday: after
    ]
    for end in ends:
        processed(acme, acme.support, end - timedelta(seconds=40), 40, outcome="resolu")
    assert [row["ticket"] for row in rows_of(world.sam, monday(world))] == [2, 3]


def test_a_supervisor_of_one_campaign_gets_nothing_of_another(world: World) -> None:
    play_monday(world)
    world.sue.can_export = True
    assert [row["campaign_slug"] for row in rows_of(world.sue, monday(world))] == [
        "support",
        "support",
    ]
    with pytest.raises(Campaign.DoesNotExist):
        processing_rows(world.sue, monday(world, campaign_ids=[world.acme.orders.pk]))


def test_administrators_export_their_whole_domain(world: World) -> None:
    play_monday(world)
    assert len(rows_of(world.ada, monday(world))) == 3


def test_agents_and_users_without_the_right_are_refused(world: World) -> None:
    alice = world.acme.agent
    alice.can_export = True  # the right alone: she supervises nothing
    for user in (alice, world.acme.supervisor):
        if user is world.acme.supervisor:
            user.can_export = False
        with pytest.raises(PermissionDenied):
            processing_rows(user, monday(world))


def test_another_domain_gets_nothing(world: World) -> None:
    play_monday(world)
    globex = make_acme("globex")
    boss = User.objects.create_user(domain=globex.domain, login="boss", role=Role.ADMIN)
    boss.apply_role_rights()
    start = datetime(2026, 11, 2, tzinfo=PARIS)
    assert rows_of(boss, ProcessingQuery(globex.domain, start)) == []
    with pytest.raises(PermissionDenied):
        processing_rows(boss, monday(world))
    with pytest.raises(Campaign.DoesNotExist):
        query = ProcessingQuery(globex.domain, start, campaign_ids=[world.acme.support.pk])
        processing_rows(boss, query)


def test_filters_by_campaign_team_and_agent(world: World) -> None:
    play_monday(world)
    bob = make_agent(world.acme, "bob")
    agents = Team.objects.get(domain=world.acme.domain, name="Agents")
    sam = world.sam
    assert len(rows_of(sam, monday(world, campaign_ids=[world.acme.orders.pk]))) == 1
    assert len(rows_of(sam, monday(world, team_ids=[agents.pk]))) == 3
    assert rows_of(sam, monday(world, agent_ids=[bob.pk])) == []
    alice_only = monday(world, team_ids=[agents.pk], agent_ids=[world.acme.agent.pk])
    assert len(rows_of(sam, alice_only)) == 3
    stranger = make_acme("globex").agent
    with pytest.raises(User.DoesNotExist):
        processing_rows(sam, monday(world, agent_ids=[stranger.pk]))
    with pytest.raises(ValidationError):
        processing_rows(sam, monday(world, agent_ids=[2**70]))


def test_the_period_must_be_aware_and_in_order(world: World) -> None:
    start = datetime(2026, 11, 2, tzinfo=PARIS)
    for query in (
        ProcessingQuery(world.acme.domain, start.replace(tzinfo=None)),
        ProcessingQuery(world.acme.domain, start, start),
    ):
        with pytest.raises(ValidationError):
            processing_rows(world.sam, query)


def many_processings(world: World, count: int) -> None:
    from tests.supervision.conftest import bulk_processings

    ticket = customer_writes(world.acme)
    bulk_processings(ticket, world.acme.agent, count, first_end=MONDAY, version=world.version)


def test_pages_read_every_row_once_in_order_ties_included(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(processings, "PAGE", 3)
    many_processings(world, 8)
    # Three processings end at the same second as others: the id breaks the tie.
    from comptoir.distribution.models import Processing

    ids = list(Processing.objects.order_by("id").values_list("id", flat=True))
    # The last three end at the same second as the first: the id orders them, and a page
    # ends inside that tie.
    Processing.objects.filter(id__in=ids[5:]).update(ended_at=MONDAY)
    found = [row["processing"] for row in rows_of(world.sam, monday(world))]
    assert found == [ids[0], *ids[5:], *ids[1:5]]


def test_api_pages_follow_their_cursor_to_the_end(world: World) -> None:
    many_processings(world, 5)
    seen, cursor = [], ""
    while True:
        page = processing_page(world.sam, monday(world), cursor=cursor, size=2)
        seen += [row["processing"] for row in page.rows]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 5 == len(set(seen))
    first = processing_page(world.sam, monday(world), size=1).rows[0]
    assert first["ended_at"] == "2026-11-02T09:00:00+01:00"
    assert first["answers"] == {"motif": "Réclamation n°0", "montant": "12.5", "rappel": True}
    for bad in ("nope", "bm9wZQ", "MjAyNi0xMS0wMlQwOTowMDowMCswMTowMHwtMQ"):
        with pytest.raises(ValidationError):
            processing_page(world.sam, monday(world), cursor=bad)


def test_a_question_kept_across_versions_is_one_column_typed_as_text_if_they_differ(
    world: World,
) -> None:
    processed(world.acme, world.acme.support, MONDAY, 10, outcome="resolu",
              answers={"montant": "3"})  # fmt: skip
    newer = ScriptVersion.objects.create(
        domain=world.acme.domain, script=world.version.script, number=2
    )
    for name, label, field_type in [
        ("montant", "Montant", FieldType.TEXT),
        ("canal", "Canal", FieldType.TEXT),
    ]:
        QualificationField.objects.create(
            domain=world.acme.domain, version=newer, name=name, label=label,
            field_type=field_type,
        )  # fmt: skip
    from comptoir.scripts.models import QualificationOutcome

    QualificationOutcome.objects.create(
        domain=world.acme.domain, version=newer, code="resolu", label="Réglé", kind="final"
    )
    processed(world.acme, world.acme.support, MONDAY + timedelta(hours=1), 10, outcome="resolu",
              answers={"montant": "quatre", "canal": "mail"})  # fmt: skip
    table = processing_rows(world.sam, monday(world), keys_header=True)
    kinds = {column.key: column.kind for column in table.columns}
    labels = {column.key: column.label for column in table.columns}
    assert kinds["answer_montant"] == Kind.TEXT and labels["answer_montant"] == "Montant"
    rows = [dict(zip(kinds, row, strict=True)) for row in table.rows]
    assert [row["answer_montant"] for row in rows] == ["3", "quatre"]
    # A code renamed between versions shows under each version's label.
    assert [(row["outcome"], row["script_version"]) for row in rows] == [
        ("Résolu", 1),
        ("Réglé", 2),
    ]


def test_the_filename_names_the_days_and_the_campaign(world: World) -> None:
    with translation.override("fr"):
        name = export_filename(monday(world), "csv", campaign="Réclamations / SAV")
        assert name == "traitements-2026-11-02-Réclamations-SAV.csv"
        week = ProcessingQuery(
            world.acme.domain,
            datetime(2026, 11, 2, tzinfo=PARIS),
            datetime(2026, 11, 9, tzinfo=PARIS),
        )
        assert export_filename(week, "xlsx") == "traitements-2026-11-02_2026-11-08.xlsx"


def test_a_domain_without_campaigns_supervised_is_refused(db: None) -> None:
    domain = Domain.objects.create(slug="empty", name="Empty")
    lone = User.objects.create_user(domain=domain, login="lone", role=Role.SUPERVISOR)
    lone.can_export = True
    with pytest.raises(PermissionDenied):
        processing_rows(lone, ProcessingQuery(domain, datetime(2026, 11, 2, tzinfo=PARIS)))
