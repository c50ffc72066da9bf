"""``seed_demo`` adds valid Parent Partners, cases, contacts and support records, and only once."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from mentoring.models import (
    APPLICANT_STAGES,
    CORE_TOPICS,
    Activity,
    ActivityType,
    Assignment,
    Case,
    CaseStatus,
    ClinicalSupportSession,
    ParentPartner,
    ReviewStatus,
    Stage,
    SurveyResponse,
)
from mentoring.selectors import readiness_problems
from psp.models import Notification, NotificationKind, Program, User
from referrals.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings) -> dict[str, int]:
    """The demo seeded twice; the counts after the first run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    counts = {
        "partners": ParentPartner.objects.count(),
        "cases": Case.objects.count(),
        "activities": Activity.objects.count(),
    }
    call_command("seed_demo")
    return counts


def test_second_run_adds_nothing(seeded):
    assert seeded["partners"] > 0
    assert seeded["cases"] > 0
    assert seeded["activities"] > 0
    assert ParentPartner.objects.count() == seeded["partners"]
    assert Case.objects.count() == seeded["cases"]
    assert Activity.objects.count() == seeded["activities"]


def test_parent_partners_are_eligible_and_each_program_has_an_applicant(seeded):
    today = timezone.localdate()
    active = ParentPartner.objects.filter(stage=Stage.ACTIVE)
    assert active.exists()
    for partner in active:
        assert partner.eligible_from <= today, partner
    for program in Program.objects.all():
        partners = ParentPartner.objects.filter(program=program)
        assert partners.filter(stage__in=APPLICANT_STAGES).exists(), program.slug
        assert partners.filter(user__username=f"{program.slug}-parent-partner").exists()
    for partner in ParentPartner.objects.all():
        partner.full_clean()
        changes = list(partner.stage_changes.all())
        assert changes[-1].to_stage == partner.stage, partner
        assert [change.at for change in changes] == sorted(change.at for change in changes)


def test_cases_are_assigned_once(seeded):
    cases = Case.objects.select_related("referral").prefetch_related("assignments")
    assert cases.filter(status=CaseStatus.CLOSED).exists()
    for case in cases:
        case.full_clean()
        assert case.referral.status == Status.ASSIGNED, case
        last_change = case.referral.transitions.last()
        assert last_change is not None and last_change.to_status == Status.ASSIGNED
        current = [a for a in case.assignments.all() if a.ended_on is None]
        if case.status == CaseStatus.OPEN:
            assert len(current) == 1, case
        else:
            assert current == [], case
    assert Assignment.objects.exclude(end_reason="").exists()


def test_activities_are_valid_and_in_the_past(seeded):
    today = timezone.localdate()
    assert not Activity.objects.filter(occurred_on__gt=today).exists()
    assert Activity.objects.filter(occurred_time__isnull=True).exists()  # a time not given
    for activity in Activity.objects.select_related("case"):
        earliest = activity.case.opened_on - datetime.timedelta(days=1)
        assert activity.occurred_on >= earliest, activity
    for activity in Activity.objects.select_related("case").order_by("?")[:200]:
        activity.full_clean()
    linkage = Activity.objects.filter(activity_type=ActivityType.RESOURCE_LINKAGE)
    assert linkage.exists()
    assert not linkage.filter(resource=None).exists()
    assert Activity.objects.filter(review_status=ReviewStatus.SIGNED_OFF).exists()
    assert Activity.objects.filter(
        review_status=ReviewStatus.SENT_BACK, parent_partner__user__username="door-parent-partner"
    ).exists()


def test_demo_parent_partner_home_has_reminders(seeded):
    today = timezone.localdate()
    partner = ParentPartner.objects.get(user__username="door-parent-partner", program__slug="door")
    open_cases = Case.objects.filter(
        status=CaseStatus.OPEN,
        assignments__parent_partner=partner,
        assignments__ended_on__isnull=True,
    )
    assert open_cases.count() >= 3
    soon = today + datetime.timedelta(days=7)
    assert open_cases.filter(next_court_date__gte=today, next_court_date__lte=soon).exists()
    recent = today - datetime.timedelta(days=13)
    with_recent_contact = [
        case for case in open_cases if case.activities.filter(occurred_on__gte=recent).exists()
    ]
    assert len(with_recent_contact) >= 3
    assert len(with_recent_contact) < open_cases.count()  # one has had no contact for 14 days


def test_clinical_support_is_past_and_missing_this_month(seeded):
    today = timezone.localdate()
    sessions = ClinicalSupportSession.objects.all()
    assert sessions.exists()
    assert not sessions.filter(held_on__gt=today).exists()
    assert not sessions.filter(held_on__year=today.year, held_on__month=today.month).exists()


def test_survey_scores_are_the_mean_of_the_answers(seeded):
    responses = SurveyResponse.objects.all()
    assert responses.filter(timing="intake").exists()
    assert responses.filter(timing="closure").exists()
    for response in responses:
        answers = list(response.answers.values())
        assert len(answers) == 3
        assert all(1 <= answer <= 5 for answer in answers)
        mean = (Decimal(sum(answers)) / len(answers)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        assert response.score == mean, response


def test_every_active_demo_parent_partner_could_be_activated_today(seeded):
    """Active ones have every core topic and a sign-in account with a Parent Partner
    membership; the training table still shows who in training is missing which."""
    for partner in ParentPartner.objects.filter(stage=Stage.ACTIVE):
        assert readiness_problems(partner) == [], partner
    in_training = ParentPartner.objects.filter(stage=Stage.TRAINING)
    assert in_training.exists()
    for partner in in_training:
        done = set(partner.trainings.values_list("topic", flat=True))
        assert set(CORE_TOPICS).difference(done), partner


def test_the_demo_peoples_bells_have_something_and_each_opens_a_page_of_theirs(seeded, client):
    """A first visit to the demo shows the bell at work: a few unread, older ones read, and
    each notification's link opens a page its person may see."""
    for username, kinds in [
        ("door-pp-coordinator", {NotificationKind.REFERRAL_ARRIVED}),
        (
            "door-parent-partner",
            {NotificationKind.CONTACT_SENT_BACK, NotificationKind.CASE_ASSIGNED},
        ),
    ]:
        user = User.objects.get(username=username)
        theirs = list(Notification.objects.filter(recipient=user))
        assert kinds <= {notification.kind for notification in theirs}
        assert 1 <= sum(notification.read_at is None for notification in theirs) <= 3
        client.force_login(user)
        for notification in theirs:
            assert client.get(notification.url).status_code == 200, notification.url
