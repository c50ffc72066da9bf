"""The quarterly report pages in the role x view matrix.

Three finished reports with small dummy files: Door's report made by the scheduler (small
counts hidden, so state staff may read it), Door's report made by its coordinator (small
counts shown: Door's coordinators only) and the statewide report (state staff only).
Administrators see that reports exist (in the Django admin) but may open none: 403.
The dummy files go to each test's temporary MEDIA_ROOT (tests/conftest.py).
"""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from psp.models import Program
from reporting.models import ComparisonExtract, ExtractStatus, Report, ReportStatus, ReportStep
from tests.matrix import Case, everyone


def _dummy(name: str, content: bytes) -> str:
    """A tiny file in this test's storage."""
    return default_storage.save(f"reports/{name}", ContentFile(content))


def done_report(**fields: Any) -> Report:
    return Report.objects.create(
        year=2026,
        quarter=2,
        status=ReportStatus.DONE,
        progress=100,
        step=ReportStep.DONE,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        pdf=_dummy("report.pdf", b"%PDF-1.7\n% matrix placeholder\n"),
        csv=_dummy("report.csv", b"section,metric,value\r\n"),
        pdf_sha256="0" * 64,
        csv_sha256="0" * 64,
        **fields,
    )


def placeholders(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    return {
        "report": done_report(program=door, suppressed=True).pk,
        "private": done_report(
            program=door, suppressed=False, requested_by=personas["door_coordinator"]
        ).pk,
        "statewide": done_report(program=None, suppressed=True).pk,
        # A state comparison extract checked with no row accepted: using it is refused.
        "extract": ComparisonExtract.objects.create(
            file_name="extract.csv",
            period_start=timezone.localdate(),
            period_end=timezone.localdate(),
            data_as_of=timezone.localdate(),
            status=ExtractStatus.CHECKED,
            progress=100,
            finished_at=timezone.now(),
        ).pk,
    }


# Door's coordinators and state staff read the scheduler's Door report.
DOOR_REPORT = everyone(404, door_coordinator=200, door_pp_coordinator=200, state=200, admin=403)
# Small counts shown: Door's coordinators only; state staff are not told it exists.
PRIVATE_REPORT = everyone(404, door_coordinator=200, door_pp_coordinator=200, admin=403)
STATEWIDE_REPORT = everyone(404, state=200, admin=403)
READERS = everyone(
    403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200, state=200
)

# The data-quality panel: coordinators of a program (their own program's rows; Rock's
# coordinator asking for Door gets Rock's panel, with the error at the field), state staff
# (counts only) and administrators.
QUALITY = everyone(
    403,
    door_coordinator=200,
    door_pp_coordinator=200,
    rock_coordinator=200,
    state=200,
    admin=200,
)

# The JSON API: the same readers; not signed in is a 401, not a sign-in page, and those who
# read no reports get 403 (their role, not Door's records, keeps them out).
API_READERS = {**READERS, "anonymous": 401}
API_DOOR_REPORT = everyone(
    403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=404, state=200,
    anonymous=401,
)  # fmt: skip
API_PRIVATE_REPORT = everyone(
    403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=404, state=404,
    anonymous=401,
)  # fmt: skip
API_STATEWIDE_REPORT = everyone(
    403, door_coordinator=404, door_pp_coordinator=404, rock_coordinator=404, state=200,
    anonymous=401,
)  # fmt: skip
# A quarter's figures: statewide for state staff only (a coordinator reads no statewide
# report); Door's for state staff (small counts hidden) and Door's coordinators (in full).
API_STATEWIDE_FIGURES = everyone(403, state=200, anonymous=401)
API_DOOR_FIGURES = everyone(
    403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=404, state=200,
    anonymous=401,
)  # fmt: skip

# The calendar: those who take part in hearings, meetings and sessions (each sees their own
# scope of them); a feed's address is its own key, and one that was never made is 404.
CALENDAR = everyone(403, door_social_worker=403, no_role=403, **dict.fromkeys(
    ["door_coordinator", "door_pp_coordinator", "door_parent_partner", "door_clinical",
     "rock_coordinator", "state", "admin"], 200))  # fmt: skip

# The state comparison extract: state staff and administrators; nobody else learns that an
# extract exists.
COMPARISON = everyone(403, state=200, admin=200)
COMPARISON_EXTRACT = everyone(404, state=200, admin=200)

OUTCOMES = everyone(403, door_coordinator=200, rock_coordinator=200, state=200, admin=200)
OUTCOMES_DOOR = {**OUTCOMES, "rock_coordinator": 404}
OUTCOMES_STATEWIDE = {**OUTCOMES, "door_coordinator": 404, "rock_coordinator": 404}

CASES = [
    Case("calendar", "/calendar/", CALENDAR),
    Case("calendar", "/calendar/?view=agenda&program=door", CALENDAR),
    Case("calendar", "/calendar/?view=week", CALENDAR),
    Case("calendar", "/calendar/?view=day", CALENDAR),
    Case("calendar_feed", "/calendar/feed/", CALENDAR),
    Case(
        "calendar_feed",
        "/calendar/feed/",
        {**CALENDAR, **{k: 302 for k, v in CALENDAR.items() if v == 200}},
        method="post",
        data={"action": "make"},
    ),
    Case("calendar_feed_ics", "/calendar/feed/never-made.ics", {"*": 404, "anonymous": 404}),
    Case("reporting:list", "/reports/", READERS),
    Case("reporting:quality", "/reports/quality/", QUALITY),
    # The equity view: state staff and administrators (every program, suppressed) and a
    # Program Coordinator (their own programs, in full); nobody else.
    Case(
        "reporting:equity",
        "/reports/equity/",
        everyone(403, door_coordinator=200, rock_coordinator=200, state=200, admin=200),
    ),
    # Its CSV: the same people. With no year to show yet (the matrix's referrals are this
    # year's, not a completed one) it sends them back to the page, which says so.
    Case(
        "reporting:equity_export",
        "/reports/equity/export.csv",
        everyone(403, door_coordinator=302, rock_coordinator=302, state=302, admin=302),
    ),
    Case("reporting:quality", "/reports/quality/?program=door&quarter=2026-2", QUALITY),
    # One check's whole list, a page at a time (state staff get the counts instead).
    Case(
        "reporting:quality",
        "/reports/quality/?program=door&quarter=2026-2&check=in_care_after_closing&page=2",
        QUALITY,
    ),
    Case(
        "reporting:generate",
        "/reports/generate/",
        # A quarter that cannot be chosen, so no report is made here: those who may ask
        # for one get the form back with the error (test_views covers a real request);
        # the Parent Partner Coordinator reads reports but may not ask for them.
        everyone(403, door_coordinator=200, rock_coordinator=200, state=200),
        method="post",
        data={"quarter": "1999-1", "program": "statewide"},
    ),
    Case(
        "reporting:close",
        "/reports/close/",
        # A quarter that cannot be chosen, so nothing closes here (test_closing closes
        # quarters): those who may close a program's quarter get the panel back with the
        # error; everybody else may not close any.
        everyone(403, door_coordinator=302, rock_coordinator=302, admin=302),
        method="post",
        data={"quarter": "1999-1", "program": "door"},
    ),
    Case("reporting:detail", "/reports/{report}/", DOOR_REPORT),
    Case("reporting:detail", "/reports/{private}/", PRIVATE_REPORT),
    Case("reporting:detail", "/reports/{statewide}/", STATEWIDE_REPORT),
    Case("reporting:status", "/reports/{report}/status/", DOOR_REPORT),
    Case("reporting:pdf", "/reports/{report}/pdf/", DOOR_REPORT),
    Case("reporting:pdf", "/reports/{private}/pdf/", PRIVATE_REPORT),
    Case("reporting:pdf", "/reports/{statewide}/pdf/", STATEWIDE_REPORT),
    Case("reporting:csv", "/reports/{report}/csv/", DOOR_REPORT),
    Case("reporting:csv", "/reports/{statewide}/csv/", STATEWIDE_REPORT),
    Case("api:reports", "/api/v1/reports/", API_READERS),
    Case("api:reports", "/api/v1/reports/?quarter=2026-Q2&program=door", API_READERS),
    Case("api:report", "/api/v1/reports/{report}/", API_DOOR_REPORT),
    Case("api:report", "/api/v1/reports/{private}/", API_PRIVATE_REPORT),
    Case("api:report", "/api/v1/reports/{statewide}/", API_STATEWIDE_REPORT),
    Case("api:figures", "/api/v1/figures/2026-Q2/", API_STATEWIDE_FIGURES),
    Case("api:program_figures", "/api/v1/figures/2026-Q2/door/", API_DOOR_FIGURES),
    # A quarter not written as 2026-Q2 is the caller's mistake, told at the field.
    Case("api:figures", "/api/v1/figures/2026-2/", everyone(403, state=400, anonymous=401)),
    Case(
        "api:program_figures",
        "/api/v1/figures/2026-Q9/door/",
        {**API_DOOR_FIGURES, "door_coordinator": 400, "door_pp_coordinator": 400, "state": 400},
    ),
    # The outcomes against a matched comparison group: state staff and administrators
    # (statewide and every county), a Program Coordinator (their programs' counties; another
    # county, or statewide, is 404).
    Case("reporting:outcomes", "/reports/outcomes/", OUTCOMES),
    Case("reporting:outcomes", "/reports/outcomes/?county=Door", OUTCOMES_DOOR),
    Case("reporting:outcomes", "/reports/outcomes/?county=", OUTCOMES_STATEWIDE),
    Case("reporting:outcomes_status", "/reports/outcomes/status/?county=Door", OUTCOMES),
    # The state comparison extract: state staff and administrators only.
    Case("reporting:comparison", "/reports/comparison/", COMPARISON),
    Case("reporting:comparison_detail", "/reports/comparison/{extract}/", COMPARISON_EXTRACT),
    Case(
        "reporting:comparison_status",
        "/reports/comparison/{extract}/status/",
        COMPARISON_EXTRACT,
    ),
    Case(
        "reporting:comparison_use",
        "/reports/comparison/{extract}/use/",
        everyone(404, state=302, admin=302),
        method="post",
    ),
    Case(
        "reporting:comparison_discard",
        "/reports/comparison/{extract}/discard/",
        everyone(404, state=302, admin=302),
        method="post",
    ),
]
