"""A school-based Parent Peer Support program: school staff refer children of their school,
the referral asks for the child's school, grade and plan instead of out-of-home care, and the
case that follows has school contacts, no court and no permanency goal."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from mentoring import services as mentoring_services
from mentoring import tasks
from mentoring.models import Activity, ActivityType, Case, Hearing
from psp import notifications
from psp.models import Notification, NotificationKind, Program, Role, RoleLabel
from referrals import schooling
from referrals.models import Child, EducationPlan, Referral, RemovalEpisode, Status
from tests.clock import CHICAGO
from tests.factories import (
    ChildFactory,
    MembershipFactory,
    ParentFactory,
    ReferralFactory,
    SchoolFactory,
    UserFactory,
)
from tests.mentoring.factories import ParentPartnerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wausau(personas) -> Program:
    return personas["school_staff"].memberships.get().program


@pytest.fixture
def riverview(personas):
    return personas["school_staff"].memberships.get().school


def kou(school, **changes):
    return {
        "first_name": "Kou",
        "birth_date": datetime.date(2016, 4, 9),
        "school": school.pk,
        "grade": 5,
        "education_plan": EducationPlan.IEP,
        "mental_health_needs": True,
        **changes,
    }


def test_school_staff_refer_a_child_of_their_school(
    personas, wausau, riverview, client_for, intake, django_capture_on_commit_callbacks
):
    staff = personas["school_staff"]
    client = client_for(staff)
    form = client.get("/referrals/new/").content.decode()
    assert "Grade this school year" in form and "Riverview Elementary" in form
    assert "Special-education plan" in form
    assert "Where the child lives now" not in form and "out-of-home care" not in form
    assert "Parent Peer Specialist" in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/referrals/new/", intake(children=[kou(riverview)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    referral = Referral.objects.get()
    assert referral.program == wausau
    assert referral.referred_by == staff
    assert referral.referrer_agency == "Riverview Elementary"
    child = referral.family.children.get()
    assert (child.school, child.grade, child.education_plan) == (riverview, 5, "iep")
    assert child.grade_school_year == schooling.school_year()
    assert child.mental_health_needs and not child.behaviour_needs
    assert not RemovalEpisode.objects.exists()
    assert staff.email in [address for message in mail.outbox for address in message.to]

    page = client.get(response["Location"]).content.decode()
    assert "Kou" in page and "Grade 5, Riverview Elementary" in page and "IEP" in page
    assert "Stays in care" not in page


def test_school_staff_refer_only_from_their_school(personas, wausau, riverview, client_for, intake):
    elsewhere = SchoolFactory(district=riverview.district, name="Lincoln Elementary")
    client = client_for(personas["school_staff"])
    assert "Lincoln Elementary" not in client.get("/referrals/new/").content.decode()
    response = client.post("/referrals/new/", intake(children=[kou(elsewhere)]))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    missing = client.post("/referrals/new/", intake(children=[{**kou(riverview), "school": ""}]))
    assert "Choose the child&#x27;s school." in missing.content.decode()
    assert not Referral.objects.exists() and not Child.objects.exists()


def test_school_staff_whose_school_is_retired_are_told_why_they_cannot_refer(
    personas, wausau, riverview, client_for, intake
):
    riverview.is_active = False
    riverview.save()
    client = client_for(personas["school_staff"])
    page = client.get("/referrals/new/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Your school is no longer in the program" in text and "coordinator." in text
    assert "Send the referral" not in text and 'name="children-TOTAL_FORMS"' not in text

    for school in [riverview.pk, ""]:
        response = client.post(
            "/referrals/new/", intake(children=[{**kou(riverview), "school": school}])
        )
        assert response.status_code == 200
        sent = response.content.decode()
        error = sent[sent.find('id="id_children-0-school_error"') :]
        assert "Your school is no longer in the program" in error[: error.find("</")]
        assert "Select a valid choice" not in sent
    assert not Referral.objects.exists() and not Child.objects.exists()


def test_school_staff_see_their_own_referrals_only(
    personas, wausau, riverview, client_for, door_referral
):
    staff = personas["school_staff"]
    mine = ReferralFactory(
        family__program=wausau, referred_by=staff, referrer_name="Erin", members=False
    )
    ParentFactory(family=mine.family)
    ChildFactory(family=mine.family, school=riverview, episode=False)
    theirs = ReferralFactory(family__program=wausau)
    client = client_for(staff)
    listed = client.get("/referrals/").content.decode()
    assert mine.number in listed
    assert theirs.number not in listed and door_referral.number not in listed
    assert client.get(f"/referrals/{mine.pk}/").status_code == 200
    assert client.get(f"/referrals/{theirs.pk}/").status_code == 404
    assert client.get(f"/referrals/{door_referral.pk}/").status_code == 404


def test_school_staff_moved_to_another_school_or_whose_school_is_retired_lose_its_referrals(
    personas, wausau, riverview, client_for
):
    """School staff follow the referrals they made while the child is at the school they
    work at now: not after they move to another school, nor once their school is retired."""
    staff = personas["school_staff"]
    mine = ReferralFactory(family__program=wausau, referred_by=staff, members=False)
    ParentFactory(family=mine.family)
    ChildFactory(family=mine.family, school=riverview, episode=False)
    client = client_for(staff)
    assert client.get(f"/referrals/{mine.pk}/").status_code == 200
    assert mine.number in client.get("/referrals/").content.decode()

    membership = staff.memberships.get()
    membership.school = SchoolFactory(district=riverview.district, name="Horace Mann Middle")
    membership.save()
    assert client.get(f"/referrals/{mine.pk}/").status_code == 404
    assert mine.number not in client.get("/referrals/").content.decode()
    assert mine.number not in client.get("/").content.decode()
    withdrawn = client.post(
        f"/referrals/{mine.pk}/status/", {"to_status": "withdrawn", "version": mine.version}
    )
    assert withdrawn.status_code == 404
    assert Referral.objects.get(pk=mine.pk).status == Status.RECEIVED

    membership.school = riverview
    membership.save()
    assert client.get(f"/referrals/{mine.pk}/").status_code == 200
    riverview.is_active = False
    riverview.save()
    assert client.get(f"/referrals/{mine.pk}/").status_code == 404
    assert mine.number not in client.get("/referrals/").content.decode()


def test_the_grade_moves_on_with_the_school_year(personas, wausau, riverview, client_for, intake):
    with time_machine.travel(datetime.datetime(2027, 5, 3, 9, 0, tzinfo=CHICAGO), tick=False):
        client = client_for(personas["school_staff"])
        client.post("/referrals/new/", intake(children=[kou(riverview)]))
        referral = Referral.objects.get()
        assert "Grade 5" in client.get(f"/referrals/{referral.pk}/").content.decode()
    # 00:30 on July 1: the new school year has begun in Wisconsin (05:30 UTC).
    with time_machine.travel(datetime.datetime(2027, 7, 1, 0, 30, tzinfo=CHICAGO), tick=False):
        page = client_for(personas["school_staff"]).get(f"/referrals/{referral.pk}/")
        page = page.content.decode()
    assert "Grade 6" in page and "Grade 5" not in page


def test_a_coordinator_of_both_kinds_chooses_the_program_first(
    personas, door, wausau, riverview, client_for
):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=wausau, role=Role.PROGRAM_COORDINATOR)
    client = client_for(coordinator)
    chooser = client.get("/referrals/new/").content.decode()
    assert "Which program is the family referred to?" in chooser
    assert f"?program={wausau.pk}" in chooser and f"?program={door.pk}" in chooser
    school = client.get(f"/referrals/new/?program={wausau.pk}").content.decode()
    assert "Grade this school year" in school and "Riverview Elementary" in school
    care = client.get(f"/referrals/new/?program={door.pk}").content.decode()
    assert "Where the child lives now" in care and "Grade this school year" not in care


# --- The case -----------------------------------------------------------------------------


@pytest.fixture
def specialist(wausau):
    return ParentPartnerFactory(program=wausau, first_name="Pa", last_name="Yang", capacity=15)


@pytest.fixture
def school_case(personas, wausau, riverview, specialist):
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, program=wausau, role=Role.PROGRAM_COORDINATOR)
    referral = ReferralFactory(
        family__program=wausau,
        status=Status.ACCEPTED,
        received_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    ParentFactory(family=referral.family)
    ChildFactory(
        family=referral.family,
        first_name="Nou",
        school=riverview,
        grade=5,
        grade_school_year=schooling.school_year(),
        education_plan=EducationPlan.PLAN_504,
        episode=False,
    )
    return mentoring_services.case_assign(actor=coordinator, referral=referral, partner=specialist)


def test_a_school_case_has_no_court_and_no_permanency_goal(school_case, specialist, client_for):
    assert school_case.permanency_goal == ""
    client = client_for(specialist.user)
    page = client.get(f"/mentoring/cases/{school_case.pk}/").content.decode()
    assert "Nou" in page and "Riverview Elementary" in page and "504 plan" in page
    for child_welfare in ["Permanency goal", "Court hearings", "Next court hearing"]:
        assert child_welfare not in page
    assert client.get(f"/mentoring/cases/{school_case.pk}/hearings/new/").status_code == 403
    # The program's own name for the role, where it names who is assigned.
    RoleLabel.objects.create(
        program=school_case.program, role=Role.PARENT_PARTNER, label="Parent Peer Specialist"
    )
    page = client.get(f"/mentoring/cases/{school_case.pk}/").content.decode()
    assert '<h2 class="h5 card-title" id="partner-title">Parent Peer Specialist</h2>' in page
    assert not Hearing.objects.exists()


def contact(case, kind, **changes):
    return {
        "client_uuid": str(uuid.uuid4()),
        "case": str(case.pk),
        "date": timezone.localdate().isoformat(),
        "time": "",
        "activity_type": kind,
        "mode": "in_person",
        "duration": "60",
        "present": ["parent"],
        "notes": "Went with the parent to the meeting.",
        **changes,
    }


def test_a_school_program_logs_school_contacts_not_court(school_case, specialist, client_for):
    client = client_for(specialist.user)
    form = client.get("/mentoring/log/").content.decode()
    for school_kind in ["IEP meeting at school", "504 plan meeting at school", "mental-health"]:
        assert school_kind in form
    for child_welfare in ["Court hearing", "Family time support", "testifying"]:
        assert child_welfare not in form

    refused = client.post("/mentoring/log/", contact(school_case, ActivityType.COURT_HEARING))
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Activity.objects.exists()

    saved = client.post("/mentoring/log/", contact(school_case, ActivityType.PLAN_504_MEETING))
    assert saved.status_code == 302
    assert Activity.objects.get().activity_type == ActivityType.PLAN_504_MEETING


def test_a_school_meeting_records_the_schools_staff_not_a_foster_parent_or_attorney(
    school_case, specialist, personas, door, client_for
):
    """Who was there: a school-based program's contact offers the school's staff, and no
    foster parent or attorney or guardian ad litem (a child-welfare case's); and back."""
    from tests.mentoring.factories import assign_case

    client = client_for(specialist.user)
    form = client.get("/mentoring/log/").content.decode()
    assert "Teacher or other school staff" in form
    assert "Foster parent" not in form and "guardian ad litem" not in form

    refused = client.post(
        "/mentoring/log/",
        contact(school_case, ActivityType.IEP_MEETING, present=["parent", "attorney"]),
    )
    assert refused.status_code == 200
    assert "Select a valid choice" in refused.content.decode()
    assert not Activity.objects.exists()
    saved = client.post(
        "/mentoring/log/",
        contact(school_case, ActivityType.IEP_MEETING, present=["parent", "school_staff"]),
    )
    assert saved.status_code == 302
    assert Activity.objects.get().present == ["parent", "school_staff"]

    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    assign_case(referral, personas["door_parent_partner"])
    welfare = client_for(personas["door_parent_partner"]).get("/mentoring/log/").content.decode()
    assert "Foster parent" in welfare and "Teacher or other school staff" not in welfare


@pytest.mark.parametrize(
    ("kind", "present", "field"),
    [
        # Child welfare's people at a school program's contact, from the API as from the form.
        (ActivityType.IEP_MEETING, ["parent", "foster_parent"], "present"),
        (ActivityType.COURT_HEARING, [], "activity_type"),  # a kind it does not log
    ],
    ids=["foster parent at a school meeting", "court hearing"],
)
def test_the_model_refuses_a_child_welfare_contact_on_a_school_case(
    school_case, specialist, kind: str, present: list[str], field: str
):
    from django.core.exceptions import ValidationError

    data: dict[str, Any] = {
        "occurred_on": timezone.localdate(),
        "duration_minutes": 60,
        "activity_type": kind,
        "mode": "in_person",
    }
    if present:
        data["present"] = present
    with pytest.raises(ValidationError) as refused:
        mentoring_services.activity_log(
            actor=specialist.user,
            partner=specialist,
            case=school_case,
            data=data,
            client_uuid=uuid.uuid4(),
        )
    assert field in refused.value.message_dict
    assert not Activity.objects.exists()


def test_a_child_welfare_program_offers_no_school_only_contacts(personas, door, client_for):
    from tests.mentoring.factories import assign_case

    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    assign_case(referral, personas["door_parent_partner"])
    form = client_for(personas["door_parent_partner"]).get("/mentoring/log/").content.decode()
    assert "Court hearing (attended or supported)" in form
    assert "504 plan meeting" not in form and "Basic needs" not in form


def test_closing_a_school_case_offers_no_child_welfare_outcome(school_case, personas, client_for):
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, program=school_case.program, role=Role.PROGRAM_COORDINATOR)
    page = client_for(coordinator).get(f"/mentoring/cases/{school_case.pk}/close/")
    text = page.content.decode()
    assert "Goals met" in text
    assert "Family reunified" not in text and "CPS case closed" not in text


@pytest.mark.parametrize(
    ("day", "reminded"),
    [
        (datetime.datetime(2027, 1, 31, 23, 30, tzinfo=CHICAGO), False),
        (datetime.datetime(2027, 2, 1, 0, 30, tzinfo=CHICAGO), True),
        (datetime.datetime(2027, 6, 30, 8, 0, tzinfo=CHICAGO), True),
    ],
)
def test_the_move_to_middle_school_is_a_reminder_from_february(
    wausau, riverview, specialist, client_for, day, reminded
):
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, program=wausau, role=Role.PROGRAM_COORDINATOR)
    with time_machine.travel(datetime.datetime(2026, 10, 5, 10, 0, tzinfo=CHICAGO), tick=False):
        referral = ReferralFactory(family__program=wausau, status=Status.ACCEPTED)
        ParentFactory(family=referral.family)
        # In grade 5 in 2026-27: moves to middle school after June 2027.
        ChildFactory(
            family=referral.family,
            first_name="Nou",
            school=riverview,
            grade=5,
            grade_school_year=2026,
            episode=False,
        )
        case = mentoring_services.case_assign(
            actor=coordinator, referral=referral, partner=specialist
        )
    with time_machine.travel(day, tick=False):
        home = client_for(specialist.user).get("/mentoring/").content.decode()
        told = tasks.send_daily_reminders()
        told_again = tasks.send_daily_reminders()
    expected = "from elementary to middle school after this school year"
    assert (expected in home) is reminded
    notes = Notification.objects.filter(kind=NotificationKind.SCHOOL_TRANSITION)
    assert notes.count() == (1 if reminded else 0)
    assert told_again <= told
    if reminded:
        [note] = notes
        assert note.recipient == specialist.user
        assert note.url == f"/mentoring/cases/{case.pk}/"
        assert "Nou" not in notifications.message(note.kind, note.params)


def test_a_case_list_of_a_school_program_keeps_its_query_count(
    wausau, riverview, specialist, client_for, django_assert_max_num_queries
):
    coordinator = UserFactory()
    MembershipFactory(user=coordinator, program=wausau, role=Role.PROGRAM_COORDINATOR)
    for _ in range(6):
        referral = ReferralFactory(family__program=wausau, status=Status.ACCEPTED)
        ParentFactory(family=referral.family)
        for grade in (5, 8):
            ChildFactory(
                family=referral.family,
                school=riverview,
                grade=grade,
                grade_school_year=schooling.school_year(),
                episode=False,
            )
        mentoring_services.case_assign(actor=coordinator, referral=referral, partner=specialist)
    client = client_for(specialist.user)
    client.get("/mentoring/")
    with django_assert_max_num_queries(25):
        assert client.get("/mentoring/").status_code == 200
    assert Case.objects.count() == 6


def test_a_school_referral_does_not_ask_about_court(personas, wausau, door, client_for):
    school = client_for(personas["school_staff"]).get("/referrals/new/").content.decode()
    assert "Understanding court and the case plan" not in school
    assert "School and IEP meetings" in school
    welfare = client_for(personas["door_coordinator"]).get("/referrals/new/").content.decode()
    assert "Understanding court and the case plan" in welfare
