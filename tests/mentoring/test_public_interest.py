"""The program's public page's "become a Parent Partner" form: an inquiry in the recruitment
pipeline, marked as come from the public page, that the coordinators hear of."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from mentoring.models import ParentPartner, PartnerSource, Stage
from psp import public
from psp.models import Notification, NotificationKind, Program, User

URL = "/public/door/become-a-parent-partner/"


def sent(**changes: Any) -> dict[str, Any]:
    data = {
        "first_name": "Rosa",
        "last_name": "Delgado",
        "phone": "",
        "email": "rosa@example.org",
        "best_time": "Mornings",
        "languages": ["es", "en"],
        "eligibility_basis": "reunified",
        "eligibility_date_month": "6",
        "eligibility_date_day": "1",
        "eligibility_date_year": "2022",
        "message": "I want other moms to know it can get better.",
        "website": "",
        "shown": signing.TimestampSigner(salt=public.SALT).sign(str(int(time.time()) - 60)),
    }
    data.update(changes)
    return data


def test_interest_lands_in_the_pipeline_as_an_inquiry(
    client: Client, door: Program, personas: dict[str, User | None], client_for: Any
) -> None:
    answer = client.post(URL, sent())
    assert answer.status_code == 302
    assert answer["Location"] == "/public/door/become-a-parent-partner/sent/"
    partner = ParentPartner.objects.get()
    assert (partner.program, partner.stage, partner.source) == (
        door,
        Stage.INQUIRY,
        PartnerSource.PUBLIC_FORM,
    )
    assert partner.eligibility_date == datetime.date(2022, 6, 1)
    assert partner.languages == ["es", "en"]
    assert partner.interest_message.startswith("I want other moms")
    assert partner.user is None
    told = set(
        Notification.objects.filter(kind=NotificationKind.PUBLIC_INTEREST).values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"door-coordinator", "door-pp_coordinator"}
    pipeline = client_for(personas["door_pp_coordinator"]).get("/mentoring/parent-partners/")
    html = pipeline.content.decode()
    assert "Rosa Delgado" in html
    assert "From the public page" in html
    detail = client_for(personas["door_pp_coordinator"]).get(
        f"/mentoring/parent-partners/{partner.pk}/"
    )
    assert "I want other moms to know it can get better." in detail.content.decode()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"phone": "", "email": ""}, "Enter a phone number or an e-mail address"),
        ({"first_name": ""}, "Enter your first name."),
        ({"eligibility_basis": ""}, "Choose what fits your experience."),
        (
            {"eligibility_date_month": "", "eligibility_date_day": "", "eligibility_date_year": ""},
            "Enter about when",
        ),
        ({"eligibility_date_year": str(timezone.localdate().year + 1)}, "today or in the past"),
        ({"languages": ["xx"]}, "Select a valid choice"),
    ],
)
def test_a_mistake_is_said_at_its_field_and_nothing_is_kept(
    client: Client, door: Program, changes: dict[str, Any], message: str
) -> None:
    page = client.post(URL, sent(**changes))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not ParentPartner.objects.exists()


def test_someone_reunified_less_than_a_year_ago_is_still_heard(
    client: Client, door: Program
) -> None:
    """Eligibility is the coordinator's to go over with them: the inquiry is kept, and
    they cannot be made active before the year is up."""
    recent = timezone.localdate() - datetime.timedelta(days=60)
    data = sent(
        eligibility_date_month=str(recent.month),
        eligibility_date_day=str(recent.day),
        eligibility_date_year=str(recent.year),
    )
    assert client.post(URL, data).status_code == 302
    assert not ParentPartner.objects.get().is_eligible()


def test_a_robot_is_answered_as_received(client: Client, door: Program) -> None:
    answer = client.post(URL, sent(website="buy now"))
    assert answer.status_code == 302
    assert not ParentPartner.objects.exists()
    assert not Notification.objects.exists()


def test_the_public_pages_are_open_to_anyone(client: Client, door: Program) -> None:
    for path in ["/public/", "/public/door/", URL, URL + "sent/"]:
        assert client.get(path).status_code == 200, path
    program_page = client.get("/public/door/").content.decode()
    assert "/public/door/ask-for-help/" in program_page
    assert URL in program_page
