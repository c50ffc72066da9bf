"""A NUL byte (``%00``) in a query string is refused with 400, on every page: PostgreSQL
cannot store it in the audit's JSON or compare it in a search, which used to answer 500."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.councils.factories import CouncilFactory

pytestmark = pytest.mark.django_db


def csv_routes() -> list[str]:
    """Every URL that answers a CSV file, found in the URL configuration."""
    found: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif route.endswith(".csv") or route.endswith("csv"):
                found.append(route)

    walk(get_resolver().url_patterns, "/")
    return found


def test_every_csv_export_is_found() -> None:
    routes = csv_routes()
    assert {
        "/referrals/export.csv",
        "/mentoring/cases/export.csv",
        "/mentoring/contacts/export.csv",
        "/councils/recommendations/export.csv",
        "/councils/outreach/export.csv",
        "/councils/<int:pk>/stipends/export.csv",
    } <= set(routes)


@pytest.mark.parametrize("query", ["q=%00", "status=%00", "x%00=1", "q=Pe%C3%B1a%00"])
def test_every_csv_export_refuses_a_nul_byte(personas, door, client_for, query) -> None:
    council = CouncilFactory(program=door)
    client = client_for(personas["door_coordinator"])
    for route in csv_routes():
        url = re.sub(r"<int:\w+>", str(council.pk), route)
        response = client.get(f"{url}?{query}")
        assert response.status_code == 400, url
        assert b"could not be read" in response.content


@pytest.mark.parametrize(
    "url",
    [
        "/mentoring/resources/?q=%00",
        "/mentoring/resources/?q=food%00bank&category=",
        "/audit/?actor=%00",
        "/referrals/?q=%00",
        "/mentoring/cases/?q=%00",
    ],
)
def test_searches_refuse_a_nul_byte(personas, client_for, url) -> None:
    response = client_for(personas["door_coordinator"]).get(url)
    assert response.status_code == 400


def test_the_resource_search_still_finds_ordinary_words(personas, client_for) -> None:
    response = client_for(personas["door_coordinator"]).get("/mentoring/resources/?q=food")
    assert response.status_code == 200
