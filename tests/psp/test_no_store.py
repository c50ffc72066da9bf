"""Pages and downloads for signed-in people are never kept by the browser or a proxy: on a
shared tablet, the back button after signing out must not show a family's record."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reporting.models import Report, ReportStatus, ReportStep

pytestmark = pytest.mark.django_db


def assert_not_stored(response) -> None:
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "no-store" in directives
    assert "private" in directives
    assert response["Pragma"] == "no-cache"


def test_family_page_is_not_stored(personas, client_for, door_referral):
    response = client_for(personas["door_coordinator"]).get(f"/referrals/{door_referral.pk}/")
    assert door_referral.number in response.content.decode()
    assert_not_stored(response)


def test_csv_download_is_not_stored(personas, client_for, door_referral):
    response = client_for(personas["door_coordinator"]).get("/referrals/export.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert_not_stored(response)


def test_report_pdf_download_is_not_stored(personas, client_for, door):
    report = Report(
        program=door,
        year=2026,
        quarter=2,
        status=ReportStatus.DONE,
        progress=100,
        step=ReportStep.DONE,
        finished_at=timezone.now(),
        pdf_sha256="a" * 64,
        csv_sha256="b" * 64,
    )
    report.pdf.save("report.pdf", ContentFile(b"%PDF-1.7 test"), save=False)
    report.csv.save("report.csv", ContentFile(b"section,metric,value\r\n"), save=False)
    report.save()
    response = client_for(personas["door_coordinator"]).get(f"/reports/{report.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert_not_stored(response)


def test_dashboard_is_not_stored(personas, client_for):
    assert_not_stored(client_for(personas["door_parent_partner"]).get("/mentoring/"))
