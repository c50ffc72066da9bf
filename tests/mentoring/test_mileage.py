"""Mileage and expense claims: a Parent Partner claims a month that is over (the miles of
their contacts, each at the rate of its day, and other expenses), a Program Coordinator
approves it or sends it back with the reason, then records it paid; finance gets a CSV and
each person's totals for the year. A contact's miles are claimed once."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine

from mentoring import services
from mentoring.models import (
    ActivityType,
    ClaimedMileage,
    ClaimStatus,
    ExpenseClaim,
    MileageRate,
)
from psp.models import AuditAction, AuditEntry, Role
from referrals.models import Status
from tests.clock import local
from tests.factories import MembershipFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case, profile_for

pytestmark = pytest.mark.django_db

# Just after midnight on the first of December, in Wisconsin: November is over.
DEC_1_0030 = local(2026, 12, 1, 0, 30)
NOVEMBER = datetime.date(2026, 11, 1)


@pytest.fixture
def clock():
    with time_machine.travel(DEC_1_0030, tick=True):
        yield


@pytest.fixture
def case(clock, personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"], opened_days_ago=90)


@pytest.fixture
def rates(door):
    """70 cents a mile until November 15, then 72.5."""
    MileageRate.objects.create(program=door, starts_on=datetime.date(2026, 1, 1), per_mile="0.70")
    MileageRate.objects.create(
        program=door, starts_on=datetime.date(2026, 11, 15), per_mile="0.725"
    )


def contact(case, day: int, miles: str, month: int = 11):
    return ActivityFactory(
        case=case,
        occurred_on=datetime.date(2026, month, day),
        mileage=Decimal(miles),
        activity_type=ActivityType.HOME_VISIT,
    )


def claim_data(**expenses: str) -> dict[str, str]:
    data = {
        "expenses-TOTAL_FORMS": "3",
        "expenses-INITIAL_FORMS": "0",
        "expenses-MIN_NUM_FORMS": "0",
        "expenses-MAX_NUM_FORMS": "20",
        "confirm": "on",
    }
    data.update(expenses)
    return data


def test_a_parent_partner_claims_last_month_at_each_days_rate(
    clock, personas, case, rates, client_for
):
    contact(case, 3, "12.4")
    contact(case, 14, "20")
    contact(case, 15, "10.0")  # the new rate's first day
    contact(case, 20, "0")  # no miles: not on the claim
    partner = client_for(personas["door_parent_partner"])

    listing = partner.get("/mentoring/mileage/").content.decode()
    assert "Months you can claim" in listing
    assert "42.4 miles on 3 contacts" in listing
    profile = case.assignments.get().parent_partner
    url = f"/mentoring/mileage/claim/{profile.pk}/2026-11/"
    assert url in listing

    page = partner.get(url).content.decode()
    assert page.count("$0.700") == 2 and "$0.725" in page
    response = partner.post(
        url,
        claim_data(
            **{
                "expenses-0-spent_on": "2026-11-14",
                "expenses-0-description": "Parking at the courthouse",
                "expenses-0-amount": "6.50",
            }
        ),
    )
    claim = ExpenseClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/mentoring/mileage/{claim.pk}/"
    # 12.4 x 0.70 = 8.68; 20 x 0.70 = 14.00; 10 x 0.725 = 7.25
    assert (claim.month, claim.status, claim.miles) == (
        NOVEMBER,
        ClaimStatus.SUBMITTED,
        Decimal("42.4"),
    )
    assert (claim.mileage_amount, claim.other_amount, claim.total) == (
        Decimal("29.93"),
        Decimal("6.50"),
        Decimal("36.43"),
    )
    assert sorted(claim.mileage_lines.values_list("amount", flat=True)) == [
        Decimal("7.25"),
        Decimal("8.68"),
        Decimal("14.00"),
    ]
    assert AuditEntry.objects.filter(
        action=AuditAction.CREATE, object_type="mentoring.expenseclaim", object_id=str(claim.pk)
    ).exists()
    # Nothing is left to claim for November, and the coordinator sees the claim waiting.
    assert (
        "No miles are waiting to be claimed" in partner.get("/mentoring/mileage/").content.decode()
    )
    coordinator = client_for(personas["door_coordinator"]).get("/mentoring/mileage/")
    assert "$36.43" in coordinator.content.decode()
    assert "Waiting for approval" in coordinator.content.decode()


@pytest.mark.parametrize(
    "moment",
    [local(2026, 11, 30, 23, 30), local(2026, 11, 30, 12, 0)],
    ids=["late-evening-last-day", "noon-last-day"],
)
def test_a_month_is_claimed_only_once_it_is_over_in_wisconsin(
    moment, personas, door, rates, client_for
):
    with time_machine.travel(moment, tick=True):
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
        case = assign_case(referral, personas["door_parent_partner"], opened_days_ago=60)
        contact(case, 2, "15")
        partner = client_for(personas["door_parent_partner"])
        # In UTC it is already December 1 at 23:30; on the program's clock it is not.
        assert "Months you can claim" in partner.get("/mentoring/mileage/").content.decode()
        profile = case.assignments.get().parent_partner
        url = f"/mentoring/mileage/claim/{profile.pk}/2026-11/"
        page = partner.get(url).content.decode()
        assert "November 2026 can be claimed once it is over, from Dec 1, 2026." in page
        response = partner.post(url, claim_data())
        assert response.status_code == 200
        assert "can be claimed once it is over" in response.content.decode()
        assert not ExpenseClaim.objects.exists()


def test_no_rate_for_a_day_stops_the_claim_with_a_clear_message(
    clock, personas, case, door, client_for
):
    MileageRate.objects.create(program=door, starts_on=datetime.date(2026, 11, 10), per_mile="0.70")
    contact(case, 3, "12")
    profile = case.assignments.get().parent_partner
    url = f"/mentoring/mileage/claim/{profile.pk}/2026-11/"
    partner = client_for(personas["door_parent_partner"])
    assert "No rate" in partner.get(url).content.decode()
    response = partner.post(url, claim_data())
    assert response.status_code == 200
    assert "The program has no mileage rate for Nov 3, 2026 yet" in response.content.decode()
    assert not ExpenseClaim.objects.exists()


def test_a_late_contact_goes_on_a_second_claim_and_no_mile_is_claimed_twice(
    clock, personas, case, rates
):
    first = contact(case, 3, "10")
    profile = case.assignments.get().parent_partner
    user = personas["door_parent_partner"]
    one = services.claim_submit(actor=user, partner=profile, month=NOVEMBER, expenses=[])
    late = contact(case, 28, "4")
    two = services.claim_submit(actor=user, partner=profile, month=NOVEMBER, expenses=[])
    assert ClaimedMileage.objects.get(activity=first).claim == one
    assert ClaimedMileage.objects.get(activity=late).claim == two
    assert (one.miles, two.miles) == (Decimal("10.0"), Decimal("4.0"))
    with pytest.raises(Exception, match="nothing to claim"):
        services.claim_submit(actor=user, partner=profile, month=NOVEMBER, expenses=[])


def test_sent_back_then_changed_and_sent_again_then_approved_and_paid(
    clock, personas, case, rates, client_for
):
    visit = contact(case, 3, "10")
    profile = case.assignments.get().parent_partner
    claim = services.claim_submit(
        actor=personas["door_parent_partner"], partner=profile, month=NOVEMBER, expenses=[]
    )
    coordinator = client_for(personas["door_coordinator"])
    decide = f"/mentoring/mileage/{claim.pk}/decide/"

    # Sending back needs a reason, said at the field.
    response = coordinator.post(decide, {"version": "1", "decision": "send_back", "note": " "})
    assert response.status_code == 200
    assert "Say why the claim is sent back." in response.content.decode()
    response = coordinator.post(
        decide, {"version": "1", "decision": "send_back", "note": "The visit on Nov 3 was 8 miles."}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SENT_BACK

    # The Parent Partner corrects the contact and sends the claim again.
    visit.mileage = Decimal("8")
    visit.save()
    partner = client_for(personas["door_parent_partner"])
    page = partner.get(f"/mentoring/mileage/{claim.pk}/change/").content.decode()
    assert "The visit on Nov 3 was 8 miles." in page
    response = partner.post(f"/mentoring/mileage/{claim.pk}/change/", claim_data(version="2"))
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.miles, claim.total, claim.decision_note) == (
        ClaimStatus.SUBMITTED,
        Decimal("8.0"),
        Decimal("5.60"),
        "",
    )

    # A second tab still showing version 1 cannot approve what it has not seen.
    stale = coordinator.post(decide, {"version": "1", "decision": "approve"}, follow=True)
    assert "Someone else changed this claim" in stale.content.decode()
    assert ExpenseClaim.objects.get().status == ClaimStatus.SUBMITTED
    coordinator.post(decide, {"version": str(claim.version), "decision": "approve"})
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED

    pay = f"/mentoring/mileage/{claim.pk}/paid/"
    future = coordinator.post(pay, {"version": str(claim.version), "paid_on": "2026-12-09"})
    assert "The date paid cannot be in the future." in future.content.decode()
    early = coordinator.post(pay, {"version": str(claim.version), "paid_on": "2026-11-30"})
    assert "enter that day or a later one" in early.content.decode()
    response = coordinator.post(
        pay, {"version": str(claim.version), "paid_on": "2026-12-01", "reference": "Check 1042"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.paid_on, claim.payment_reference) == (
        ClaimStatus.PAID,
        datetime.date(2026, 12, 1),
        "Check 1042",
    )
    assert "Paid" in partner.get(f"/mentoring/mileage/{claim.pk}/").content.decode()


def test_finance_csv_and_yearly_totals_per_person(clock, personas, case, rates, client_for, door):
    contact(case, 3, "10")
    profile = case.assignments.get().parent_partner
    user = personas["door_parent_partner"]
    paid = services.claim_submit(actor=user, partner=profile, month=NOVEMBER, expenses=[])
    coordinator = personas["door_coordinator"]
    services.claim_decide(actor=coordinator, claim=paid, approve=True, note="", expected_version=1)
    services.claim_pay(
        actor=coordinator,
        claim=paid,
        paid_on=datetime.date(2026, 12, 1),
        reference="",
        expected_version=2,
    )
    contact(case, 5, "20", month=10)
    services.claim_submit(
        actor=user,
        partner=profile,
        month=datetime.date(2026, 10, 1),
        expenses=[
            {
                "spent_on": datetime.date(2026, 10, 5),
                "description": "Bus fare",
                "amount": Decimal("3.25"),
            }
        ],
    )
    client = client_for(coordinator)
    page = client.get("/mentoring/mileage/?year=2026").content.decode()
    # Totals: 30 miles, $21.00 for miles, $3.25 other, $24.25; $7.00 paid, $17.25 not yet.
    for figure in ("30.0", "$21.00", "$3.25", "$24.25", "$7.00", "$17.25"):
        assert figure in page
    response = client.get("/mentoring/mileage/export.csv?year=2026")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:7] == [
        "Parent Partner",
        "Program",
        "Month",
        "Miles",
        "For miles",
        "Other expenses",
        "Total",
    ]
    assert [row[2:8] for row in rows[1:]] == [
        ["2026-10", "20.0", "14.00", "3.25", "17.25", "Waiting for approval"],
        ["2026-11", "10.0", "7.00", "0.00", "7.00", "Paid"],
    ]
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_coordinator_who_is_also_a_parent_partner_cannot_approve_their_own_claim(
    clock, personas, door, rates, client_for
):
    coordinator = personas["door_coordinator"]
    MembershipFactory(user=coordinator, program=door, role=Role.PARENT_PARTNER)
    profile = profile_for(coordinator, door.pk)
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    case = assign_case(referral, coordinator, opened_days_ago=60)
    contact(case, 3, "10")
    claim = services.claim_submit(actor=coordinator, partner=profile, month=NOVEMBER, expenses=[])
    client = client_for(coordinator)
    page = client.get(f"/mentoring/mileage/{claim.pk}/").content.decode()
    assert "Approve or send back" not in page
    response = client.post(
        f"/mentoring/mileage/{claim.pk}/decide/", {"version": "1", "decision": "approve"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"spent_on": "2026-11-04", "description": "Parking"}, "amount", "Enter the amount"),
        ({"description": "Parking", "amount": "5"}, "spent_on", "Enter the date of the expense."),
        ({"spent_on": "2026-11-04", "amount": "5"}, "description", "Say what the expense"),
        (
            {"spent_on": "2026-11-04", "description": "Parking", "amount": "five"},
            "amount",
            "Enter the amount as a number",
        ),
        (
            {"spent_on": "2026-11-04", "description": "Parking", "amount": "5000"},
            "amount",
            "Enter an amount from 0.01 to 1,000.",
        ),
        (
            {"spent_on": "2026-10-30", "description": "Parking", "amount": "5"},
            None,
            "Each expense is from November 2026",
        ),
    ],
)
def test_a_bad_expense_is_named_at_its_field_and_nothing_is_saved(
    row, field, message, clock, personas, case, rates, client_for
):
    contact(case, 3, "10")
    profile = case.assignments.get().parent_partner
    data = claim_data(**{f"expenses-1-{name}": value for name, value in row.items()})
    response = client_for(personas["door_parent_partner"]).post(
        f"/mentoring/mileage/claim/{profile.pk}/2026-11/", data
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    if field:
        assert message in str(response.context["expenses"].forms[1].errors[field])
    assert not ExpenseClaim.objects.exists()


def test_the_claim_needs_the_parent_partners_word(clock, personas, case, rates, client_for):
    contact(case, 3, "10")
    profile = case.assignments.get().parent_partner
    data = claim_data()
    del data["confirm"]
    response = client_for(personas["door_parent_partner"]).post(
        f"/mentoring/mileage/claim/{profile.pk}/2026-11/", data
    )
    assert "Confirm the miles and expenses are for the program." in response.content.decode()
    assert not ExpenseClaim.objects.exists()


def test_a_coordinator_sets_a_rate_and_a_bad_one_is_refused_at_the_field(
    personas, door, client_for
):
    client = client_for(personas["door_coordinator"])
    response = client.post(
        "/mentoring/mileage/rates/",
        {"program": str(door.pk), "starts_on": "2027-01-01", "per_mile": "7"},
    )
    assert "Enter a rate from 0.01 to 2.00." in response.content.decode()
    response = client.post(
        "/mentoring/mileage/rates/",
        {"program": str(door.pk), "starts_on": "2027-01-01", "per_mile": "0.725"},
    )
    assert response.status_code == 302
    assert MileageRate.objects.get(program=door).per_mile == Decimal("0.725")
    assert AuditEntry.objects.filter(object_type="mentoring.mileagerate").exists()


def test_the_claims_pages_do_not_grow_in_queries_with_claims(
    clock, personas, case, rates, client_for, django_assert_max_num_queries
):
    profile = case.assignments.get().parent_partner
    user = personas["door_parent_partner"]
    for month in range(1, 11):
        contact(case, 2, "5", month=month)
        services.claim_submit(
            actor=user, partner=profile, month=datetime.date(2026, month, 1), expenses=[]
        )
    claim = ExpenseClaim.objects.earliest("month")
    coordinator = client_for(personas["door_coordinator"])
    # Each page's own queries, and one for the bell's unread count.
    with django_assert_max_num_queries(15):
        assert coordinator.get("/mentoring/mileage/").status_code == 200
    with django_assert_max_num_queries(15):
        assert coordinator.get(f"/mentoring/mileage/{claim.pk}/").status_code == 200
    partner = client_for(user)
    with django_assert_max_num_queries(15):
        assert partner.get("/mentoring/mileage/").status_code == 200
