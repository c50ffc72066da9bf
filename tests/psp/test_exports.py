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


@pytest.mark.django_db
def test_an_export_is_audited_then_sent_as_it_is_read(
    monkeypatch, personas, door, client_for, django_assert_max_num_queries
):
    from psp import exports
    from psp.models import AuditAction, AuditEntry
    from referrals.models import Referral
    from tests.downloads import csv_rows
    from tests.factories import ReferralFactory

    monkeypatch.setattr(exports, "CHUNK_ROWS", 2)
    for _ in range(5):
        ReferralFactory(family__program=door)
    client = client_for(personas["door_coordinator"])
    response = client.get("/referrals/export.csv")
    assert response.streaming
    # The audit entry, with the number of rows, is written before the first byte.
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.changes["rows"] == Referral.objects.filter(program=door).count()
    # Rows are read and sent a chunk at a time, not built whole first.
    chunks = list(response.streaming_content)
    assert len(chunks) >= 3
    assert len(csv_rows(client.get("/referrals/export.csv"))) == entry.changes["rows"]


@pytest.mark.django_db
def test_a_streamed_export_is_compressed_for_browsers_that_ask(personas, door, client_for):
    import gzip

    from tests.factories import ReferralFactory

    for _ in range(3):
        ReferralFactory(family__program=door)
    client = client_for(personas["door_coordinator"])
    plain = client.get("/referrals/export.csv").getvalue()
    response = client.get("/referrals/export.csv", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.getvalue()) == plain


@pytest.mark.django_db
def test_a_download_larger_than_a_file_holds_asks_to_narrow_the_list(
    settings, personas, door, client_for
):
    from psp.models import AuditAction, AuditEntry
    from tests.factories import ReferralFactory

    settings.PSP_EXPORT_MAX_ROWS = 2
    for _ in range(3):
        ReferralFactory(family__program=door, urgency="routine")
    client = client_for(personas["door_coordinator"])
    response = client.get("/referrals/export.csv", {"urgency": "routine"})
    # Back to the list, with its filters, and told why and what to do.
    assert response.status_code == 302
    assert response["Location"] == "/referrals/?urgency=routine"
    page = client.get(response["Location"]).content.decode()
    assert "That download would hold 3 rows; one file holds at most 2." in page
    assert "Narrow the list with its filters" in page
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
    # Within the limit, the file comes.
    settings.PSP_EXPORT_MAX_ROWS = 3
    assert client.get("/referrals/export.csv", {"urgency": "routine"}).streaming
