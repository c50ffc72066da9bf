"""The helpers every CSV download shares."""

from __future__ import annotations

import pytest

from psp.exports import csv_safe


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\r=1"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(cell):
    assert csv_safe([cell]) == [f"'{cell}"]


def test_ordinary_cells_and_numbers_are_left_alone():
    assert csv_safe(["Peña", "", 3, -2, "2026-11-23"]) == ["Peña", "", 3, -2, "2026-11-23"]


@pytest.mark.django_db
def test_downloads_are_named_with_the_local_date_at_any_hour(at_local, personas, client_for):
    coordinator = client_for(personas["door_coordinator"])
    today = at_local.date().isoformat()
    for url, name in [
        ("/referrals/export.csv", "referrals"),
        ("/mentoring/cases/export.csv", "cases"),
        ("/mentoring/contacts/export.csv", "contacts"),
    ]:
        response = coordinator.get(url)
        assert response.status_code == 200, url
        assert f'filename="{name}-' in response["Content-Disposition"]
        assert f'-{today}.csv"' in response["Content-Disposition"]
