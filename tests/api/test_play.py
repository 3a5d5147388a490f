"""Play through the API: next, qualify, release, heartbeat."""

from datetime import timedelta

from django.utils import timezone

from comptoir.distribution.models import EndReason, Processing
from comptoir.scripts.models import QualificationOutcome
from comptoir.tickets.models import Ticket, TicketStatus
from tests.api.conftest import Api, ApiAcme, new_ticket
from tests.conftest import script_version


def test_next_serves_a_ticket_locked_to_the_caller(world: ApiAcme, api: Api) -> None:
    ticket = new_ticket(world.acme.domain)
    answer = api.post("/campaigns/support/next", world.alice_token)
    assert answer.status == 200
    assert answer.body["ticket"]["number"] == ticket.number
    assert answer.body["ticket"]["locked_by"] == "alice"
    processing = Processing.objects.get(pk=answer.body["processing"])
    assert processing.agent == world.acme.agent
    assert answer.body["ticket"]["processing"] == processing.pk
    # Asking again serves the same ticket: it is the one the agent holds.
    again = api.post("/campaigns/support/next", world.alice_token)
    assert again.body["processing"] == processing.pk


def test_next_says_why_there_is_nothing(world: ApiAcme, api: Api) -> None:
    answer = api.post("/campaigns/support/next", world.alice_token)
    assert answer.status == 200
    assert answer.body["ticket"] is None
    assert answer.body["reason"]
    assert answer.body["opens_at"] is None


def test_next_on_a_closed_campaign_gives_its_opening_date(world: ApiAcme, api: Api) -> None:
    support = world.acme.support
    support.planning_start = timezone.now() + timedelta(days=2)
    support.save(update_fields=["planning_start"])
    new_ticket(world.acme.domain)
    answer = api.post("/campaigns/support/next", world.alice_token)
    assert answer.body["ticket"] is None
    assert answer.body["opens_at"] is not None


def test_next_on_a_campaign_not_given_to_the_caller_is_404(world: ApiAcme, api: Api) -> None:
    # sam supervises but is in no agent team; "nowhere" does not exist.
    assert api.post("/campaigns/support/next", world.sam_token).status == 404
    assert api.post("/campaigns/nowhere/next", world.alice_token).status == 404


def served(world: ApiAcme, api: Api) -> int:
    number = new_ticket(world.acme.domain).number
    assert api.post("/campaigns/support/next", world.alice_token).body["ticket"]["number"] == number
    assert number is not None
    return number


def test_qualify_with_a_final_outcome_closes_the_ticket(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, {"outcome": "done"})
    assert answer.status == 200
    assert answer.body["outcome"]["code"] == "done"
    assert answer.body["end_reason"] == EndReason.QUALIFIED
    assert answer.body["script"] is None  # the standard outcomes
    ticket = Ticket.objects.get(domain=world.acme.domain, number=number)
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.locked_by is None


def test_a_qualification_names_the_script_version_it_used(world: ApiAcme, api: Api) -> None:
    version = script_version(world.acme.support)
    QualificationOutcome.objects.create(
        domain=world.acme.domain, version=version, code="ok", label="OK", kind="final"
    )
    number = served(world, api)
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, {"outcome": "ok"})
    assert answer.status == 200
    expected = {"id": version.script_id, "name": version.script.name, "version": 1}
    assert answer.body["script"] == expected


def test_qualify_reopen_later_takes_an_iso_date(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    when = (timezone.now() + timedelta(days=1)).replace(microsecond=0)
    data = {"outcome": "reopen-later", "answers": {}, "reopen_at": when.isoformat()}
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, data)
    assert answer.status == 200
    ticket = Ticket.objects.get(domain=world.acme.domain, number=number)
    assert ticket.reopen_at == when
    assert ticket.assignee == world.acme.agent


def test_qualify_with_an_unknown_outcome_is_400_by_field(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, {"outcome": "bof"})
    assert answer.status == 400
    assert set(answer.body["fields"]) == {"outcome"}
    missing_date = api.post(
        f"/tickets/{number}/qualify", world.alice_token, {"outcome": "reopen-later"}
    )
    assert set(missing_date.body["fields"]) == {"reopen_at"}
    for wrong in ["2030-01-01T09:00:00", "2030-04-31T09:00:00+02:00", "demain", 12]:
        data = {"outcome": "reopen-later", "reopen_at": wrong}
        answer = api.post(f"/tickets/{number}/qualify", world.alice_token, data)
        assert answer.status == 400, wrong
        assert set(answer.body["fields"]) == {"reopen_at"}
    not_an_object = {"outcome": "done", "answers": ["yes"]}
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, not_an_object)
    assert set(answer.body["fields"]) == {"answers"}
    assert Processing.objects.get(ticket__number=number).ended_at is None


def test_qualify_or_release_without_a_processing_is_409(world: ApiAcme, api: Api) -> None:
    number = new_ticket(world.acme.domain).number
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, {"outcome": "done"})
    assert answer.status == 409
    assert answer.body["error"]
    assert api.post(f"/tickets/{number}/release", world.alice_token).status == 409
    assert api.post(f"/tickets/{number}/heartbeat", world.alice_token).status == 409


def test_release_puts_the_ticket_back_without_an_attempt(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    answer = api.post(f"/tickets/{number}/release", world.alice_token)
    assert answer.status == 200
    assert answer.body["end_reason"] == EndReason.RELEASED
    assert answer.body["counted_attempt"] is False
    ticket = Ticket.objects.get(domain=world.acme.domain, number=number)
    assert (ticket.locked_by, ticket.attempts) == (None, 0)
    assert api.get(f"/tickets/{number}", world.alice_token).body["processing"] is None


def test_heartbeat_renews_the_lock(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    Ticket.objects.filter(number=number).update(locked_until=timezone.now())
    answer = api.post(f"/tickets/{number}/heartbeat", world.alice_token)
    assert answer.status == 200
    ticket = Ticket.objects.get(domain=world.acme.domain, number=number)
    assert ticket.locked_until is not None and ticket.locked_until > timezone.now()
    assert answer.body["locked_until"] == ticket.locked_until.isoformat()


def test_heartbeat_after_another_agent_took_the_ticket_is_409(world: ApiAcme, api: Api) -> None:
    number = served(world, api)
    Ticket.objects.filter(number=number).update(locked_until=timezone.now() - timedelta(hours=1))
    assert api.post("/campaigns/support/next", world.bob_token).body["ticket"]["number"] == number
    assert api.post(f"/tickets/{number}/heartbeat", world.alice_token).status == 409
    answer = api.post(f"/tickets/{number}/qualify", world.alice_token, {"outcome": "done"})
    assert answer.status == 409
