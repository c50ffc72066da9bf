"""``seed_demo`` creates the demo contract of SPEC.md, and running it twice changes nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from mentoring.models import Activity, Present
from mentoring.school_demo import MEETINGS
from psp.models import Membership, Program, Role, StatewideRole, User
from reporting import tasks
from reporting.filing import filing_for
from reporting.models import QuarterClose, Report, ReportStatus
from reporting.quarters import Quarter

pytestmark = pytest.mark.django_db

ROLE_NAMES = ["coordinator", "pp-coordinator", "parent-partner", "clinical", "social-worker"]


def test_seed_demo_creates_programs_and_one_user_per_role(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent

    assert sorted(Program.objects.values_list("slug", flat=True)) == [
        "door",
        "jefferson",
        "rock",
        "wausau",
    ]
    for county in ["door", "rock", "jefferson"]:
        for role in ROLE_NAMES:
            user = User.objects.get(username=f"{county}-{role}")
            assert Membership.objects.filter(user=user, program__slug=county).count() == 1
    # The school-based program: its own people, the school staff member at her school.
    wausau = Program.objects.get(slug="wausau")
    assert wausau.is_school_based
    for role in ["coordinator", "pp-coordinator", "parent-partner", "school-staff"]:
        user = User.objects.get(username=f"wausau-{role}")
        assert Membership.objects.filter(user=user, program=wausau).count() == 1
    staff = Membership.objects.get(user__username="wausau-school-staff")
    assert staff.school is not None and staff.school.district.program == wausau
    assert (staff.role, str(staff.school)) == (Role.SCHOOL_STAFF, "Riverview Elementary School")
    # Its school meetings record the school's staff as there, not "someone else".
    meetings = Activity.objects.filter(program=wausau, activity_type__in=MEETINGS)
    assert meetings.exists()
    assert not meetings.exclude(present__contains=[Present.SCHOOL_STAFF]).exists()
    assert not meetings.filter(present__contains=[Present.OTHER]).exists()
    # Besides them, each other active Parent Partner has an account (no usable password).
    partner_accounts = User.objects.filter(username__contains="-partner-")
    assert User.objects.count() - partner_accounts.count() == 21
    assert partner_accounts.exists()
    assert not any(user.has_usable_password() for user in partner_accounts)
    assert User.objects.get(username="dcf-state").statewide_role == StatewideRole.STATE_STAFF
    assert User.objects.get(username="admin").statewide_role == StatewideRole.ADMINISTRATOR
    door = Program.objects.get(slug="door")
    assert door.role_label(Role.PROGRAM_COORDINATOR) == "Family Well-Being Coordinator"
    assert door.partner_agency == "United Way of Door County"
    assert door.contract_periods.count() == 7


def test_demo_users_sign_in_with_the_published_password(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    client = Client()
    assert client.login(username="rock-parent-partner", password="psp-demo-2026")
    assert client.get("/programs/rock/").status_code == 200
    assert client.get("/programs/door/").status_code == 404


def test_seed_demo_closes_past_quarters_with_their_reports(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: nothing closes twice
    last = Quarter.last_completed()
    # The last quarter that ended is left open to try closing on; the two before are closed
    # by each program's coordinator, and then statewide.
    assert filing_for(None, last) is None
    for quarter in (last.previous(), last.previous().previous()):
        closed = QuarterClose.objects.filter(year=quarter.year, quarter=quarter.number)
        assert closed.count() == 5
        statewide = filing_for(None, quarter)
        assert statewide is not None and statewide.filed_at is not None
        coordinator = User.objects.get(username="door-coordinator")
        assert closed.get(program__slug="door").closed_by == coordinator
        # Per quarter: each coordinator's own report, and the five state staff read.
        reports = Report.objects.filter(year=quarter.year, quarter=quarter.number)
        assert reports.filter(suppressed=False).count() == 4
        assert reports.filter(suppressed=True, filing__isnull=False).count() == 5
    # State staff's statewide report of a closed quarter, made as the worker makes it: filed,
    # with the race and ethnicity table.
    report = Report.objects.get(
        program=None, year=last.previous().year, quarter=last.previous().number
    )
    assert tasks.generate_report(report.pk) == ReportStatus.DONE
    report.refresh_from_db()
    with report.csv.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    assert "report,status,filed" in text
    assert "race_ethnicity,total," in text
    assert "race_ethnicity_by_program,door.total," in text
    # The last quarter of the year before is closed too: state staff find that year, filed,
    # on the equity view.
    year = last.year - 1
    assert filing_for(None, Quarter(year, 4)) is not None
    client = Client()
    assert client.login(username="dcf-state", password="psp-demo-2026")
    page = client.get("/reports/equity/")
    assert page.context["year"] == year
    assert page.context["sections"][-1]["funnel"][0].total > 0
