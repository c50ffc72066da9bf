"""The Program Coordinator's requests from the public page: listed, read (audited), closed
with a reason, or made into a referral from the intake form filled in from them."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from psp.models import AuditEntry, Program, User
from referrals.models import Referral, ReferralRequest, RequestStatus, Sender
from tests.factories import ParentFactory, ReferralFactory, ReferralRequestFactory


@pytest.fixture
def coordinator_client(personas: dict[str, User | None], client_for: Any) -> Client:
    return client_for(personas["door_coordinator"])


def test_waiting_requests_are_listed_longest_wait_first(
    door: Program, rock: Program, coordinator_client: Client
) -> None:
    older = ReferralRequestFactory(program=door)
    newer = ReferralRequestFactory(program=door)
    ReferralRequestFactory(program=door, status=RequestStatus.CLOSED)
    elsewhere = ReferralRequestFactory(program=rock)
    html = coordinator_client.get("/referrals/requests/").content.decode()
    assert html.index(older.parent_first_name) < html.index(newer.parent_first_name)
    assert elsewhere.parent_first_name not in html
    assert "/public/door/" in html  # the address to share
    listing = coordinator_client.get("/referrals/").content.decode()
    assert "2 requests from your program's public page are waiting" in listing


def test_the_list_asks_the_same_queries_however_many_wait(
    door: Program, coordinator_client: Client, django_assert_max_num_queries: Any
) -> None:
    ReferralRequestFactory.create_batch(3, program=door)
    with django_assert_max_num_queries(14) as few:
        coordinator_client.get("/referrals/requests/")
    ReferralRequestFactory.create_batch(30, program=door)
    with django_assert_max_num_queries(len(few.captured_queries)):
        coordinator_client.get("/referrals/requests/")


def test_reading_a_request_is_audited(
    door: Program, coordinator_client: Client, personas: dict[str, User | None]
) -> None:
    request = ReferralRequestFactory(program=door)
    page = coordinator_client.get(f"/referrals/requests/{request.pk}/")
    assert page.status_code == 200
    assert request.message in page.content.decode()
    assert AuditEntry.objects.filter(
        action="view", object_type="referrals.referralrequest", object_id=str(request.pk)
    ).exists()


def test_another_county_and_other_roles_do_not_see_it(
    door: Program, personas: dict[str, User | None], client_for: Any
) -> None:
    request = ReferralRequestFactory(program=door)
    for name in ["rock_coordinator", "door_pp_coordinator", "admin", "state"]:
        page = client_for(personas[name]).get(f"/referrals/requests/{request.pk}/")
        assert page.status_code == 404, name


def test_closing_needs_a_reason_and_keeps_who_and_when(
    door: Program, coordinator_client: Client, personas: dict[str, User | None]
) -> None:
    request = ReferralRequestFactory(program=door)
    page = coordinator_client.post(f"/referrals/requests/{request.pk}/close/", {})
    assert "Choose why the request is closed." in page.content.decode()
    answer = coordinator_client.post(
        f"/referrals/requests/{request.pk}/close/", {"reason": "not_genuine"}
    )
    assert answer.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.close_reason, request.handled_by) == (
        RequestStatus.CLOSED,
        "not_genuine",
        personas["door_coordinator"],
    )
    again = coordinator_client.post(
        f"/referrals/requests/{request.pk}/close/", {"reason": "unreachable"}, follow=True
    )
    assert "already handled" in again.content.decode()
    request.refresh_from_db()
    assert request.close_reason == "not_genuine"


def _referral_post(form: dict[str, Any], **changes: Any) -> dict[str, Any]:
    data = {
        "program": form["program"],
        "referrer_name": form["referrer_name"],
        "referrer_agency": form["referrer_agency"],
        "referrer_email": "",
        "received_on": form["received_on"],
        "urgency": "routine",
        "reason": form["reason"],
        "parents-TOTAL_FORMS": "1",
        "parents-INITIAL_FORMS": "0",
        "parents-MIN_NUM_FORMS": "1",
        "parents-MAX_NUM_FORMS": "4",
        "parents-0-first_name": form["first_name"],
        "parents-0-last_name": form["last_name"],
        "parents-0-birth_date_month": "4",
        "parents-0-birth_date_day": "12",
        "parents-0-birth_date_year": "1990",
        "parents-0-phone": form["phone"],
        "parents-0-preferred_language": form["language"],
        "children-TOTAL_FORMS": "1",
        "children-INITIAL_FORMS": "0",
        "children-MIN_NUM_FORMS": "1",
        "children-MAX_NUM_FORMS": "12",
        "children-0-first_name": "Lia",
        "children-0-last_name": form["last_name"],
        "children-0-birth_date_month": "3",
        "children-0-birth_date_day": "2",
        "children-0-birth_date_year": "2022",
        "children-0-placement_status": "at_home",
        "from_request": form["from_request"],
    }
    data.update(changes)
    return data


def test_a_referral_made_from_a_request_starts_filled_in_and_marks_it(
    door: Program, coordinator_client: Client, personas: dict[str, User | None]
) -> None:
    request = ReferralRequestFactory(
        program=door,
        sender=Sender.COMMUNITY,
        sender_name="Ana Lor",
        sender_relationship="Aunt",
        language="hmn",
    )
    page = coordinator_client.get(f"/referrals/new/?request={request.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert f'value="{request.parent_first_name}"' in html
    assert 'value="Ana Lor"' in html
    assert f'name="from_request" value="{request.pk}"' in html
    answer = coordinator_client.post(
        "/referrals/new/",
        _referral_post(
            {
                "program": door.pk,
                "referrer_name": "Ana Lor",
                "referrer_agency": "Aunt",
                "received_on": timezone.localdate(request.received_at).isoformat(),
                "reason": request.message,
                "first_name": request.parent_first_name,
                "last_name": request.parent_last_name,
                "phone": request.phone,
                "language": "hmn",
                "from_request": request.pk,
            }
        ),
    )
    assert answer.status_code == 302, answer.content.decode()[:3000]
    referral = Referral.objects.get()
    request.refresh_from_db()
    assert (request.status, request.referral, request.handled_by) == (
        RequestStatus.REFERRED,
        referral,
        personas["door_coordinator"],
    )
    assert referral.family.parents.get().preferred_language == "hmn"
    # It cannot be made into a second referral.
    again = coordinator_client.get(f"/referrals/new/?request={request.pk}")
    assert again.status_code == 302


def test_the_duplicate_warning_is_shown_to_staff_making_the_referral(
    door: Program, coordinator_client: Client
) -> None:
    known = ParentFactory(family__program=door, birth_date="1990-04-12")
    ReferralFactory(family=known.family)
    request = ReferralRequestFactory(
        program=door, parent_first_name=known.first_name, parent_last_name=known.last_name
    )
    answer = coordinator_client.post(
        "/referrals/new/",
        _referral_post(
            {
                "program": door.pk,
                "referrer_name": known.first_name,
                "referrer_agency": "Self-referral",
                "received_on": timezone.localdate(request.received_at).isoformat(),
                "reason": request.message,
                "first_name": known.first_name,
                "last_name": known.last_name,
                "phone": request.phone,
                "language": "en",
                "from_request": request.pk,
            }
        ),
    )
    assert answer.status_code == 200
    assert "already" in answer.content.decode().lower()
    request.refresh_from_db()
    assert request.status == RequestStatus.WAITING


def test_a_request_of_another_county_cannot_be_referred(
    door: Program, rock: Program, coordinator_client: Client
) -> None:
    request = ReferralRequestFactory(program=rock)
    assert coordinator_client.get(f"/referrals/new/?request={request.pk}").status_code == 404
    assert coordinator_client.get("/referrals/new/?request=abc").status_code == 404
    assert ReferralRequest.objects.get().status == RequestStatus.WAITING
