"""``/api/v1/reports/`` and ``/api/v1/reports/{id}/``: the stored quarterly reports a caller
may read, with their files' checksums and links to the downloads the report pages offer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from psp.models import Program, User
from reporting.models import Report, ReportStatus
from tests.factories import ProgramFactory
from tests.reporting.matrix_cases import done_report
from tests.reporting.test_api_figures import token_client

Client_for = Callable[[User | None], Client]


@pytest.fixture
def stored(door: Program, rock: Program, personas: dict[str, Any]) -> dict[str, Report]:
    """Door's report made by the scheduler (small counts hidden), Door's coordinator's own
    (every count shown), Rock's, the statewide one, and an older Door report still queued."""
    return {
        "door": done_report(program=door, suppressed=True),
        "private": done_report(
            program=door, suppressed=False, requested_by=personas["door_coordinator"]
        ),
        "rock": done_report(program=rock, suppressed=True),
        "statewide": done_report(program=None, suppressed=True),
        "queued": Report.objects.create(program=door, year=2026, quarter=1),
    }


def ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_state_token_lists_the_reports_state_staff_read(
    stored: dict[str, Report], personas: dict[str, Any]
) -> None:
    state = token_client(personas["state"])
    response = state.get("/api/v1/reports/")
    visible = {"door", "rock", "statewide", "queued"}
    assert ids(response) == {stored[name].pk for name in visible}
    row = next(r for r in response.json()["results"] if r["id"] == stored["door"].pk)
    assert row == {
        "id": stored["door"].pk,
        "program": {"slug": "door", "name": "Door County PSP"},
        "quarter": "2026-Q2",
        "language": "en",
        "status": "done",
        "small_counts_suppressed": True,
        "filed": False,
        "withdrawn": False,
        "created": row["created"],
        "finished": row["finished"],
        "pdf_sha256": "0" * 64,
        "csv_sha256": "0" * 64,
        "pdf_url": f"http://testserver/reports/{stored['door'].pk}/pdf/",
        "csv_url": f"http://testserver/reports/{stored['door'].pk}/csv/",
    }
    queued = next(r for r in response.json()["results"] if r["id"] == stored["queued"].pk)
    assert (queued["status"], queued["pdf_url"], queued["csv_url"]) == ("queued", None, None)


def test_the_download_link_gives_the_file_with_that_checksum(
    stored: dict[str, Report], personas: dict[str, Any], client_for: Client_for
) -> None:
    client = client_for(personas["state"])
    row = client.get(f"/api/v1/reports/{stored['statewide'].pk}/").json()
    download = client.get(row["csv_url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"section,metric,value\r\n"  # type: ignore[attr-defined]


def test_coordinators_list_their_programs_reports_only(
    stored: dict[str, Report], personas: dict[str, Any], client_for: Client_for
) -> None:
    door = client_for(personas["door_coordinator"]).get("/api/v1/reports/")
    assert ids(door) == {stored[name].pk for name in ("door", "private", "queued")}
    rock = client_for(personas["rock_coordinator"]).get("/api/v1/reports/")
    assert ids(rock) == {stored["rock"].pk}


def test_filter_by_quarter_and_program(
    stored: dict[str, Report], personas: dict[str, Any], client_for: Client_for
) -> None:
    state = client_for(personas["state"])
    assert ids(state.get("/api/v1/reports/?quarter=2026-Q1")) == {stored["queued"].pk}
    assert ids(state.get("/api/v1/reports/?quarter=2026-q2&program=door")) == {stored["door"].pk}
    assert ids(state.get("/api/v1/reports/?program=statewide")) == {stored["statewide"].pk}
    assert ids(state.get("/api/v1/reports/?program=nowhere")) == set()
    bad = state.get("/api/v1/reports/?quarter=2026-2")
    assert bad.status_code == 400
    assert bad["Content-Type"] == "application/problem+json"
    assert "2026-Q3" in bad.json()["errors"]["quarter"][0]


def test_another_programs_report_is_404(
    stored: dict[str, Report], personas: dict[str, Any], client_for: Client_for
) -> None:
    rock = client_for(personas["rock_coordinator"])
    assert rock.get(f"/api/v1/reports/{stored['door'].pk}/").status_code == 404
    assert rock.get(f"/api/v1/reports/{stored['rock'].pk}/").status_code == 200
    # The report a coordinator made for their program shows every count: not state staff's.
    state = client_for(personas["state"])
    assert state.get(f"/api/v1/reports/{stored['private'].pk}/").status_code == 404
    assert state.get("/api/v1/reports/999999/").status_code == 404


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_clinical", "admin"])
def test_who_reads_no_reports_gets_403(
    stored: dict[str, Report], personas: dict[str, Any], client_for: Client_for, persona: str
) -> None:
    client = client_for(personas[persona])
    assert client.get("/api/v1/reports/").status_code == 403
    assert client.get(f"/api/v1/reports/{stored['door'].pk}/").status_code == 403


def test_the_lists_queries_do_not_grow_with_its_rows(
    db: None, personas: dict[str, Any], client_for: Client_for
) -> None:
    state = client_for(personas["state"])
    state.get("/api/v1/me/")  # the session's first request reads more than the list does

    def queries_for(reports: int) -> int:
        Report.objects.all().delete()
        for _ in range(reports):
            done_report(program=ProgramFactory(), suppressed=True)
        with CaptureQueriesContext(connection) as queries:
            response = state.get("/api/v1/reports/")
        assert response.json()["count"] == reports
        return len(queries)

    assert queries_for(2) == queries_for(20) <= 6


def test_a_page_at_a_time(db: None, door: Program, personas: dict[str, Any]) -> None:
    for _ in range(3):
        done_report(program=door, suppressed=True)
    client = token_client(personas["state"])
    page = client.get("/api/v1/reports/?page_size=2").json()
    assert (page["count"], len(page["results"])) == (3, 2)
    assert page["next"].endswith("/api/v1/reports/?page=2&page_size=2")
    assert client.get("/api/v1/reports/?page=9").status_code == 404
    assert Report.objects.filter(status=ReportStatus.DONE).count() == 3
