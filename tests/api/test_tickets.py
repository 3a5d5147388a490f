"""A ticket through the API: what GET shows, assign, reply, notes."""

from comptoir.tickets.models import DeliveryState, Direction, Message
from tests.api.conftest import Api, ApiAcme, new_ticket
from tests.mail.mail_client import customer_mail


def test_get_ticket_shows_the_ticket_and_its_thread(world: ApiAcme, api: Api) -> None:
    ticket = new_ticket(world.acme.domain, subject="Colis abîmé")
    answer = api.get(f"/tickets/{ticket.number}", world.alice_token)
    assert answer.status == 200
    body = answer.body
    assert body["number"] == ticket.number
    assert body["subject"] == "Colis abîmé"
    assert body["status"] == "open"
    assert body["campaign"] == "support"
    assert body["contact"] == {"email": "claire@client.test", "name": "Claire Client"}
    assert body["assignee"] is None and body["locked_by"] is None
    assert body["processing"] is None
    assert set(body) >= {"attempts", "priority", "flagged", "reopen_at", "blocked_until"}
    assert set(body) >= {"locked_until", "created_at"}
    [message] = body["messages"]
    assert message["direction"] == "inbound"
    assert message["from"] == {"email": "claire@client.test", "name": "Claire Client"}
    assert message["text"].startswith("Bonjour")
    assert message["attachments"] == []
    assert message["delivery"] is None and message["author"] is None
    assert message["id"] == Message.objects.get(ticket=ticket).pk


def test_get_ticket_lists_attachments(world: ApiAcme, api: Api) -> None:
    from comptoir.mail.ingest import ingest_email
    from tests.mail.mail_client import parse

    mail = parse(customer_mail("claire@client.test", "Facture", "att-1@client.test"))
    mail.add_attachment(b"%PDF-1.4 ...", maintype="application", subtype="pdf", filename="f.pdf")
    result = ingest_email(bytes(mail), domain=world.acme.domain, recipients=["support@acme.test"])
    number = result.ticket
    [message] = api.get(f"/tickets/{number}", world.alice_token).body["messages"]
    [attachment] = message["attachments"]
    assert attachment["filename"] == "f.pdf"
    assert attachment["content_type"] == "application/pdf"
    assert attachment["size"] == len(b"%PDF-1.4 ...")


def test_assign_to_me_then_remove_my_assignment(world: ApiAcme, api: Api) -> None:
    number = new_ticket(world.acme.domain).number
    answer = api.post(f"/tickets/{number}/assign", world.alice_token)
    assert answer.status == 200
    assert answer.body["assignee"] == "alice"
    assert api.post(f"/tickets/{number}/assign", world.alice_token).status == 200
    answer = api.delete(f"/tickets/{number}/assign", world.alice_token)
    assert answer.status == 200
    assert answer.body["assignee"] is None
    # Nothing to remove now.
    assert api.delete(f"/tickets/{number}/assign", world.alice_token).status == 409


def test_reply_is_queued_and_answered_201(world: ApiAcme, api: Api) -> None:
    number = new_ticket(world.acme.domain).number
    data = {"text": "Bonjour Claire,\nc'est réparé.", "cc": ["chef@client.test"]}
    answer = api.post(f"/tickets/{number}/reply", world.alice_token, data)
    assert answer.status == 201
    assert answer.body["direction"] == "outbound"
    assert answer.body["delivery"]["state"] == DeliveryState.QUEUED
    assert answer.body["author"] == "alice"
    assert answer.body["to"][0]["email"] == "claire@client.test"
    assert answer.body["cc"] == [{"email": "chef@client.test", "name": ""}]
    assert f"[#{number}]" in answer.body["subject"]
    stored = Message.objects.get(pk=answer.body["id"])
    assert stored.delivery_state == DeliveryState.QUEUED
    thread = api.get(f"/tickets/{number}", world.alice_token).body["messages"]
    assert [m["direction"] for m in thread] == ["inbound", "outbound"]


def test_reply_refused_with_400(world: ApiAcme, api: Api) -> None:
    number = new_ticket(world.acme.domain).number
    empty = api.post(f"/tickets/{number}/reply", world.alice_token, {"text": "  "})
    assert empty.status == 400 and empty.body["error"]
    bad_cc = api.post(f"/tickets/{number}/reply", world.alice_token, {"text": "ok", "cc": "x"})
    assert bad_cc.status == 400 and set(bad_cc.body["fields"]) == {"cc"}
    typo = {"text": "ok", "cc": ["not an address"]}
    assert api.post(f"/tickets/{number}/reply", world.alice_token, typo).status == 400
    broken = api.client.post(
        f"/api/v1/tickets/{number}/reply",
        "{not json",
        content_type="application/json",
        headers={"Authorization": f"Bearer {world.alice_token}"},
    )
    assert broken.status_code == 400
    assert not Message.objects.filter(direction=Direction.OUTBOUND).exists()


def test_note_is_added_201(world: ApiAcme, api: Api) -> None:
    number = new_ticket(world.acme.domain).number
    answer = api.post(f"/tickets/{number}/notes", world.alice_token, {"text": "Client VIP"})
    assert answer.status == 201
    assert answer.body["direction"] == "note"
    assert answer.body["text"] == "Client VIP"
    assert answer.body["delivery"] is None
    assert api.post(f"/tickets/{number}/notes", world.alice_token, {}).status == 400


def test_user_without_the_right_to_process_gets_403_on_actions(world: ApiAcme, api: Api) -> None:
    number = new_ticket(world.acme.domain).number
    world.acme.agent.can_process = False
    world.acme.agent.save(update_fields=["can_process"])
    assert api.get(f"/tickets/{number}", world.alice_token).status == 200
    assert api.post(f"/tickets/{number}/notes", world.alice_token, {"text": "x"}).status == 403
    assert api.post(f"/tickets/{number}/assign", world.alice_token).status == 403


def test_campaigns_lists_what_the_user_sees_and_may_play(world: ApiAcme, api: Api) -> None:
    mine = api.get("/campaigns", world.alice_token).body["campaigns"]
    assert {(c["slug"], c["playable"]) for c in mine} == {("support", True), ("orders", True)}
    sams = api.get("/campaigns", world.sam_token).body["campaigns"]
    assert {(c["slug"], c["playable"]) for c in sams} == {("support", False), ("orders", False)}


def test_assign_refused_while_another_agent_processes_or_to_a_non_agent(
    world: ApiAcme, api: Api
) -> None:
    number = new_ticket(world.acme.domain).number
    assert api.post("/campaigns/support/next", world.bob_token).body["ticket"]["number"] == number
    answer = api.post(f"/tickets/{number}/assign", world.alice_token)
    assert answer.status == 409 and answer.body["error"]
    # sam supervises but is in no agent team of the campaign: play never serves him.
    assert api.post(f"/tickets/{number}/assign", world.sam_token).status == 403
