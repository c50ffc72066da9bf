"""The API's shared ground: the OpenAPI 3.1 schema, errors as problem details, who is
calling."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from psp.models import Program, User


def test_schema_is_openapi_3_1_and_names_both_ways_in(client: Client) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert set(schema["components"]["securitySchemes"]) == {"session", "stateToken"}
    assert "/api/v1/me/" in schema["paths"]


def test_not_signed_in_is_a_401_problem_not_a_sign_in_page(client: Client) -> None:
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert body["status"] == 401
    assert body["instance"] == "/api/v1/me/"


def test_me_names_the_caller_and_their_roles(
    client_for: Callable[[User | None], Client], personas: dict[str, User | None], door: Program
) -> None:
    partner = personas["door_parent_partner"]
    assert partner is not None
    body = client_for(partner).get("/api/v1/me/").json()
    assert body["username"] == partner.username
    assert body["roles"] == {door.slug: ["parent_partner"]}


def test_unknown_route_under_the_api_is_404(
    client_for: Callable[[User | None], Client], personas: dict[str, User | None]
) -> None:
    client = client_for(personas["door_coordinator"])
    assert client.get("/api/v1/nothing-here/").status_code == 404


def test_a_page_size_that_is_not_a_whole_number_is_refused_at_the_field(
    client_for: Callable[[User | None], Client], personas: dict[str, User | None]
) -> None:
    client = client_for(personas["door_coordinator"])
    response = client.get("/api/v1/programs/?page_size=lots")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == {"page_size": ["Enter a whole number from 1 to 200."]}
    assert client.get("/api/v1/programs/?page_size=500").json()["count"] == 1


def test_a_nul_byte_in_an_api_address_is_a_problem_not_a_page(
    client_for: Callable[[User | None], Client], personas: dict[str, User | None]
) -> None:
    response = client_for(personas["state"]).get("/api/v1/programs/?q=a%00b")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["instance"] == "/api/v1/programs/"


def test_every_operation_documents_its_errors_as_problems(client: Client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status in ("401", "403", "406", "429"):
                content = operation["responses"][status]["content"]
                assert list(content) == ["application/problem+json"], (method, path, status)
    assert "404" in schema["paths"]["/api/v1/programs/"]["get"]["responses"]
