"""Stipends for members with lived experience: the rule, yearly totals, the finance CSV."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from councils import selectors
from councils.models import Stipend, StipendStatus
from psp.models import AuditAction, AuditEntry
from tests.councils.factories import (
    CouncilMemberFactory,
    MeetingFactory,
    StipendFactory,
)
from tests.downloads import csv_rows

pytestmark = pytest.mark.django_db

PAID, PENDING = StipendStatus.PAID, StipendStatus.PENDING


def this_year(month: int, day: int) -> datetime.date:
    """A date in this year that is not in the future."""
    today = timezone.localdate()
    return min(datetime.date(today.year, month, day), today)


@pytest.fixture
def stipends(door_council, council_members):
    """Ashley: 50 paid + 50 not yet paid this year, 75 paid last year.
    Marcus: 25.50 paid this year. Nobody else has any."""
    year = timezone.localdate().year
    ashley, marcus = council_members["parent_a"], council_members["parent_b"]
    StipendFactory(
        member=ashley,
        awarded_on=this_year(1, 14),
        amount=Decimal("50.00"),
        status=PAID,
        paid_on=this_year(1, 28),
    )
    StipendFactory(member=ashley, awarded_on=this_year(1, 15), amount=Decimal("50.00"))
    StipendFactory(
        member=ashley,
        awarded_on=datetime.date(year - 1, 11, 10),
        amount=Decimal("75.00"),
        status=PAID,
        paid_on=datetime.date(year - 1, 11, 20),
    )
    StipendFactory(
        member=marcus,
        awarded_on=this_year(1, 2),
        amount=Decimal("25.50"),
        status=PAID,
        paid_on=this_year(1, 2),
        note='=HYPERLINK("http://evil")',
    )
    return {"ashley": ashley, "marcus": marcus}


def test_yearly_totals_per_member(door_council, stipends):
    year = timezone.localdate().year
    totals = {row.name: row for row in selectors.stipend_totals_by_member(door_council, year)}
    assert set(totals) == {"Ashley Olson", "Marcus Bell"}
    ashley = totals["Ashley Olson"]
    assert (ashley.count, ashley.total, ashley.paid, ashley.pending) == (
        2,
        Decimal("100.00"),
        Decimal("50.00"),
        Decimal("50.00"),
    )
    marcus = totals["Marcus Bell"]
    assert (marcus.count, marcus.total, marcus.paid, marcus.pending) == (
        1,
        Decimal("25.50"),
        Decimal("25.50"),
        Decimal("0.00"),
    )
    [last_year] = selectors.stipend_totals_by_member(door_council, year - 1)
    assert (last_year.name, last_year.total, last_year.paid) == (
        "Ashley Olson",
        Decimal("75.00"),
        Decimal("75.00"),
    )


def test_totals_are_one_query(door_council, stipends, django_assert_num_queries):
    with django_assert_num_queries(1):
        selectors.stipend_totals_by_member(door_council, timezone.localdate().year)


def test_page_shows_the_totals_and_other_years(personas, door_council, stipends, client_for):
    client = client_for(personas["door_coordinator"])
    text = client.get(f"/councils/{door_council.pk}/stipends/").getvalue().decode()
    assert "$100.00" in text and "$25.50" in text
    assert "$125.50" in text  # everybody, this year
    assert "$75.00" not in text
    year = timezone.localdate().year
    last = client.get(f"/councils/{door_council.pk}/stipends/", {"year": year - 1})
    assert "$75.00" in last.getvalue().decode()
    assert last.context["year"] == year - 1


def test_only_members_with_lived_experience_receive_stipends(door_council, council_members):
    stipend = Stipend(
        member=council_members["partner"], awarded_on=this_year(1, 3), amount=Decimal("50.00")
    )
    with pytest.raises(ValidationError) as error:
        stipend.full_clean()
    assert "Stipends are for members with lived experience." in str(error.value.message_dict)


def test_the_form_offers_and_accepts_only_members_with_lived_experience(
    personas, door_council, council_members, client_for
):
    client = client_for(personas["door_coordinator"])
    form = client.get(f"/councils/{door_council.pk}/stipends/new/").context["form"]
    assert set(form.fields["member"].queryset) == {
        council_members["parent_a"],
        council_members["parent_b"],
    }
    response = client.post(
        f"/councils/{door_council.pk}/stipends/new/",
        {
            "member": str(council_members["partner"].pk),
            "awarded_on": this_year(1, 3).isoformat(),
            "amount": "50.00",
            "status": PENDING,
        },
    )
    assert response.status_code == 200
    assert 'href="#id_member"' in response.getvalue().decode()
    assert not Stipend.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"status": PAID, "paid_on": ""}, "paid_on", "Enter the date the stipend was paid."),
        ({"amount": "0"}, "amount", "Enter an amount above zero."),
        ({"amount": "fifty"}, "amount", "Enter the amount as a number"),
        ({"paid_on": "2026-01-05"}, "paid_on", "Remove the date paid, or mark"),
    ],
)
def test_bad_input_is_shown_at_the_field(
    personas, door_council, council_members, client_for, changes, field, message
):
    data = {
        "member": str(council_members["parent_a"].pk),
        "awarded_on": this_year(1, 3).isoformat(),
        "amount": "50.00",
        "status": PENDING,
        "note": "kept note",
        **changes,
    }
    response = client_for(personas["door_coordinator"]).post(
        f"/councils/{door_council.pk}/stipends/new/", data
    )
    assert response.status_code == 200
    text = response.getvalue().decode()
    assert message in text
    assert f'href="#id_{field}"' in text
    assert 'value="kept note"' in text
    assert not Stipend.objects.exists()


def test_coordinator_pays_a_stipend_for_a_meeting(
    personas, door_council, council_members, client_for
):
    meeting = MeetingFactory(council=door_council, held_on=this_year(1, 3))
    client = client_for(personas["door_coordinator"])
    form = client.get(f"/councils/{door_council.pk}/stipends/new/?meeting={meeting.pk}")
    assert form.context["form"].initial["awarded_on"] == meeting.held_on
    response = client.post(
        f"/councils/{door_council.pk}/stipends/new/",
        {
            "member": str(council_members["parent_a"].pk),
            "meeting": str(meeting.pk),
            "awarded_on": meeting.held_on.isoformat(),
            "amount": "50.00",
            "status": PENDING,
        },
    )
    stipend = Stipend.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/stipends/?year={meeting.held_on.year}")
    response = client.post(
        f"/councils/stipends/{stipend.pk}/edit/",
        {
            "member": str(stipend.member_id),
            "meeting": str(meeting.pk),
            "awarded_on": meeting.held_on.isoformat(),
            "amount": "50.00",
            "status": PAID,
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    stipend.refresh_from_db()
    assert stipend.status == PAID
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="councils.stipend")
    assert entry.changes["status"] == [PENDING, PAID]
    assert entry.program_id == door_council.program_id


def test_csv_for_finance(personas, door_council, stipends, client_for):
    response = client_for(personas["door_coordinator"]).get(
        f"/councils/{door_council.pk}/stipends/export.csv"
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert sorted((row["Member"], row["Amount"], row["Paid?"]) for row in rows) == [
        ("Ashley Olson", "50.00", "Not paid yet"),
        ("Ashley Olson", "50.00", "Paid"),
        ("Marcus Bell", "25.50", "Paid"),
    ]
    [marcus] = [row for row in rows if row["Member"] == "Marcus Bell"]
    assert marcus["Note"] == '\'=HYPERLINK("http://evil")'  # not run by a spreadsheet
    assert marcus["Council"] == door_council.name
    assert marcus["Date paid"] == marcus["Date of the contribution"]
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_username == "door-coordinator"
    assert entry.program_id == door_council.program_id
    assert entry.changes["rows"] == 3


def test_csv_follows_the_filters(personas, door_council, stipends, client_for):
    client = client_for(personas["door_coordinator"])
    year = timezone.localdate().year
    response = client.get(
        f"/councils/{door_council.pk}/stipends/export.csv", {"year": year, "status": PENDING}
    )
    rows = csv_rows(response)
    assert [(row["Member"], row["Paid?"]) for row in rows] == [("Ashley Olson", "Not paid yet")]


def test_stipends_are_finance_data(personas, door_council, stipends, client_for):
    """The Parent Partner Coordinator and state staff see the council but not its stipends."""
    for persona in ["door_pp_coordinator", "state"]:
        client = client_for(personas[persona])
        assert client.get(f"/councils/{door_council.pk}/stipends/").status_code == 403
        assert client.get(f"/councils/{door_council.pk}/").status_code == 200
        page = client.get(f"/councils/{door_council.pk}/").getvalue().decode()
        assert f"/councils/{door_council.pk}/stipends/" not in page
    stipend = Stipend.objects.first()
    assert stipend is not None
    assert (
        client_for(personas["state"]).get(f"/councils/stipends/{stipend.pk}/edit/").status_code
        == 404
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow(
    personas, door_council, client_for, rows, django_assert_max_num_queries
):
    members = [CouncilMemberFactory(council=door_council, lived_experience=True) for _ in range(3)]
    meeting = MeetingFactory(council=door_council, held_on=this_year(1, 2))
    for n in range(rows):
        StipendFactory(member=members[n % 3], meeting=meeting, awarded_on=this_year(1, 2))
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(17):
        response = client.get(f"/councils/{door_council.pk}/stipends/")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows, 25)
