"""Issue 10, finding 10: every answer under /api/ is JSON, and described.

Each payload of the finding (a NUL byte in a reply, a lone surrogate in a note, deeply nested
JSON, a body over the upload limit, a path with a newline) once gave an HTML page, most of
them a 500. They now get a JSON error with the status the OpenAPI document describes.
"""

import json

import pytest
from django.conf import settings
from django.test import Client

from comptoir.api.body import MAX_DEPTH
from comptoir.tickets import outbound
from comptoir.tickets.models import Message
from comptoir.tickets.outbound import ReplyError
from tests.api.conftest import ApiAcme, make_api_acme, new_ticket


@pytest.fixture
def world(db: None) -> ApiAcme:
    return make_api_acme()


def send(
    method: str, path: str, token: str | None, body: bytes | str = b"", **headers: str
) -> tuple[int, dict[str, object]]:
    """The status and the JSON body of a raw request; fails when the answer is not JSON."""
    client = Client(raise_request_exception=False)
    if token:
        headers["Authorization"] = f"Bearer {token}"
    response = client.generic(method, path, body, content_type="application/json", headers=headers)
    assert response["Content-Type"].startswith("application/json"), (
        response.status_code,
        response.content[:300],
    )
    return response.status_code, json.loads(response.content)


def test_a_nul_byte_in_a_reply_is_a_400_by_field(world: ApiAcme) -> None:
    number = new_ticket(world.acme.domain).number
    body = json.dumps({"text": "Bonjour\u0000 madame"})
    status, answer = send("POST", f"/api/v1/tickets/{number}/reply", world.alice_token, body)
    assert status == 400
    assert set(answer["fields"]) == {"text"}  # type: ignore[arg-type]
    assert not Message.objects.filter(domain=world.acme.domain, direction="outbound").exists()


def test_a_lone_surrogate_in_a_note_is_a_400_by_field(world: ApiAcme) -> None:
    number = new_ticket(world.acme.domain).number
    body = '{"text": "note \\ud800 here"}'
    status, answer = send("POST", f"/api/v1/tickets/{number}/notes", world.alice_token, body)
    assert status == 400
    assert set(answer["fields"]) == {"text"}  # type: ignore[arg-type]


@pytest.mark.parametrize("field", ["outcome", "answers", "cc"])
def test_unstorable_text_anywhere_in_a_body_is_a_400(world: ApiAcme, field: str) -> None:
    number = new_ticket(world.acme.domain).number
    values = {"outcome": "do\u0000ne", "answers": {"q\ud800": "x"}, "cc": ["a\u0000@b.test"]}
    body = json.dumps({"text": "ok", field: values[field]})
    path = f"/api/v1/tickets/{number}/" + ("reply" if field == "cc" else "qualify")
    status, answer = send("POST", path, world.alice_token, body)
    assert status == 400, answer


@pytest.mark.parametrize("depth", [100, 5_000, 200_000])
def test_deeply_nested_json_is_a_400(world: ApiAcme, depth: int) -> None:
    number = new_ticket(world.acme.domain).number
    body = '{"text": "x", "answers": ' + "[" * depth + "]" * depth + "}"
    status, answer = send("POST", f"/api/v1/tickets/{number}/notes", world.alice_token, body)
    assert status == 400
    assert str(MAX_DEPTH) in str(answer["error"])  # "nested too deeply (at most 32 levels)"


def test_a_body_over_the_limit_is_a_413(world: ApiAcme) -> None:
    number = new_ticket(world.acme.domain).number
    body = json.dumps({"text": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    status, answer = send("POST", f"/api/v1/tickets/{number}/notes", world.alice_token, body)
    assert status == 413
    assert answer["error"]


def test_a_body_that_is_not_utf8_is_a_400(world: ApiAcme) -> None:
    number = new_ticket(world.acme.domain).number
    body = '{"text": "caf\xe9"}'.encode("latin-1")
    status, _answer = send("POST", f"/api/v1/tickets/{number}/notes", world.alice_token, body)
    assert status == 400


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/1\n",
        "/api/v1/tickets/1%0a",
        "/api/v1/nowhere\n/x",
        "/api/v2/tickets",
        "/api/",
        "/api",
        "/api/v1",
    ],
)
def test_unknown_api_paths_are_a_json_404(world: ApiAcme, path: str) -> None:
    status, answer = send("GET", path, world.alice_token)
    assert status == 404
    assert answer["error"]


def test_a_wrong_method_is_a_json_405(world: ApiAcme) -> None:
    status, _answer = send("PUT", "/api/v1/campaigns", world.alice_token)
    assert status == 405
    status, _answer = send("POST", "/api/v1/openapi.json", None)
    assert status == 405


def test_an_unexpected_failure_is_a_json_500(
    world: ApiAcme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug must still answer JSON: the failure is forced, since no known input causes one."""
    from comptoir.api import views

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "campaign_json", broken)
    new_ticket(world.acme.domain)
    status, answer = send("GET", "/api/v1/campaigns", world.alice_token)
    assert status == 500
    assert "a bug" not in str(answer)


def test_an_empty_text_is_refused_and_the_document_says_so(world: ApiAcme) -> None:
    number = new_ticket(world.acme.domain).number
    for operation in ("reply", "notes"):
        path = f"/api/v1/tickets/{number}/{operation}"
        status, _answer = send("POST", path, world.alice_token, '{"text": ""}')
        assert status == 400
    status, document = send("GET", "/api/v1/openapi.json", None)
    schemas = document["components"]["schemas"]  # type: ignore[index]
    assert schemas["ReplyRequest"]["properties"]["text"]["minLength"] == 1
    assert schemas["NoteRequest"]["properties"]["text"]["minLength"] == 1


@pytest.mark.parametrize("text", ["nul \u0000 byte", "lone \ud800 surrogate"])
def test_the_reply_and_note_actions_refuse_unstorable_text(world: ApiAcme, text: str) -> None:
    """The check lives in the core too: the web forms and commands reach the same actions."""
    ticket = new_ticket(world.acme.domain)
    with pytest.raises(ReplyError):
        outbound.reply(ticket, author=world.acme.agent, text=text)
    with pytest.raises(ReplyError):
        outbound.add_note(ticket, author=world.acme.agent, text=text)
    assert Message.objects.filter(domain=world.acme.domain, ticket=ticket).count() == 1
