"""Property-based fuzzing of /api/v1/ against its own OpenAPI document (issue 10, finding 10).

schemathesis reads the document /api/v1/openapi.json serves (openapi.document(), which
tests/api/test_openapi.py holds to the routes) and sends each operation generated requests,
valid and invalid, through WSGI to the Django application (in this process, on the test
database) with a real token of Acme's agent. Every answer must be described by the
document (status, content type, body schema), none may be a server error, and a request the
document calls valid is never refused as invalid. The number of examples is bounded and their
generation derandomised, so that `make test` stays fast and reproducible.
"""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from comptoir.api.openapi import document
from tests.api.conftest import ApiAcme, make_api_acme, new_ticket

EXAMPLES = 25
# Qualifying depends on the campaign's script (its outcome codes and questions), which a
# document cannot describe: there, a well-formed request may still be refused by field.
DEPENDS_ON_THE_SCRIPT = "/tickets/{number}/qualify"
# The processings detail: a cursor must come from a previous page, and the end of a period
# after its start, which a document cannot say either.
PROCESSINGS = "/supervision/processings"
NOT_DESCRIBABLE = {"cursor", "end"}


def refused_for_what_the_document_cannot_say(response: Response, case: schemathesis.Case) -> bool:
    if case.path == DEPENDS_ON_THE_SCRIPT:
        return True
    fields = set(response.json().get("fields", {})) if case.path == PROCESSINGS else set()
    return bool(fields) and fields <= NOT_DESCRIBABLE


def valid_data_is_not_refused(ctx: object, response: Response, case: schemathesis.Case) -> None:
    """A request the document says is well formed is never a 400: the document and the
    server agree on what a valid request is (the `text` that could be empty, finding 10)."""
    positive = case.meta is not None and case.meta.generation.mode.is_positive
    refused = response.status_code == 400
    if positive and refused and not refused_for_what_the_document_cannot_say(response, case):
        raise AssertionError(
            f"{case.method} {case.path}: a request valid by the document was refused: "
            f"{response.text[:300]} (body {case.body!r:.300})"
        )


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    valid_data_is_not_refused,
]


@pytest.fixture
def fuzzed(db: None) -> ApiAcme:
    world = make_api_acme()
    new_ticket(world.acme.domain)
    new_ticket(world.acme.domain)
    return world


@pytest.fixture
def keep_connection() -> Iterator[None]:
    """Like Django's test client, keep the test's database connection open between requests
    (the WSGI handler would close it at the end of each one, and with it the test's data)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# The document the application serves (tests/api/test_openapi.py checks it against the
# routes), its operations called through WSGI, in this process.
schema = schemathesis.openapi.from_dict(document())
schema.app = WSGIHandler()


def aim_at_real_rows(case: schemathesis.Case) -> None:
    """Half the generated tickets and campaigns exist: random numbers alone would only ever
    meet 404s and leave the operations' work untested."""
    parameters = case.path_parameters or {}
    number = parameters.get("number")
    if isinstance(number, int) and number % 2 == 0:
        parameters["number"] = 1 + (number // 2) % 2
    slug = parameters.get("slug")
    if isinstance(slug, str) and len(slug) % 2 == 0:
        parameters["slug"] = "support"


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_description(
    case: schemathesis.Case, fuzzed: ApiAcme, keep_connection: None
) -> None:
    aim_at_real_rows(case)
    headers = {"Authorization": f"Bearer {fuzzed.alice_token}"}
    case.call_and_validate(headers=headers, checks=CHECKS)


@schema.include(path=PROCESSINGS).parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_processings_detail_keeps_to_its_description_for_a_supervisor(
    case: schemathesis.Case, fuzzed: ApiAcme, keep_connection: None
) -> None:
    """With the right to export (agents only ever get 403): periods, filters and formats."""
    fuzzed.acme.supervisor.can_export = True
    fuzzed.acme.supervisor.save(update_fields=["can_export"])
    headers = {"Authorization": f"Bearer {fuzzed.sam_token}"}
    case.call_and_validate(headers=headers, checks=CHECKS)
