"""A school-based Parent Peer Support program's public door speaks to the families it serves:
children with mental-health or behavioural needs at school, Parent Peer Specialists, no
question about child protective services; a child-welfare program's door is unchanged."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core import signing
from django.test import Client

from mentoring.models import EligibilityBasis, ParentPartner, Stage
from psp import public
from psp.models import Program, User
from referrals.models import ReferralRequest


def shown() -> str:
    return signing.TimestampSigner(salt=public.SALT).sign(str(int(time.time()) - 60))


@pytest.fixture
def wausau(personas: dict[str, User | None]) -> Program:
    personas["school_staff"]  # makes the school-based program
    return Program.objects.get(slug="wausau")


def text(answer: Any) -> str:
    return answer.content.decode()


def test_the_school_programs_page_speaks_of_parent_peer_specialists_and_school(
    client: Client, wausau: Program, door: Program
) -> None:
    page = text(client.get("/public/wausau/"))
    assert "Ask for a Parent Peer Specialist" in page
    assert "Become a Parent Peer Specialist" in page
    assert "IEP and 504 meetings" in page
    assert "Marathon County schools" in page
    assert "child protective services" not in page
    assert "Parent Partner" not in page
    assert "Division of Safety and Permanence" not in page
    # Door's page still speaks of cases and Parent Partners.
    door_page = text(client.get("/public/door/"))
    assert "Ask for a Parent Partner" in door_page
    assert "child protective services case" in door_page
    assert "Parent Peer Specialist" not in door_page


def test_the_programs_list_says_which_program_is_school_based(
    client: Client, door: Program, wausau: Program
) -> None:
    page = text(client.get("/public/"))
    assert "school-based Parent Peer Support" in page
    assert page.count("school-based Parent Peer Support") == 1  # Wausau's line only


def test_without_a_school_program_the_list_does_not_mention_one(
    client: Client, door: Program
) -> None:
    assert "School-based" not in text(client.get("/public/"))


def test_a_family_asks_a_school_program_without_being_asked_about_a_cps_case(
    client: Client, wausau: Program
) -> None:
    form_page = text(client.get("/public/wausau/ask-for-help/"))
    assert "<h1>Ask for a Parent Peer Specialist</h1>" in form_page
    assert 'name="cps_case"' not in form_page
    answer = client.post(
        "/public/wausau/ask-for-help/",
        {
            "sender": "self",
            "parent_first_name": "Mai",
            "parent_last_name": "Xiong",
            "phone": "715-555-0101",
            "language": "hmn",
            "children": "Tou, 11, sixth grade",
            # Sent anyway (an old form, a robot): not kept.
            "cps_case": "yes",
            "message": "My son's IEP meeting is next week and I don't know what to ask.",
            "website": "",
            "shown": shown(),
        },
    )
    assert answer.status_code == 302
    kept = ReferralRequest.objects.get()
    assert (kept.program, kept.parent_first_name, kept.cps_case) == (wausau, "Mai", "")
    sent_page = text(client.get(answer["Location"]))
    assert "If the family wants a Parent Peer Specialist" in sent_page
    assert "Parent Partner" not in sent_page


def test_the_child_welfare_request_form_still_asks_about_a_case(
    client: Client, door: Program
) -> None:
    assert 'name="cps_case"' in text(client.get("/public/door/ask-for-help/"))


def interest(**changes: Any) -> dict[str, Any]:
    data = {
        "first_name": "Pa",
        "last_name": "Lor",
        "phone": "715-555-0199",
        "email": "",
        "best_time": "",
        "languages": ["hmn", "en"],
        "eligibility_basis": "caregiver",
        "eligibility_date_month": "9",
        "eligibility_date_day": "1",
        "eligibility_date_year": "2015",
        "message": "",
        "website": "",
        "shown": shown(),
    }
    data.update(changes)
    return data


def test_a_caregiver_offers_to_become_a_parent_peer_specialist(
    client: Client, wausau: Program
) -> None:
    url = "/public/wausau/become-a-parent-partner/"
    form_page = text(client.get(url))
    assert "<h1>Become a Parent Peer Specialist</h1>" in form_page
    assert 'value="caregiver"' in form_page
    assert 'value="reunified"' not in form_page
    assert "child protective services" not in form_page
    answer = client.post(url, interest())
    assert answer.status_code == 302
    partner = ParentPartner.objects.get()
    assert (partner.program, partner.stage, partner.eligibility_basis) == (
        wausau,
        Stage.INQUIRY,
        EligibilityBasis.CAREGIVER,
    )
    sent_page = text(client.get(answer["Location"]))
    assert "Wausau Parent Peer Support will call or write to you" in sent_page
    assert "You are paid" not in sent_page


def test_each_program_offers_only_the_experience_its_work_asks_for(
    client: Client, wausau: Program, door: Program
) -> None:
    refused = client.post("/public/wausau/become-a-parent-partner/", interest(
        eligibility_basis="reunified"
    ))  # fmt: skip
    assert refused.status_code == 200
    assert "Select a valid choice" in text(refused)
    door_form = text(client.get("/public/door/become-a-parent-partner/"))
    assert 'value="caregiver"' not in door_form
    refused = client.post("/public/door/become-a-parent-partner/", interest())
    assert "Select a valid choice" in text(refused)
    assert not ParentPartner.objects.exists()


def test_the_school_programs_page_in_spanish(client: Client, wausau: Program) -> None:
    page = text(client.get("/public/wausau/", HTTP_ACCEPT_LANGUAGE="es"))
    assert 'lang="es"' in page
    assert "Ask for a Parent Peer Specialist" not in page
    assert "IEP" in page
