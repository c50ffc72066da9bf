"""A case's last contact day (``Case.last_contact_on``) is kept by the database: whatever
writes the contacts (a saved contact, a corrected date, a contact moved to another case, one
deleted, many written at once), it is the day of the case's latest contact, or empty."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Max
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.models import Activity, Case
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
BASE = datetime.date(2026, 1, 1)


def stored(case: Case) -> datetime.date | None:
    return Case.objects.values_list("last_contact_on", flat=True).get(pk=case.pk)


def latest(case: Case) -> datetime.date | None:
    return Activity.objects.filter(case=case).aggregate(day=Max("occurred_on"))["day"]


def new_case(program, user) -> Case:
    return assign_case(
        ReferralFactory(family__program=program, status=Status.ACCEPTED), user, opened_days_ago=90
    )


def test_a_new_case_has_no_last_contact_and_a_contact_sets_it(personas, door):
    case = new_case(door, personas["door_parent_partner"])
    assert stored(case) is None
    ActivityFactory(case=case, occurred_on=BASE + 5 * DAY)
    assert stored(case) == BASE + 5 * DAY
    ActivityFactory(case=case, occurred_on=BASE + 2 * DAY)  # an older one, logged late
    assert stored(case) == BASE + 5 * DAY


def test_correcting_moving_and_deleting_contacts_keeps_it(personas, door):
    partner = personas["door_parent_partner"]
    first, second = new_case(door, partner), new_case(door, partner)
    newest = ActivityFactory(case=first, occurred_on=BASE + 9 * DAY)
    ActivityFactory(case=first, occurred_on=BASE + 3 * DAY)
    # The date was typed wrong: the newest contact was in fact earlier.
    newest.occurred_on = BASE + DAY
    newest.save()
    assert stored(first) == BASE + 3 * DAY
    # Logged on the wrong family's case, and moved.
    Activity.objects.filter(pk=newest.pk).update(case=second, occurred_on=BASE + 20 * DAY)
    assert (stored(first), stored(second)) == (BASE + 3 * DAY, BASE + 20 * DAY)
    Activity.objects.filter(case=first).delete()
    assert stored(first) is None
    assert stored(second) == BASE + 20 * DAY


def test_saving_a_case_read_before_a_contact_does_not_put_back_the_old_day(personas, door):
    case = new_case(door, personas["door_parent_partner"])
    read_earlier = Case.objects.get(pk=case.pk)
    ActivityFactory(case=case, occurred_on=BASE + 4 * DAY)
    read_earlier.next_court_date = BASE + 30 * DAY
    read_earlier.save()
    assert stored(case) == BASE + 4 * DAY
    assert Case.objects.get(pk=case.pk).next_court_date == BASE + 30 * DAY


def test_many_contacts_written_at_once_set_each_cases_day(personas, door):
    partner = personas["door_parent_partner"]
    cases = [new_case(door, partner) for _ in range(3)]
    template = ActivityFactory.build(case=cases[0])
    rows = []
    for index, case in enumerate(cases):
        for offset in (index, index + 10, 2):
            row = Activity(
                **{
                    field.attname: getattr(template, field.attname)
                    for field in Activity._meta.concrete_fields
                    if not field.primary_key and field.name != "client_uuid"
                }
            )
            row.case = case
            row.occurred_on = BASE + offset * DAY
            rows.append(row)
    Activity.objects.bulk_create(rows)
    assert [stored(case) for case in cases] == [BASE + (i + 10) * DAY for i in range(3)]


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "redate", "move", "delete"]),
        st.integers(min_value=0, max_value=2),  # which case
        st.integers(min_value=-400, max_value=400),  # which day
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_any_sequence_of_writes_leaves_each_case_its_latest_contact(personas, door, operations):
    partner = personas["door_parent_partner"]
    cases = [new_case(door, partner) for _ in range(3)]
    for action, which, offset in operations:
        case = cases[which]
        day = BASE + offset * DAY
        contacts = list(Activity.objects.filter(case__in=cases).order_by("pk"))
        contact = contacts[offset % len(contacts)] if contacts else None
        if action == "add" or contact is None:
            ActivityFactory(case=case, occurred_on=day)
        elif action == "redate":
            contact.occurred_on = day
            contact.save()
        elif action == "move":
            Activity.objects.filter(pk=contact.pk).update(case=case, program=case.program)
        else:
            contact.delete()
        for each in cases:
            assert stored(each) == latest(each), (action, operations)
