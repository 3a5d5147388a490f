"""The OpenAPI description: valid JSON, public, and true to the routes."""

import json
import re

from django.urls import URLPattern

from comptoir.api import urls
from tests.api.conftest import Api


def routes() -> dict[str, set[str]]:
    """Every documented route of the API urlconf: its OpenAPI path and methods."""
    found = {}
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name == "unknown":
            continue
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
        methods = getattr(pattern.callback, "api_methods", ("GET",))
        found[path] = {m.lower() for m in methods}
    return found


def test_document_is_public_json_and_openapi_3_1(db: None, api: Api) -> None:
    response = api.client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert {"Ticket", "Message", "NextTicket", "Error"} <= set(document["components"]["schemas"])


def test_document_lists_every_route_and_method_and_nothing_else(db: None, api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    documented = {
        path: {key for key in item if key != "parameters"}
        for path, item in document["paths"].items()
    }
    assert documented == routes()


def test_every_reference_points_at_a_schema(db: None, api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    text = json.dumps(document)
    names = set(re.findall(r'"#/components/schemas/(\w+)"', text))
    assert names <= set(document["components"]["schemas"])


def test_path_parameters_are_declared(db: None, api: Api) -> None:
    document = api.client.get("/api/v1/openapi.json").json()
    for path, item in document["paths"].items():
        wanted = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in item.get("parameters", [])}
        assert declared == wanted, path
