"""Triage: received -> screening -> accepted | declined | withdrawn, each step recorded."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from psp.models import AuditAction, AuditEntry
from referrals.models import DeclineReason, Referral, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def move(django_capture_on_commit_callbacks):
    """Post a status change as the detail page does; run the e-mails queued on commit
    (tests run inside a transaction that never commits)."""

    def post(client, referral: Referral, to_status: str, **extra: str):
        referral.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                f"/referrals/{referral.pk}/status/",
                {"to_status": to_status, "version": str(referral.version), **extra},
                follow=True,
            )

    return post


def test_coordinator_screens_then_accepts(personas, door_referral, client_for, move):
    client = client_for(personas["door_coordinator"])
    page = move(client, door_referral, Status.SCREENING).content.decode()
    assert "is now “Screening”" in page
    page = move(client, door_referral, Status.ACCEPTED).content.decode()
    assert "is now “Accepted”" in page
    door_referral.refresh_from_db()
    assert door_referral.status == Status.ACCEPTED
    steps = list(
        door_referral.transitions.values_list("from_status", "to_status", "actor__username")
    )
    assert steps[1:] == [
        (Status.RECEIVED, Status.SCREENING, "door-coordinator"),
        (Status.SCREENING, Status.ACCEPTED, "door-coordinator"),
    ]
    # The referrer heard about both changes.
    assert [m.subject for m in mail.outbox] == [
        f"Referral {door_referral.number}: Screening",
        f"Referral {door_referral.number}: Accepted",
    ]
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.UPDATE,
            object_id=str(door_referral.pk),
            object_type="referrals.referral",
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    ("start", "to_status"),
    [
        (Status.RECEIVED, Status.ACCEPTED),
        (Status.RECEIVED, Status.DECLINED),
        (Status.ACCEPTED, Status.SCREENING),
        (Status.DECLINED, Status.ACCEPTED),
        (Status.WITHDRAWN, Status.SCREENING),
        (Status.SCREENING, Status.ASSIGNED),
    ],
)
def test_illegal_transitions_are_refused_with_a_message(
    personas, door_referral, client_for, start, to_status, move
):
    Referral.objects.filter(pk=door_referral.pk).update(status=start)
    page = move(
        client_for(personas["door_coordinator"]), door_referral, to_status, reason="other"
    ).content.decode()
    assert "cannot be marked" in page
    door_referral.refresh_from_db()
    assert door_referral.status == start
    assert not mail.outbox


def test_declining_needs_a_reason_at_the_field(personas, door_referral, client_for, move):
    Referral.objects.filter(pk=door_referral.pk).update(status=Status.SCREENING)
    client = client_for(personas["door_coordinator"])
    response = client.post(
        f"/referrals/{door_referral.pk}/status/",
        {"to_status": Status.DECLINED, "version": str(door_referral.version), "note": "kept"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert page.count("Choose why the referral is declined.") >= 2
    assert "kept</textarea>" in page
    door_referral.refresh_from_db()
    assert door_referral.status == Status.SCREENING

    move(client, door_referral, Status.DECLINED, reason=DeclineReason.UNREACHABLE, note="3 calls")
    door_referral.refresh_from_db()
    assert door_referral.status == Status.DECLINED
    assert door_referral.decline_reason == DeclineReason.UNREACHABLE
    assert "Could not reach the parent" in mail.outbox[-1].body


def test_referring_social_worker_may_withdraw_but_not_triage(
    personas, door_referral, client_for, move
):
    client = client_for(personas["door_social_worker"])
    assert move(client, door_referral, Status.SCREENING).status_code == 403
    move(client, door_referral, Status.WITHDRAWN, note="Family moved to Kewaunee County")
    door_referral.refresh_from_db()
    assert door_referral.status == Status.WITHDRAWN


def test_a_stale_page_cannot_overwrite_a_newer_decision(personas, door_referral, client_for, move):
    coordinator = client_for(personas["door_coordinator"])
    stale_version = door_referral.version
    move(coordinator, door_referral, Status.SCREENING)
    response = coordinator.post(
        f"/referrals/{door_referral.pk}/status/",
        {"to_status": Status.WITHDRAWN, "version": str(stale_version)},
        follow=True,
    )
    assert "Someone else changed this referral a moment ago" in response.content.decode()
    door_referral.refresh_from_db()
    assert door_referral.status == Status.SCREENING


def test_timeline_shows_who_and_when(personas, door_referral, client_for, move):
    client = client_for(personas["door_coordinator"])
    move(client, door_referral, Status.SCREENING)
    page = client_for(personas["door_social_worker"]).get(f"/referrals/{door_referral.pk}/")
    text = page.content.decode()
    assert "Timeline" in text and "Screening" in text
    assert personas["door_coordinator"].get_full_name() in text
    # The referrer follows the status but has no triage buttons.
    assert "Start screening" not in text and "Accept the referral" not in text


def test_the_referrer_hears_in_their_own_language(personas, door_referral, client_for, move):
    """The social worker who referred reads Spanish; the coordinator who triages reads
    English: the e-mail follows the reader, not the one who changed the status."""
    social_worker = personas["door_social_worker"]
    social_worker.language = "es"
    social_worker.save()
    move(client_for(personas["door_coordinator"]), door_referral, Status.SCREENING)
    [message] = mail.outbox
    assert message.to == [social_worker.email]
    assert message.subject == f"Remisión {door_referral.number}: Evaluación"
    assert isinstance(message, EmailMultiAlternatives)
    html, _type = message.alternatives[0]
    assert isinstance(html, str) and '<html lang="es">' in html

    social_worker.language = ""
    social_worker.save()
    mail.outbox.clear()
    move(client_for(personas["door_coordinator"]), door_referral, Status.ACCEPTED)
    assert [m.subject for m in mail.outbox] == [f"Referral {door_referral.number}: Accepted"]
