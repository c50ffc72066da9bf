"""``seed_demo`` adds realistic, valid referrals to each demo program, and only once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from psp.models import Program
from referrals.models import (
    Child,
    Language,
    Parent,
    PlacementChange,
    Referral,
    RemovalEpisode,
    Status,
    Transition,
)

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_valid_referrals_once(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")
    first_counts = {
        program.slug: program.referrals.count() for program in Program.objects.order_by("slug")
    }
    call_command("seed_demo")  # idempotent: the second run adds nothing

    programs = Program.objects.order_by("slug")
    assert {program.slug: program.referrals.count() for program in programs} == first_counts
    assert sorted(first_counts) == ["door", "jefferson", "rock", "wausau"]
    for slug, count in first_counts.items():
        assert 20 <= count <= 60, (slug, count)

    today = timezone.localdate()
    now = timezone.now()

    for child in Child.objects.all():
        child.full_clean()

    referrals = list(Referral.objects.select_related("family").prefetch_related("transitions"))
    numbers = [referral.number for referral in referrals]
    assert len(numbers) == len(set(numbers))
    for referral in referrals:
        assert referral.program_id == referral.family.program_id
        assert referral.received_on <= today
        transitions = list(referral.transitions.all())  # ordered by time
        assert transitions, referral.number
        assert transitions[0].from_status == ""
        assert transitions[0].to_status == Status.RECEIVED
        assert transitions[-1].to_status == referral.status, referral.number
        assert referral.status_changed_at == transitions[-1].at
        assert 1 <= len(referral.needs) <= 3
        assert referral.family.parents.count() in {1, 2}
        assert 1 <= referral.family.children.count() <= 4

    assert not Transition.objects.filter(at__gt=now).exists()
    assert not Parent.objects.filter(birth_date__gt=today).exists()
    assert not Parent.objects.filter(consent_date__gt=today).exists()
    assert not Child.objects.filter(birth_date__gt=today).exists()
    for name in ["removed_on", "discharged_on"]:
        assert not RemovalEpisode.objects.filter(**{f"{name}__gt": today}).exists(), name
    # Every stay as the forms would accept it: no overlaps, after birth, placements inside.
    for episode in RemovalEpisode.objects.select_related("child"):
        episode.full_clean()
    for placement in PlacementChange.objects.select_related("episode__child"):
        placement.full_clean()
    assert RemovalEpisode.objects.filter(discharged_on=None).exists()

    assert Parent.objects.filter(preferred_language=Language.SPANISH).exists()
    assert Parent.objects.filter(preferred_language=Language.HMONG).exists()
    declined = Referral.objects.filter(status=Status.DECLINED).exclude(decline_reason="")
    assert declined.exists()
    assert RemovalEpisode.objects.exclude(discharged_on=None).exists()
    # Some children were removed again after going home: a second stay.
    assert Child.objects.annotate(stays=Count("episodes")).filter(stays__gt=1).exists()
