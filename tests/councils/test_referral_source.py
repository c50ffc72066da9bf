"""The outreach event a new referral names is kept by councils (``ReferralSource``), saved
through the hook ``referral.created`` in the same transaction as the referral, and audited."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils.models import ReferralSource
from psp import hooks
from psp.models import AuditAction, AuditEntry
from referrals import services
from referrals.models import Family, Referral
from tests.councils.factories import OutreachEventFactory, days_ago
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def test_councils_keeps_what_a_new_referral_names() -> None:
    assert len(hooks.get("referral.created")) == 1  # councils: the outreach event


def test_the_named_event_is_saved_with_the_referral_and_audited(
    personas, door, client_for, intake_data
):
    event = OutreachEventFactory(program=door, held_on=days_ago(10))
    coordinator = personas["door_coordinator"]
    response = client_for(coordinator).post(
        "/referrals/new/",
        intake_data(
            referrer_name="Kari Jeanquart",
            received_on=timezone.localdate().isoformat(),
            source_event=str(event.pk),
        ),
    )
    assert response.status_code == 302
    referral = Referral.objects.get()
    source = ReferralSource.objects.get()
    assert (source.referral, source.event) == (referral, event)
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="councils.referralsource")
    assert entry.object_id == str(source.pk)
    assert entry.actor_id == coordinator.pk
    assert entry.program_id == door.pk
    assert entry.changes == {"id": source.pk, "referral": referral.pk, "event": event.pk}


def test_a_referral_naming_no_event_has_no_source(personas, door, client_for, intake_data):
    OutreachEventFactory(program=door, held_on=days_ago(10))
    response = client_for(personas["door_coordinator"]).post(
        "/referrals/new/",
        intake_data(
            referrer_name="Kari Jeanquart",
            received_on=timezone.localdate().isoformat(),
            source_event="",
        ),
    )
    assert response.status_code == 302
    assert Referral.objects.exists()
    assert not ReferralSource.objects.exists()
    assert not AuditEntry.objects.filter(object_type="councils.referralsource").exists()


def test_an_event_councils_refuses_undoes_the_whole_referral(personas, door, rock):
    """Councils checks again what the form checked; its refusal is the question's, and
    nothing of the referral is left behind."""
    rock_event = OutreachEventFactory(program=rock, held_on=days_ago(10))
    with pytest.raises(ValidationError) as refused:
        services.referral_create(
            actor=personas["door_coordinator"],
            program=door,
            referral_data={"referrer_name": "Kari Jeanquart"},
            parents=[
                {
                    "first_name": "María",
                    "last_name": "López",
                    "birth_date": datetime.date(1994, 3, 27),
                }
            ],
            children=[{"first_name": "Sofía", "birth_date": datetime.date(2018, 6, 2)}],
            answers={"source_event": rock_event},
        )
    assert refused.value.message_dict == {
        "source_event": ["Choose an event of the program the family is referred to."]
    }
    assert not Referral.objects.exists()
    assert not Family.objects.exists()
    assert not ReferralSource.objects.exists()


def test_administrators_see_sources_in_the_admin_audited(personas, door, client_for):
    event = OutreachEventFactory(program=door)
    referral = ReferralFactory(family__program=door, source_event=event)
    source = ReferralSource.objects.get()
    client = client_for(personas["admin"])

    assert client.get("/admin/councils/referralsource/").status_code == 200
    page = client.get(f"/admin/councils/referralsource/{source.pk}/change/")
    assert page.status_code == 200 and referral.number in page.content.decode()
    views = AuditEntry.objects.filter(
        action=AuditAction.VIEW, object_type="councils.referralsource"
    )
    assert views.count() == 2  # the list and the record: they name a family's referral
