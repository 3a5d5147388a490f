"""Acme with API rights, tokens, customer tickets and a JSON client for the API tests."""

import itertools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from comptoir.api.actions import create_token
from comptoir.mail.ingest import ingest_email
from comptoir.tenancy.models import Domain, Role, Team, User
from comptoir.tickets.models import Ticket
from tests.conftest import Acme, make_acme
from tests.mail.mail_client import customer_mail

_ids = itertools.count(1)


@dataclass
class Answer:
    status: int
    body: Any
    headers: Any


class Api:
    """Calls /api/v1/ with a bearer token, the way an integration does: no cookie, no CSRF."""

    def __init__(self) -> None:
        self.client = Client(enforce_csrf_checks=True)

    def call(self, method: str, path: str, token: str | None, data: Any = None) -> Answer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = json.dumps(data) if data is not None else ""
        response = self.client.generic(
            method, f"/api/v1{path}", payload, content_type="application/json", headers=headers
        )
        is_json = response.get("Content-Type", "").startswith("application/json")
        return Answer(
            response.status_code,
            json.loads(response.content) if is_json else None,
            response.headers,
        )

    def get(self, path: str, token: str | None) -> Answer:
        return self.call("GET", path, token)

    def post(self, path: str, token: str | None, data: Any = None) -> Answer:
        return self.call("POST", path, token, data)

    def delete(self, path: str, token: str | None) -> Answer:
        return self.call("DELETE", path, token)


@dataclass
class ApiAcme:
    """Acme, where alice and bob (agents of the same team) and sam (supervisor) use the API."""

    acme: Acme
    bob: User
    alice_token: str
    bob_token: str
    sam_token: str


def api_user(user: User) -> str:
    user.can_use_api = True
    user.save(update_fields=["can_use_api"])
    return create_token(user, name="tests")[1]


def make_api_acme(slug: str = "acme") -> ApiAcme:
    acme = make_acme(slug)
    bob = User.objects.create_user(domain=acme.domain, login="bob", password="pw", role=Role.AGENT)
    Team.objects.get(domain=acme.domain, name="Agents").members.add(bob)
    return ApiAcme(acme, bob, api_user(acme.agent), api_user(bob), api_user(acme.supervisor))


@pytest.fixture
def world(db: None) -> ApiAcme:
    return make_api_acme()


@pytest.fixture
def api() -> Api:
    return Api()


def new_ticket(domain: Domain, *, to: str = "", subject: str = "Plus d'accès") -> Ticket:
    """A customer's new request, through the real ingest pipeline."""
    raw = customer_mail(
        "Claire Client <claire@client.test>",
        subject,
        f"req-{next(_ids)}@client.test",
        to=to or f"support@{domain.slug}.test",
    )
    result = ingest_email(raw, domain=domain, recipients=[to or f"support@{domain.slug}.test"])
    assert result.outcome == "created", result
    return Ticket.objects.get(domain=domain, number=result.ticket)
