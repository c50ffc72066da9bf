"""``seed_demo`` adds councils and outreach that the forms would accept, and only once."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from councils.models import (
    Attendance,
    Council,
    CouncilKind,
    CouncilMember,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    Stipend,
    StipendStatus,
)
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    models = [
        Council,
        CouncilMember,
        Meeting,
        Attendance,
        Recommendation,
        RecommendationStatusChange,
        Stipend,
        OutreachEvent,
    ]
    result = {model.__name__: model._default_manager.count() for model in models}
    result["linked referrals"] = Referral.objects.exclude(source=None).count()
    return result


def test_seed_demo_adds_councils_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    first = counts()
    call_command("seed_demo")  # idempotent: the second run adds nothing
    assert counts() == first

    today = timezone.localdate()
    local = Council.objects.filter(kind=CouncilKind.LOCAL).select_related("program")
    assert sorted(local.values_list("program__slug", flat=True)) == ["door", "jefferson", "rock"]
    state = Council.objects.get(kind=CouncilKind.STATE)
    assert state.members.filter(user__username="dcf-state").exists()

    for council in local:
        members = council.members.all()
        assert 8 <= members.count() <= 12, council
        lived = members.filter(lived_experience=True).count()
        assert members.count() / 3 <= lived <= members.count() * 2 / 3, council
        linked = set(members.exclude(user=None).values_list("user__username", flat=True))
        assert council.program is not None
        slug = council.program.slug
        assert linked == {f"{slug}-coordinator", f"{slug}-pp-coordinator"}
        meetings = council.meetings.order_by("held_on")
        first_meeting = meetings.first()
        assert first_meeting is not None
        assert first_meeting.held_on <= today - datetime.timedelta(days=500)
        assert meetings.filter(held_on__gte=today).count() == 1  # the next one, planned
        assert 2 <= council.recommendations.count() <= 4
        assert council.recommendations.filter(status=RecommendationStatus.ADOPTED).exists()

    for member in CouncilMember.objects.all():
        member.full_clean()
    for meeting in Meeting.objects.all():
        meeting.full_clean()
        if meeting.held_on >= today:
            assert not meeting.attendance.exists() and not meeting.minutes
        else:
            assert meeting.attendance.exists() and meeting.minutes.startswith("<p>")
    for stipend in Stipend.objects.select_related("member", "meeting"):
        stipend.full_clean()  # lived experience only, dates that make sense
        assert stipend.meeting is not None
        assert stipend.meeting.attendance.filter(member=stipend.member, status="present").exists()
    assert Stipend.objects.filter(status=StipendStatus.PAID).count() > (
        Stipend.objects.filter(status=StipendStatus.PENDING).count()
    )
    assert Attendance.objects.exclude(status="present").exists()  # a few excused or absent

    for recommendation in Recommendation.objects.prefetch_related("status_changes"):
        steps = list(recommendation.status_changes.all())
        assert steps[0].from_status == "" and steps[0].to_status == RecommendationStatus.PROPOSED
        assert steps[-1].to_status == recommendation.status
        for before, after in itertools.pairwise(steps):
            assert after.from_status == before.to_status
        assert (recommendation.decided_on is not None) == (
            recommendation.status in {RecommendationStatus.ADOPTED, RecommendationStatus.DECLINED}
        )
    assert not RecommendationStatusChange.objects.filter(at__gt=timezone.now()).exists()

    per_program = dict(OutreachEvent.objects.values_list("program__slug").annotate(n=Count("id")))
    for slug in ["door", "rock", "jefferson"]:
        assert 24 <= per_program[slug] <= 48, slug
    assert not OutreachEvent.objects.filter(held_on__gte=today).exists()
    linked_referrals = Referral.objects.exclude(source=None).select_related("source__event")
    assert linked_referrals.exists()
    for referral in linked_referrals:
        assert referral.source.event is not None
        assert referral.program_id == referral.source.event.program_id
        assert referral.received_on > referral.source.event.held_on
        assert referral.referred_by_id is None  # entered by a coordinator for someone else
