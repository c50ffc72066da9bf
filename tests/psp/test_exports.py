"""The helpers every CSV download shares."""

from __future__ import annotations

import pytest

from psp.exports import csv_safe


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\tcmd", "\r=1"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(cell):
    assert csv_safe([cell]) == [f"'{cell}"]


def test_ordinary_cells_and_numbers_are_left_alone():
    assert csv_safe(["Peña", "", 3, -2, "2026-11-23"]) == ["Peña", "", 3, -2, "2026-11-23"]
