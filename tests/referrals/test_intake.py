"""Intake: a social worker (or a coordinator on a referrer's behalf) refers a family."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from psp.models import AuditAction, AuditEntry, Role
from referrals.models import Child, Parent, Referral, Status
from tests.factories import MembershipFactory, ParentFactory, ReferralFactory
from tests.referrals.conftest import race_options

pytestmark = pytest.mark.django_db


def test_social_worker_refers_a_family_with_two_children(
    personas, door, client_for, intake, django_capture_on_commit_callbacks
):
    social_worker = personas["door_social_worker"]
    client = client_for(social_worker)
    assert client.get("/referrals/new/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/referrals/new/",
            intake(
                children=[
                    {"first_name": "Sofía", "birth_date": datetime.date(2018, 6, 2)},
                    {
                        "first_name": "Mateo",
                        "birth_date": datetime.date(2020, 1, 15),
                        "placement_status": "out_of_home",
                        "out_of_home_type": "relative",
                        "removal_date": timezone.localdate() - datetime.timedelta(days=20),
                    },
                ]
            ),
        )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/"
    assert referral.program == door
    assert referral.referred_by == social_worker
    assert referral.referrer_email == social_worker.email
    assert referral.status == Status.RECEIVED
    assert referral.number == f"DOOR-{timezone.localdate().year}-0001"
    assert sorted(child.first_name for child in referral.family.children.all()) == [
        "Mateo",
        "Sofía",
    ]
    assert [p.name_key for p in referral.family.parents.all()] == ["maria lopez"]
    # Mateo, in care, has a stay open since his removal, with a relative; Sofía has none.
    mateo = referral.family.children.get(first_name="Mateo")
    episode = mateo.episodes.get()
    assert episode.removed_on == timezone.localdate() - datetime.timedelta(days=20)
    assert episode.discharged_on is None
    assert [(p.started_on, p.setting) for p in episode.placements.all()] == [
        (episode.removed_on, "relative")
    ]
    assert not referral.family.children.get(first_name="Sofía").episodes.exists()
    assert [t.to_status for t in referral.transitions.all()] == [Status.RECEIVED]

    page = client.get(response["Location"]).content.decode()
    assert "María López" in page and "Mateo" in page and "Received" in page

    # The referrer is told, with no more than the first name and the number; the program's
    # coordinators hear that a referral arrived (tests/psp/test_notifications.py).
    assert sorted(address for m in mail.outbox for address in m.to) == sorted(
        [
            social_worker.email,
            personas["door_coordinator"].email,
            personas["door_pp_coordinator"].email,
        ]
    )
    [message] = [m for m in mail.outbox if m.to == [social_worker.email]]
    assert referral.number in message.subject
    assert "María" in message.body and "López" not in message.body

    created = set(
        AuditEntry.objects.filter(action=AuditAction.CREATE, program_id=door.pk).values_list(
            "object_type", flat=True
        )
    )
    assert {
        "referrals.family",
        "referrals.parent",
        "referrals.child",
        "referrals.referral",
    } <= created


def test_coordinator_enters_a_referral_for_someone_else(
    personas, door, client_for, intake, django_capture_on_commit_callbacks
):
    client = client_for(personas["door_coordinator"])
    missing_name = client.post("/referrals/new/", intake(received_on="2026-01-05"))
    assert missing_name.status_code == 200
    assert "This field is required." in missing_name.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/referrals/new/",
            intake(
                referrer_name="Ana Ruiz",
                referrer_agency="Sevastopol School District",
                referrer_email="ana.ruiz@example.org",
                received_on=(timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
            ),
        )
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.referred_by is None
    assert referral.entered_by == personas["door_coordinator"]
    assert referral.referrer_agency == "Sevastopol School District"
    assert mail.outbox[0].to == ["ana.ruiz@example.org"]


@pytest.mark.parametrize(
    ("child", "field", "message"),
    [
        (
            {"first_name": "Ava", "birth_date": (2, 2, 2099)},
            "children-0-birth_date_month",
            "The date must be today or in the past.",
        ),
        (
            {"first_name": "Ava", "birth_date": (31, 2, 2019)},
            "children-0-birth_date_month",
            "Enter a real date, for example 03 27 2007.",
        ),
        (
            {"first_name": "Ava", "birth_date": ("", 2, 2019)},
            "children-0-birth_date_month",
            "Enter the month, day and year.",
        ),
        (
            {
                "first_name": "Ava",
                "birth_date": (2, 2, 2019),
                "placement_status": "out_of_home",
                "out_of_home_type": "foster",
                "removal_date": datetime.date(2018, 5, 1),
            },
            "children-0-removal_date",
            "The removal date must be on or after the date of birth.",
        ),
        (
            {"first_name": "Ava", "birth_date": (2, 2, 2019), "placement_status": "out_of_home"},
            "children-0-removal_date",
            "Enter the date the child was removed from home.",
        ),
        (
            {
                "first_name": "Ava",
                "birth_date": (2, 2, 2019),
                "removal_date": datetime.date(2024, 5, 1),
            },
            "children-0-removal_date",
            "Leave the removal date empty for a child who lives at home.",
        ),
        (
            {
                "first_name": "Ava",
                "birth_date": (2, 2, 2019),
                "placement_status": "out_of_home",
                "removal_date": datetime.date(2024, 5, 1),
            },
            "children-0-out_of_home_type",
            "Choose the type of out-of-home care.",
        ),
        (
            {"first_name": "", "birth_date": (2, 2, 2019)},
            "children-0-first_name",
            "Enter the child&#x27;s first name.",
        ),
    ],
    ids=[
        "future-birth",
        "not-a-date",
        "missing-day",
        "removal-before-birth",
        "no-removal-date",
        "removal-date-at-home",
        "no-type-of-care",
        "no-name",
    ],
)
def test_bad_child_details_are_shown_at_the_field(
    personas, door, client_for, intake, child, field, message
):
    client = client_for(personas["door_social_worker"])
    response = client.post("/referrals/new/", intake(children=[child]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page  # the summary links to the field
    assert page.count(message) >= 2  # in the summary and at the field
    assert "<title>Error:" in page
    assert 'value="María"' in page  # nothing typed is lost
    assert not Referral.objects.exists()


def test_duplicate_parent_is_flagged_before_saving_and_can_be_overridden(
    personas, door, client_for, intake
):
    earlier = ReferralFactory(family__program=door, members=False)
    ParentFactory(
        family=earlier.family,
        first_name="Maria",
        last_name="LOPEZ",
        birth_date=datetime.date(1994, 3, 27),
    )
    client = client_for(personas["door_coordinator"])
    data = intake(referrer_name="Ana Ruiz", received_on=timezone.localdate().isoformat())

    warned = client.post("/referrals/new/", data)
    assert warned.status_code == 200
    page = warned.content.decode()
    assert "This parent may already be in the program" in page
    assert f'href="/referrals/{earlier.pk}/"' in page
    assert Referral.objects.count() == 1

    sent = client.post("/referrals/new/", {**data, "confirm_duplicate": "yes"})
    assert sent.status_code == 302
    assert Referral.objects.count() == 2


def test_same_parent_in_another_program_is_not_a_duplicate(personas, rock, client_for, intake):
    other = ReferralFactory(family__program=rock, members=False)
    ParentFactory(
        family=other.family,
        first_name="María",
        last_name="López",
        birth_date=datetime.date(1994, 3, 27),
    )
    response = client_for(personas["door_social_worker"]).post("/referrals/new/", intake())
    assert response.status_code == 302


def test_cannot_refer_into_a_program_one_is_not_in(personas, door, rock, client_for, intake):
    response = client_for(personas["door_social_worker"]).post(
        "/referrals/new/", intake(program_id=rock.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not Referral.objects.exists()


def test_social_worker_in_two_programs_chooses_one(personas, door, rock, client_for, intake):
    social_worker = personas["door_social_worker"]
    MembershipFactory(user=social_worker, program=rock, role=Role.SOCIAL_WORKER)
    client = client_for(social_worker)
    assert 'name="program"' in client.get("/referrals/new/").content.decode()
    assert client.post("/referrals/new/", intake(program_id=rock.pk)).status_code == 302
    assert Referral.objects.get().program == rock


def test_numbers_run_on_within_a_program_and_year(personas, door, client_for, intake):
    client = client_for(personas["door_social_worker"])
    client.post("/referrals/new/", intake())
    client.post(
        "/referrals/new/",
        intake(parents=[{"first_name": "Pa", "last_name": "Vang", "birth_date": (4, 4, 1990)}]),
    )
    year = timezone.localdate().year
    assert sorted(Referral.objects.values_list("number", flat=True)) == [
        f"DOOR-{year}-0001",
        f"DOOR-{year}-0002",
    ]
    assert Parent.objects.count() == 2 and Child.objects.count() == 2


def test_received_today_is_dated_and_numbered_by_the_local_day_at_any_hour(
    at_local, personas, door, client_for, intake
):
    today = at_local.date()
    coordinator = client_for(personas["door_coordinator"])
    tomorrow = intake(referrer_name="Ana Ruiz", received_on=str(today + datetime.timedelta(days=1)))
    refused = coordinator.post("/referrals/new/", tomorrow)
    assert refused.status_code == 200
    assert "The date received cannot be in the future." in refused.content.decode()
    entered = coordinator.post(
        "/referrals/new/", intake(referrer_name="Ana Ruiz", received_on=str(today))
    )
    assert entered.status_code == 302
    referred = client_for(personas["door_social_worker"]).post(
        "/referrals/new/",
        intake(parents=[{"first_name": "Pa", "last_name": "Vang", "birth_date": (4, 4, 1990)}]),
    )
    assert referred.status_code == 302
    assert list(Referral.objects.order_by("number").values_list("number", "received_on")) == [
        (f"DOOR-{today.year}-0001", today),
        (f"DOOR-{today.year}-0002", today),
    ]


def test_race_or_ethnicity_is_not_answered_for_the_parent(personas, door, client_for, intake):
    # The question starts unanswered ("— Not asked yet —", first and chosen); "Prefer not to
    # say" is one of the answers, never chosen for the parent.
    client = client_for(personas["door_social_worker"])
    options = race_options(
        client.get("/referrals/new/").content.decode(), "parents-0-race_ethnicity"
    )
    assert options[0] == ("", True, "— Not asked yet —")
    assert ("not_reported", False, "Prefer not to say") in options
    assert [option for option in options if option[1]] == [options[0]]
    # Saved with nothing chosen: blank, no answer recorded.
    assert client.post("/referrals/new/", intake()).status_code == 302
    assert Parent.objects.get().race_ethnicity == ""


def test_prefer_not_to_say_is_kept_as_the_parents_answer(personas, door, client_for, intake):
    client = client_for(personas["door_social_worker"])
    parents = [
        {
            "first_name": "María",
            "last_name": "López",
            "birth_date": datetime.date(1994, 3, 27),
            "race_ethnicity": "not_reported",
        }
    ]
    assert client.post("/referrals/new/", intake(parents=parents)).status_code == 302
    assert Parent.objects.get().race_ethnicity == "not_reported"


def field_block(page: str, field_id: str) -> str:
    """The markup of the field whose input is ``field_id``, up to the next field."""
    start = page.index(f'id="div_{field_id}"')
    end = page.find('id="div_id_', start + 1)
    return page[start : end if end != -1 else len(page)]


def test_every_error_is_shown_at_its_field_and_in_the_summary(personas, door, client_for, intake):
    client = client_for(personas["door_coordinator"])
    data = intake(
        received_on=str(timezone.localdate() + datetime.timedelta(days=1)),
        parents=[{"first_name": "", "last_name": "López", "birth_date": (31, 2, 1994)}],
        children=[{"first_name": "Ava", "birth_date": (2, 2, 2019), "placement_status": "x"}],
        urgency="",
    )
    response = client.post("/referrals/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('id="error-summary-title"')
    summary = page[start : page.index("</ul>", start)]
    expected = [
        # (the input the error is about, the summary's words for it, the message)
        ("id_referrer_name", "", "This field is required."),
        ("id_received_on", "", "The date received cannot be in the future."),
        ("id_parents-0-first_name", "Parent 1: ", "Enter the parent&#x27;s first name."),
        ("id_parents-0-birth_date", "Parent 1: ", "Enter a real date, for example 03 27 2007."),
        ("id_children-0-placement_status", "Child 1: ", "Select a valid choice."),
        ("id_urgency", "", "This field is required."),
    ]
    for field_id, prefix, message in expected:
        block = field_block(page, field_id)
        # At the field: its message under it, which the input names as describing it.
        assert f'id="{field_id}_error" class="invalid-feedback"' in block, field_id
        assert message in block.split(f'id="{field_id}_error"', 1)[1], field_id
        assert re.search(rf'aria-describedby="[^"]*{re.escape(field_id)}_error"', block), field_id
        assert 'aria-invalid="true"' in block, field_id
        # In the summary: the same message, linking to the field (its first box or choice).
        assert f'class="alert-link">{prefix}{message}' in summary, field_id
        assert f'href="#{field_id}' in summary, field_id
    assert summary.count('class="alert-link"') == len(expected)
