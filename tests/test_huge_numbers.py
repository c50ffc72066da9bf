"""A huge number typed into a number or date box: a message at the field, never a 500.

SQLite raises OverflowError and PostgreSQL DataError for a number beyond the database's
integers; Python's ``datetime.date`` raises OverflowError for a huge year. Each of these
pages once failed that way.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from councils.models import OutreachEvent, Stipend
from mentoring.models import Activity, ClinicalSupportSession, SupervisionSession, TrainingRecord
from psp.forms import SplitDateField
from referrals.models import Child, Referral
from tests.councils.factories import OutreachEventFactory, StipendFactory
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory, assign_case
from tests.referrals.conftest import intake_data
from tests.referrals.test_child_record import child_data

pytestmark = pytest.mark.django_db
HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("part", "message"),
    [
        ("day", "Enter a real date, for example 03 27 2007."),
        ("month", "Enter a real date, for example 03 27 2007."),
        ("year", "Enter a year from 1900 to 2100."),
    ],
)
def test_referral_form_huge_date_part(personas, door, client_for, part, message):
    data = intake_data(referrer_name="Megan Schultz")
    data[f"parents-0-birth_date_{part}"] = HUGE
    response = client_for(personas["door_coordinator"]).post("/referrals/new/", data)
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{HUGE}"' in page  # what they typed is still there to correct
    assert not Referral.objects.exists()


def test_child_edit_form_huge_date_part(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/edit/",
        child_data(child, door_referral.family.version, birth_date_year=HUGE),
    )
    assert response.status_code == 200
    assert "Enter a year from 1900 to 2100." in response.content.decode()
    assert Child.objects.get(pk=child.pk).birth_date == child.birth_date


def test_episode_form_huge_year_in_a_date_box(personas, door_referral, client_for):
    child = door_referral.family.children.get()
    response = client_for(personas["door_coordinator"]).post(
        f"/referrals/children/{child.pk}/episodes/new/",
        {"removed_on": "0001-01-01", "setting": "foster", "version": door_referral.family.version},
    )
    assert response.status_code == 200
    assert "Enter a year from 1900 to 2100." in response.content.decode()


def test_clinical_support_form_huge_duration(personas, door, client_for):
    ParentPartnerFactory(program=door)
    response = client_for(personas["door_clinical"]).post(
        "/mentoring/clinical-support/",
        {"held_on": datetime.date.today().isoformat(), "duration_minutes": HUGE},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a number of minutes from 1 to 1,440." in page
    assert HUGE in page
    assert not ClinicalSupportSession.objects.exists()


def test_supervision_form_huge_duration(personas, door, client_for):
    partner = ParentPartnerFactory(program=door)
    response = client_for(personas["door_coordinator"]).post(
        "/mentoring/supervision/",
        {
            "parent_partner": partner.pk,
            "held_on": datetime.date.today().isoformat(),
            "duration_minutes": HUGE,
        },
    )
    assert response.status_code == 200
    assert "Enter a number of minutes from 1 to 1,440." in response.content.decode()
    assert not SupervisionSession.objects.exists()


@pytest.mark.parametrize(
    "value", [HUGE, "-" + HUGE, "1", "31", "2", "x", "１２", "2026-03-27", "", " 1 "]
)
def test_split_date_field_never_raises_anything_but_a_message(value):
    field = SplitDateField()
    for position in range(3):
        parts = ["27", "3", "2007"]
        parts[position] = value
        try:
            field.clean(parts)
        except Exception as error:  # noqa: BLE001 - the point: only ValidationError
            assert type(error).__name__ == "ValidationError", error


def test_database_refuses_numbers_that_would_corrupt_a_report(personas, door):
    """The CHECK constraints behind the forms: minutes, miles, hours, amounts, counts."""
    referral_case = assign_case(
        ReferralFactory(family__program=door), personas["door_parent_partner"]
    )
    activity = ActivityFactory(case=referral_case)
    partner = activity.parent_partner
    stipend = StipendFactory()
    event = OutreachEventFactory(program=door)
    attempts = [
        lambda: Stipend.objects.filter(pk=stipend.pk).update(amount=Decimal("20000")),
        lambda: OutreachEvent.objects.filter(pk=event.pk).update(attendance=10_001),
        lambda: Activity.objects.filter(pk=activity.pk).update(duration_minutes=2000),
        lambda: Activity.objects.filter(pk=activity.pk).update(mileage=Decimal("1500")),
        lambda: ClinicalSupportSession.objects.create(
            program=door, held_on=datetime.date(2026, 1, 5), duration_minutes=0
        ),
        lambda: SupervisionSession.objects.create(
            program=door,
            parent_partner=partner,
            held_on=datetime.date(2026, 1, 5),
            duration_minutes=1441,
        ),
        lambda: TrainingRecord.objects.create(
            parent_partner=partner,
            topic="ethics",
            completed_on=datetime.date(2026, 1, 5),
            hours=Decimal("0.10"),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(IntegrityError), transaction.atomic():
            attempt()
