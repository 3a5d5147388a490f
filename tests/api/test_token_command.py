"""`comptoir token create|list|revoke`."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.api.models import ApiToken
from tests.api.conftest import Api, ApiAcme


def token(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_only_a_token_that_works(world: ApiAcme, api: Api) -> None:
    out, _err = token("create", "--domain", "acme", "--user", "sam", "--name", "crm")
    key = out.strip()
    assert out == key + "\n"
    assert key.startswith("cpt_")
    assert api.get("/campaigns", key).status == 200
    assert ApiToken.objects.filter(user=world.acme.supervisor, name="crm").count() == 1


def test_create_warns_when_the_user_may_not_use_the_api(world: ApiAcme) -> None:
    world.bob.can_use_api = False
    world.bob.save(update_fields=["can_use_api"])
    out, err = token("create", "--domain", "acme", "--user", "bob")
    assert out.strip().startswith("cpt_")
    assert "may not use the API" in err


def test_create_refuses_unknown_domain_or_user(world: ApiAcme) -> None:
    with pytest.raises(CommandError):
        token("create", "--domain", "nowhere", "--user", "sam")
    with pytest.raises(CommandError):
        token("create", "--domain", "acme", "--user", "nobody")


def test_list_shows_prefixes_never_tokens_and_revoke_stops_a_token(
    world: ApiAcme, api: Api
) -> None:
    out, _err = token("list", "--domain", "acme")
    assert world.alice_token not in out
    prefix = world.alice_token[:12]
    assert prefix in out
    out, _err = token("revoke", "--domain", "acme", "--prefix", prefix)
    assert prefix in out
    assert api.get("/campaigns", world.alice_token).status == 401
    assert api.get("/campaigns", world.bob_token).status == 200
    assert "revoked" in token("list", "--domain", "acme")[0]
    with pytest.raises(CommandError):
        token("revoke", "--domain", "acme", "--prefix", prefix)
