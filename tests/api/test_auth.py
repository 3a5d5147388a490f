"""Bearer tokens: who gets in, and how everyone else is told (401 or 403, in JSON)."""

from comptoir.api.actions import revoke_token
from comptoir.api.models import ApiToken
from tests.api.conftest import Api, ApiAcme, new_ticket


def test_request_without_token_is_401_with_bearer_challenge(world: ApiAcme, api: Api) -> None:
    answer = api.get("/campaigns", None)
    assert answer.status == 401
    assert answer.body["error"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_token_is_401(world: ApiAcme, api: Api) -> None:
    for token in ["cpt_not-a-real-token", "nonsense", world.alice_token + "x"]:
        answer = api.get("/campaigns", token)
        assert answer.status == 401, token
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_other_authorization_scheme_is_401(world: ApiAcme, api: Api) -> None:
    response = api.client.get(
        "/api/v1/campaigns", headers={"Authorization": f"Basic {world.alice_token}"}
    )
    assert response.status_code == 401


def test_revoked_token_is_401(world: ApiAcme, api: Api) -> None:
    revoke_token(ApiToken.objects.get(user=world.acme.agent))
    assert api.get("/campaigns", world.alice_token).status == 401


def test_user_without_the_api_right_is_403(world: ApiAcme, api: Api) -> None:
    world.acme.agent.can_use_api = False
    world.acme.agent.save(update_fields=["can_use_api"])
    answer = api.get("/campaigns", world.alice_token)
    assert answer.status == 403
    assert answer.body["error"]


def test_deactivated_user_is_401(world: ApiAcme, api: Api) -> None:
    world.acme.agent.is_active = False
    world.acme.agent.save(update_fields=["is_active"])
    assert api.get("/campaigns", world.alice_token).status == 401


def test_token_use_is_stamped(world: ApiAcme, api: Api) -> None:
    token = ApiToken.objects.get(user=world.acme.agent)
    assert token.last_used_at is None
    assert api.get("/campaigns", world.alice_token).status == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_a_hash_of_the_token_is_stored(world: ApiAcme) -> None:
    token = ApiToken.objects.get(user=world.acme.agent)
    assert world.alice_token.startswith("cpt_")
    assert token.key_prefix == world.alice_token[:12]
    assert world.alice_token not in (token.key_hash, token.key_prefix)


def test_posts_need_no_csrf_token_and_no_cookie(world: ApiAcme, api: Api) -> None:
    # The client enforces CSRF checks, as a browser-facing Django does.
    ticket = new_ticket(world.acme.domain)
    answer = api.post(f"/tickets/{ticket.number}/notes", world.alice_token, {"text": "vu"})
    assert answer.status == 201


def test_unknown_endpoint_and_wrong_method_answer_json(world: ApiAcme, api: Api) -> None:
    missing = api.get("/nothing/here", world.alice_token)
    assert missing.status == 404 and missing.body["error"]
    wrong = api.call("PUT", "/campaigns", world.alice_token)
    assert wrong.status == 405
    assert wrong.headers["Allow"] == "GET"
