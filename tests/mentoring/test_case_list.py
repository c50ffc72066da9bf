"""The case list: status tabs, search, filters, and the CSV export for coordinators."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring.models import Activity, Case, CaseStatus, Stage
from mentoring.views import PAGE_SIZE
from psp.models import AuditAction, AuditEntry, Role
from psp.pagination import COUNT_CAP
from referrals.models import Status
from tests.downloads import csv_rows
from tests.factories import ChildFactory, MembershipFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory, assign_case
from tests.plans import ON_POSTGRES, page_query, rows_read, seq_scans, sort_keys

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def family_case(program, partner_user, *, first, last, days_ago=30, children=0):
    referral = ReferralFactory(family__program=program, status=Status.ACCEPTED, members=False)
    ParentFactory(family=referral.family, first_name=first, last_name=last)
    for _ in range(children):
        ChildFactory(family=referral.family)
    return assign_case(referral, partner_user, opened_days_ago=days_ago)


@pytest.fixture
def second_partner(door, make_member):
    return make_member(door, Role.PARENT_PARTNER, first_name="Renata", last_name="Okafor")


@pytest.fixture
def door_cases(personas, door, second_partner):
    """Three open Door cases and a closed one, with two Parent Partners."""
    mine = personas["door_parent_partner"]
    quiet = family_case(door, mine, first="Odalys", last="Brennan", days_ago=40)
    ActivityFactory(case=quiet, at=timezone.now() - 20 * DAY)
    hearing = family_case(door, mine, first="Thuy", last="Vang", days_ago=10, children=2)
    Case.objects.filter(pk=hearing.pk).update(next_court_date=timezone.localdate() + 3 * DAY)
    ActivityFactory(case=hearing, at=timezone.now() - DAY)
    other = family_case(door, second_partner, first="Marisol", last="Peña", days_ago=5)
    closed = family_case(door, mine, first="Gwendolyn", last="Ashby", days_ago=200)
    Case.objects.filter(pk=closed.pk).update(
        status=CaseStatus.CLOSED, closed_on=timezone.localdate() - 10 * DAY
    )
    return {"quiet": quiet, "hearing": hearing, "other": other, "closed": closed}


def listing(client, **params):
    response = client.get("/mentoring/cases/", params)
    assert response.status_code == 200
    return response.getvalue().decode()


def test_open_cases_by_default_closed_and_all_on_their_tabs(personas, door_cases, client_for):
    client = client_for(personas["door_coordinator"])
    page = listing(client)
    assert "Brennan" in page and "Vang" in page and "Peña" in page
    assert "Ashby" not in page
    assert "3 cases" in page
    closed = listing(client, status="closed")
    assert "Ashby" in closed and "Brennan" not in closed
    both = listing(client, status="all")
    assert "Ashby" in both and "Brennan" in both and "4 cases" in both


def test_search_finds_a_family_by_name_without_accents_or_by_number(
    personas, door_cases, client_for
):
    client = client_for(personas["door_coordinator"])
    page = listing(client, q="pena")
    assert "Peña" in page and "Brennan" not in page and "1 case" in page
    number = door_cases["hearing"].referral.number
    page = listing(client, q=number)
    assert "Vang" in page and "Peña" not in page
    # The status tab and the search work together.
    assert "Ashby" in listing(client, q="ashby", status="closed")
    assert "Ashby" not in listing(client, q="ashby")


def test_filter_by_parent_partner_and_by_what_needs_attention(
    personas, door_cases, second_partner, client_for
):
    client = client_for(personas["door_coordinator"])
    partner = second_partner.parent_partner_profiles.get()
    page = listing(client, parent_partner=partner.pk)
    assert "Peña" in page and "Brennan" not in page and "Vang" not in page
    overdue = listing(client, attention="overdue")
    assert "Brennan" in overdue and "Vang" not in overdue and "Peña" not in overdue
    hearing = listing(client, attention="hearing")
    assert "Vang" in hearing and "Brennan" not in hearing
    assert "1 filter on" in hearing


def test_partner_filter_offers_the_partners_who_have_families_now(
    personas, door_cases, second_partner, client_for
):
    ParentPartnerFactory(program=door_cases["hearing"].program, stage=Stage.TRAINING)
    response = client_for(personas["door_coordinator"]).get("/mentoring/cases/")
    offered = set(response.context["filter"].form.fields["parent_partner"].queryset)
    assert offered == {
        personas["door_parent_partner"].parent_partner_profiles.get(),
        second_partner.parent_partner_profiles.get(),
    }


def test_a_parent_partner_lists_only_their_own_families_and_has_no_partner_filter(
    personas, door_cases, client_for
):
    page = listing(client_for(personas["door_parent_partner"]))
    assert "Brennan" in page and "Vang" in page and "Peña" not in page
    assert 'name="parent_partner"' not in page
    assert "Download CSV" not in page


def test_bad_filter_values_get_a_message_not_an_error(personas, door_cases, client_for):
    client = client_for(personas["door_coordinator"])
    response = client.get("/mentoring/cases/", {"parent_partner": "99999", "attention": "x"})
    assert response.status_code == 200
    page = response.getvalue().decode()
    assert "Select a valid choice" in page
    assert 'class="invalid-feedback' in page or "is-invalid" in page


def test_filters_cannot_reach_another_programs_cases(personas, rock, door_cases, client_for):
    rock_partner = MembershipFactory(program=rock, role=Role.PARENT_PARTNER).user
    family_case(rock, rock_partner, first="Ingrid", last="Solheim")
    page = listing(client_for(personas["door_coordinator"]), q="solheim", status="all")
    assert "Solheim" not in page and "0 cases" in page
    rock_page = listing(client_for(personas["rock_coordinator"]))
    assert "Solheim" in rock_page and "Brennan" not in rock_page


def test_coordinator_downloads_the_filtered_cases(personas, door_cases, client_for):
    client = client_for(personas["door_coordinator"])
    rows = csv_rows(client.get("/mentoring/cases/export.csv", {"attention": "hearing"}))
    assert len(rows) == 1
    [row] = rows
    hearing = door_cases["hearing"]
    assert row["Referral"] == hearing.referral.number
    assert row["Program"] == "Door County PSP"
    assert row["Parents"] == "Thuy Vang"
    assert row["Children"] == "2"
    assert row["Parent Partner"] == str(personas["door_parent_partner"].get_full_name())
    assert row["Status"] == "Open"
    assert row["Next court hearing"] == (timezone.localdate() + 3 * DAY).isoformat()
    assert row["Last contact"] == timezone.localdate(timezone.now() - DAY).isoformat()
    everything = csv_rows(client.get("/mentoring/cases/export.csv", {"status": "all"}))
    assert sorted(r["Parents"] for r in everything) == [
        "Gwendolyn Ashby",
        "Marisol Peña",
        "Odalys Brennan",
        "Thuy Vang",
    ]


def test_case_export_is_audited_and_forbidden_to_parent_partners(
    personas, door_cases, rock, client_for
):
    client_for(personas["door_coordinator"]).get("/mentoring/cases/export.csv")
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_id == personas["door_coordinator"].pk
    assert "Cases CSV (3 rows)" in entry.object_repr
    assert entry.program_id == door_cases["quiet"].program_id
    for persona in ["door_parent_partner", "door_clinical", "door_social_worker", "state"]:
        response = client_for(personas[persona]).get("/mentoring/cases/export.csv")
        assert response.status_code == 403, persona
    assert (
        csv_rows(client_for(personas["rock_coordinator"]).get("/mentoring/cases/export.csv")) == []
    )


def test_a_spreadsheet_formula_in_a_name_is_quoted(personas, door, client_for):
    family_case(door, personas["door_parent_partner"], first="=cmd|' /C calc'!A0", last="Ruiz")
    rows = csv_rows(client_for(personas["door_coordinator"]).get("/mentoring/cases/export.csv"))
    assert rows[0]["Parents"].startswith("'=cmd")


@pytest.mark.parametrize("cases", [2, 20])
def test_case_export_queries_do_not_grow_with_rows(
    personas, door, client_for, cases, django_assert_max_num_queries
):
    for n in range(cases):
        case = family_case(
            door, personas["door_parent_partner"], first=f"Parent{n}", last="Test", children=2
        )
        ActivityFactory(case=case)
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(13):  # 11 + the second-factor check + the row count
        rows = csv_rows(client.get("/mentoring/cases/export.csv"))
    assert len(rows) == cases
    with django_assert_max_num_queries(17):  # 15 + the second-factor check + the audit entry
        assert client.get("/mentoring/cases/", {"q": "test"}).status_code == 200


def test_contacts_download_has_hours_and_miles_but_not_notes(personas, door_cases, client_for):
    client = client_for(personas["door_coordinator"])
    rows = csv_rows(client.get("/mentoring/contacts/export.csv"))
    assert len(rows) == 2
    assert {row["Referral"] for row in rows} == {
        door_cases["quiet"].referral.number,
        door_cases["hearing"].referral.number,
    }
    assert {row["Minutes"] for row in rows} == {"60"}
    assert {row["Miles"] for row in rows} == {"12.5"}
    assert {row["Kind of contact"] for row in rows} == {"Home visit"}
    assert "Notes" not in rows[0]
    assert "next family time visit" not in str(rows)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert "Contacts CSV (2 rows)" in entry.object_repr


def test_contacts_download_follows_the_filters_and_the_program(
    personas, door_cases, rock, client_for
):
    client = client_for(personas["door_coordinator"])
    since = (timezone.localdate() - 5 * DAY).isoformat()
    [row] = csv_rows(client.get("/mentoring/contacts/export.csv", {"date_from": since}))
    assert row["Referral"] == door_cases["hearing"].referral.number
    assert (
        csv_rows(client_for(personas["rock_coordinator"]).get("/mentoring/contacts/export.csv"))
        == []
    )
    response = client_for(personas["door_parent_partner"]).get("/mentoring/contacts/export.csv")
    assert response.status_code == 403


def test_list_pages_link_to_the_download_with_their_filters(personas, door_cases, client_for):
    client = client_for(personas["door_coordinator"])
    page = listing(client, attention="overdue")
    assert 'href="/mentoring/cases/export.csv?attention=overdue&amp;status=open"' in page
    contacts = client.get("/mentoring/contacts/", {"activity_type": "home_visit"}).content.decode()
    assert 'href="/mentoring/contacts/export.csv?activity_type=home_visit"' in contacts


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
@pytest.mark.parametrize("sort", ["", "-contact"])
def test_case_list_reads_the_last_contact_of_each_shown_case_only(personas, door, client_for, sort):
    partner = personas["door_parent_partner"]
    for n in range(30):
        case = family_case(door, partner, first=f"Parent{n}", last="Test")
        for days in (3, 9, 20):
            ActivityFactory(case=case, at=timezone.now() - days * DAY)
    client = client_for(personas["door_coordinator"])
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/mentoring/cases/", {"sort": sort} if sort else {})
    assert page.status_code == 200
    sql = page_query(captured, "mentoring_case", limit=PAGE_SIZE)
    # One contact per case (the newest, from the index), not the 90 of every case: the page's
    # 25, or each case's once when the list is sorted by it.
    assert rows_read(sql, "mentoring_activity") <= (30 if sort else PAGE_SIZE)
    assert "mentoring_activity" not in seq_scans(sql)


def test_case_list_shows_ten_referrals_waiting_and_links_to_the_rest(personas, door, client_for):
    for n in range(12):
        referral = ReferralFactory(family__program=door, status=Status.ACCEPTED, members=False)
        ParentFactory(family=referral.family, first_name=f"Waiting{n}", last_name="Test")
    page = client_for(personas["door_coordinator"]).get("/mentoring/cases/")
    assert len(page.context["to_assign"]) == 10
    assert "See 2 more accepted referrals" in page.getvalue().decode()


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_contact_list_counts_the_programs_contacts_from_the_index(
    personas, door_cases, rock, make_member, client_for
):
    rock_partner = make_member(rock, Role.PARENT_PARTNER)
    rock_case = family_case(rock, rock_partner, first="Rocky", last="Test")
    for days in range(20):
        ActivityFactory(case=rock_case, at=timezone.now() - days * DAY)
    door_contacts = Activity.objects.filter(program=door_cases["hearing"].program).count()
    with CaptureQueriesContext(connection) as captured:
        page = client_for(personas["door_coordinator"]).get("/mentoring/contacts/")
    assert page.context["page"].paginator.count == door_contacts
    # The list's count, which stops past COUNT_CAP rows (psp.pagination).
    count = page_query(captured, "mentoring_activity", limit=COUNT_CAP + 1)
    # Door's contacts only, from the program's index: no Parent Partner joined in for each.
    assert rows_read(count, "mentoring_parentpartner") == 0
    assert rows_read(count, "mentoring_activity") == door_contacts


@pytest.mark.skipif(not ON_POSTGRES, reason="reads PostgreSQL's query plans")
def test_every_programs_case_list_is_read_in_order_from_an_index(personas, door, rock, client_for):
    """Administrators see every program's cases: the newest 25 open ones come from the
    (status, opened on, id) index, not from sorting every open case in the state."""
    for program in (door, rock):
        for _ in range(3):
            assign_case(
                ReferralFactory(family__program=program, status=Status.ACCEPTED),
                personas["door_parent_partner"],
            )
    with CaptureQueriesContext(connection) as captured:
        assert client_for(personas["admin"]).get("/mentoring/cases/").status_code == 200
    sql = page_query(captured, "mentoring_case", limit=6)  # a page of all 6
    assert not [key for key in sort_keys(sql) if "opened_on" in key]
