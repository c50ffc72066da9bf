"""A school-based program's quarterly report: its own section, counted by hand here, and no
child-welfare outcomes (permanency, CFSR) in it; the statewide report counts the school-based
programs' work in a section of its own and leaves child-welfare programs' IEP meetings out."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_django import DjangoCaptureOnCommitCallbacks, Settings

from mentoring.models import ActivityType, Case, Present
from psp.models import Program, ProgramType, Role
from referrals import schooling
from referrals.models import EducationPlan, Status
from reporting import metrics
from reporting.models import ReportStatus
from reporting.services import report_request
from tests.factories import (
    ChildFactory,
    MembershipFactory,
    ProgramFactory,
    ReferralFactory,
    SchoolFactory,
    UserFactory,
)
from tests.mentoring.factories import ActivityFactory, assign_case
from tests.reporting.conftest import Q2
from tests.reporting.test_generate import csv_rows, pdf_text

pytestmark = pytest.mark.django_db

IN_Q2 = datetime.date(2026, 5, 12)
BEFORE_Q2 = datetime.date(2026, 3, 30)


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def wausau() -> Program:
    return ProgramFactory(
        county="Marathon",
        name="Wausau Parent Peer Support",
        slug="wausau",
        program_type=ProgramType.PARENT_PEER_SUPPORT,
    )


def school_case(program: Program, partner: Any, school: Any, plans: list[str]) -> Case:
    referral = ReferralFactory(
        family__program=program,
        status=Status.ACCEPTED,
        received_on=datetime.date(2026, 1, 5),
        members=False,
    )
    for plan in plans:
        ChildFactory(
            family=referral.family,
            school=school,
            grade=5 if plan == EducationPlan.IEP else 2,
            grade_school_year=2025,  # 2025-26: Q2 of 2026 is its spring
            education_plan=plan,
            episode=False,
        )
    case = assign_case(referral, partner, opened_days_ago=0)
    Case.objects.filter(pk=case.pk).update(opened_on=datetime.date(2026, 1, 10))
    return case


def contact(case: Case, kind: str, day: datetime.date, parent: bool = True) -> None:
    ActivityFactory(
        case=case,
        activity_type=kind,
        occurred_on=day,
        present=[Present.PARENT, Present.OTHER] if parent else [Present.OTHER],
    )


@pytest.fixture
def school_year(wausau: Program, door: Program, personas: dict[str, Any]) -> dict[str, Any]:
    """Two families of the school-based program in 2026 Q2, and a Door family's IEP meeting.

    Family A (children on an IEP, grade 5, and with no plan known): an IEP meeting with the
    mother, a 504 meeting without her, a transition-planning visit with her, a mental-health
    connection; an IEP meeting in March (Q1). Family B (a child on a 504 plan): a school
    meeting with the father, basic needs twice.
    """
    partner = UserFactory(first_name="Pa", last_name="Yang")
    MembershipFactory(user=partner, program=wausau, role=Role.PARENT_PARTNER)
    school = SchoolFactory(district__program=wausau, name="Riverview Elementary")
    a = school_case(wausau, partner, school, [EducationPlan.IEP, ""])
    b = school_case(wausau, partner, school, [EducationPlan.PLAN_504])
    contact(a, ActivityType.IEP_MEETING, IN_Q2)
    contact(a, ActivityType.PLAN_504_MEETING, IN_Q2, parent=False)
    contact(a, ActivityType.TRANSITION_PLANNING, IN_Q2)
    contact(a, ActivityType.MENTAL_HEALTH_LINK, IN_Q2)
    contact(a, ActivityType.IEP_MEETING, BEFORE_Q2)
    contact(b, ActivityType.SCHOOL_MEETING, IN_Q2)
    contact(b, ActivityType.BASIC_NEEDS, IN_Q2)
    contact(b, ActivityType.BASIC_NEEDS, IN_Q2 + datetime.timedelta(days=7))
    # A child-welfare program's IEP meeting belongs to its own report, not to this section.
    door_referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    door_case = assign_case(door_referral, personas["door_parent_partner"], opened_days_ago=0)
    Case.objects.filter(pk=door_case.pk).update(opened_on=datetime.date(2026, 1, 10))
    contact(door_case, ActivityType.IEP_MEETING, IN_Q2)
    return {"a": a, "b": b}


def test_the_school_section_is_counted_as_by_hand(wausau: Program, door: Program, school_year):
    school = metrics.school_metrics(program=wausau, quarter=Q2)
    assert school is not None
    assert school.meetings == 4  # IEP, 504, transition (A); school meeting (B)
    assert school.meetings_with_parent == 3  # not the 504 meeting without her
    assert {row.code: row.count for row in school.meetings_by_kind} == {
        "iep_meeting": 1,
        "504_meeting": 0,
        "school_meeting": 1,
        "transition": 1,
    }
    assert school.families_at_meetings == 2
    assert school.services_connected == 3  # mental health (A), basic needs twice (B)
    assert school.families_connected == 2
    assert school.families_planning_a_move == 1
    assert school.children == 3
    assert {row.code: row.count for row in school.children_by_plan} == {
        "none": 0,
        "iep": 1,
        "504": 1,
        "evaluation": 0,
        "": 1,
    }
    # The grade-5 child on the IEP moves to middle school after June 2026.
    assert school.children_moving == 1
    assert schooling.grade_on(5, 2025, Q2.end) == 5

    statewide = metrics.school_metrics(program=None, quarter=Q2)
    assert statewide == school  # Door's IEP meeting is not a school-based program's
    assert metrics.school_metrics(program=door, quarter=Q2) is None


def test_the_school_programs_pdf_and_csv(
    wausau: Program,
    school_year,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
):
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, program=wausau, role=Role.PROGRAM_COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        report = report_request(actor=coordinator, program=wausau, quarter=Q2)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE, report.error
    text = " ".join(pdf_text(report.pdf.path).split())
    assert "Working with schools" in text
    assert "School meetings the parent attended with support 3" in text
    assert "Families connected to services 2" in text
    # Its appendix defines its own section, and none of the child-welfare outcomes.
    assert "School-based Parent Peer Support programs only" in text
    for child_welfare in ["CFSR", "Outcomes for children", "Court hearings attended"]:
        assert child_welfare not in text
    rows = csv_rows(report)
    assert rows[("school", "meetings_with_parent")] == "3"
    assert rows[("school", "children_plan_iep")] == "1"
    assert rows[("school", "children_moving")] == "1"


def test_the_school_programs_report_has_no_child_welfare_figures_anywhere(
    wausau: Program,
    door: Program,
    school_year,
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
):
    """Not in the summary (children returned home), the contacts by kind (court hearing,
    family time, case-plan meeting), nor the CSV's outcomes (permanency, CFSR) or court
    hearings; a child-welfare program's report keeps them all."""
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, program=wausau, role=Role.PROGRAM_COORDINATOR)
    MembershipFactory(user=coordinator, program=door, role=Role.PROGRAM_COORDINATOR)
    with django_capture_on_commit_callbacks(execute=True):
        school = report_request(actor=coordinator, program=wausau, quarter=Q2)
        welfare = report_request(actor=coordinator, program=door, quarter=Q2)
    school.refresh_from_db()
    welfare.refresh_from_db()
    assert school.status == welfare.status == ReportStatus.DONE, (school.error, welfare.error)
    text = " ".join(pdf_text(school.pdf.path).split())
    for child_welfare in [
        "Children returned home",
        "Court hearing (attended or supported)",
        "Family time support",
        "Case-plan meeting",
    ]:
        assert child_welfare not in text
    # Nor in the appendix's definitions: its contacts are defined by the kinds it logs.
    for word in ["court hearing", "case-plan meeting"]:
        assert word not in text.lower(), text[max(0, text.lower().index(word) - 300) :][:600]
    assert "by kind of contact the program logs" in text
    assert "IEP meeting at school" in text
    rows = csv_rows(school)
    sections = {section for section, _metric in rows}
    assert "outcomes" not in sections
    metrics_shown = {metric for _section, metric in rows}
    for metric in [
        "reunifications",
        "court_hearings",
        "team_meetings",
        "court_hearing_count",
        "family_time_count",
        "case_plan_input_count",
    ]:
        assert metric not in metrics_shown
    assert rows[("contacts", "iep_meeting_count")] == "1"
    assert rows[("summary", "families_served")] == "2"

    welfare_rows = csv_rows(welfare)
    assert ("outcomes", "cfsr_permanency_12_months_numerator") in welfare_rows
    assert ("summary", "reunifications") in welfare_rows
    assert ("contacts", "court_hearing_count") in welfare_rows
    welfare_text = " ".join(pdf_text(welfare.pdf.path).split())
    assert "Children returned home" in welfare_text
    assert "Court hearings are the contacts of the kind" in welfare_text
