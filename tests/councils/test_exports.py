"""CSV exports of the outreach and recommendation lists: the rows the filters show, on every
page, for the people who see the list, audited, and safe to open in a spreadsheet."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from councils.models import AudienceType, RecommendationArea, RecommendationStatus
from psp.models import AuditAction, AuditEntry
from referrals.models import Referral
from tests.councils.factories import (
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    OutreachEventFactory,
    RecommendationFactory,
    days_ago,
)
from tests.downloads import csv_rows
from tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db

OUTREACH_CSV = "/councils/outreach/export.csv"
RECOMMENDATIONS_CSV = "/councils/recommendations/export.csv"


def noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


# --- Outreach events ------------------------------------------------------------------------


@pytest.fixture
def school_talk(door):
    """A Door talk at a school that two referrals (with their families) name as their source."""
    event = OutreachEventFactory(
        program=door,
        held_on=days_ago(20),
        title="Back-to-school night",
        audience_type=AudienceType.SCHOOL,
        organisation="Sturgeon Bay Schools",
        presenters="Kari Jeanquart",
        attendance=40,
        notes="Table by the gym entrance.",
    )
    for _ in range(2):
        ReferralFactory(family__program=door, source_event=event)
    return event


def test_outreach_csv_has_the_filtered_events(personas, door, school_talk, client_for):
    OutreachEventFactory(program=door, audience_type=AudienceType.AGENCY)  # filtered out
    response = client_for(personas["door_coordinator"]).get(
        OUTREACH_CSV, {"audience_type": AudienceType.SCHOOL}
    )
    [row] = csv_rows(response)
    assert row == {
        "Date": school_talk.held_on.isoformat(),
        "Program": "Door County PSP",
        "Event": "Back-to-school night",
        "Audience": "School",
        "Organisation": "Sturgeon Bay Schools",
        "Presenters": "Kari Jeanquart",
        "People who came": "40",
        "Referrals from it": "2",
        "Notes": "Table by the gym entrance.",
    }
    assert response["Content-Disposition"].startswith('attachment; filename="outreach-events-')


def test_outreach_csv_holds_no_family_records(personas, school_talk, client_for):
    text = client_for(personas["door_coordinator"]).get(OUTREACH_CSV).getvalue().decode()
    from_it = Referral.objects.filter(source__event=school_talk)
    for referral in from_it.prefetch_related("family__parents"):
        assert referral.number not in text
        for parent in referral.family.parents.all():
            assert parent.first_name not in text
            assert parent.last_name not in text


def test_outreach_csv_has_every_page(personas, door, client_for):
    for _ in range(30):
        OutreachEventFactory(program=door)
    client = client_for(personas["door_coordinator"])
    assert len(client.get("/councils/outreach/").context["page"].object_list) == 25
    assert len(csv_rows(client.get(OUTREACH_CSV, {"page": "2"}))) == 30


def test_unknown_attendance_is_left_empty(personas, door, client_for):
    OutreachEventFactory(program=door, attendance=None)
    [row] = csv_rows(client_for(personas["door_coordinator"]).get(OUTREACH_CSV))
    assert row["People who came"] == ""


def test_other_program_does_not_get_our_events(personas, door, rock, school_talk, client_for):
    rock_talk = OutreachEventFactory(program=rock, title="Rock County court staff")
    client = client_for(personas["rock_coordinator"])
    assert [row["Event"] for row in csv_rows(client.get(OUTREACH_CSV))] == [rock_talk.title]
    # Asking for Door's events by hand does not reveal them either.
    rows = csv_rows(client.get(OUTREACH_CSV, {"program": door.pk}))
    assert school_talk.title not in [row["Event"] for row in rows]


def test_state_staff_get_every_program(personas, rock, school_talk, client_for):
    OutreachEventFactory(program=rock)
    rows = csv_rows(client_for(personas["state"]).get(OUTREACH_CSV))
    assert sorted(row["Program"] for row in rows) == ["Door County PSP", "Rock County PSP"]


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_social_worker", "no_role"])
def test_outreach_csv_is_forbidden_where_the_list_is(persona, personas, school_talk, client_for):
    client = client_for(personas[persona])
    assert client.get("/councils/outreach/").status_code == 403
    assert client.get(OUTREACH_CSV).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_outreach_csv_is_audited(personas, door, school_talk, client_for):
    client_for(personas["door_pp_coordinator"]).get(
        OUTREACH_CSV, {"audience_type": AudienceType.SCHOOL}
    )
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_username == "door-pp_coordinator"
    assert entry.program_id == door.pk  # every row is Door's: its coordinator sees the entry
    assert entry.object_repr == "Outreach events CSV (1 rows)"
    assert entry.changes == {"filters": {"audience_type": "school"}, "rows": 1}


def test_outreach_csv_of_several_programs_is_audited_without_one(
    personas, rock, school_talk, client_for
):
    OutreachEventFactory(program=rock)
    csv_rows(client_for(personas["state"]).get(OUTREACH_CSV))
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.program_id is None
    assert entry.changes["rows"] == 2


def test_outreach_formulas_are_not_run_by_a_spreadsheet(personas, door, client_for):
    OutreachEventFactory(
        program=door, title='=HYPERLINK("http://evil")', presenters="+1 Vivian", notes="@SUM(1)"
    )
    [row] = csv_rows(client_for(personas["door_coordinator"]).get(OUTREACH_CSV))
    assert row["Event"] == '\'=HYPERLINK("http://evil")'
    assert row["Presenters"] == "'+1 Vivian"
    assert row["Notes"] == "'@SUM(1)"


@pytest.mark.parametrize("rows", [2, 20])
def test_outreach_csv_query_count_does_not_grow(
    personas, door, client_for, rows, django_assert_max_num_queries
):
    for _ in range(rows):
        event = OutreachEventFactory(program=door)
        ReferralFactory(family__program=door, source_event=event, members=False)
    client = client_for(personas["door_coordinator"])
    with django_assert_max_num_queries(11):  # 9 + the second-factor check + the row count
        response = client.get(OUTREACH_CSV)
        assert len(csv_rows(response)) == rows


def test_outreach_list_links_to_the_csv_of_its_filters(personas, client_for):
    page = client_for(personas["door_coordinator"]).get(
        "/councils/outreach/", {"audience_type": "school", "q": "night", "page": "1"}
    )
    assert f'href="{OUTREACH_CSV}?audience_type=school&amp;q=night"' in page.getvalue().decode()


# --- Recommendations ------------------------------------------------------------------------


@pytest.fixture
def adopted(door_council):
    meeting = MeetingFactory(council=door_council, held_on=days_ago(30))
    member = CouncilMemberFactory(council=door_council, name="Ashley Olson", lived_experience=True)
    return RecommendationFactory(
        council=door_council,
        meeting=meeting,
        raised_by=member,
        title="Offer evening visits",
        details="Working parents cannot meet before 5 pm.",
        area=RecommendationArea.PRACTICE,
        owner="CPS supervisor",
        proposed_on=days_ago(30),
        status=RecommendationStatus.ADOPTED,
        status_changed_at=noon(days_ago(3)),
        decided_on=days_ago(4),
    )


def test_recommendation_csv_has_the_filtered_rows(personas, door_council, adopted, client_for):
    RecommendationFactory(council=door_council)  # proposed: filtered out
    response = client_for(personas["door_coordinator"]).get(
        RECOMMENDATIONS_CSV, {"status": RecommendationStatus.ADOPTED}
    )
    [row] = csv_rows(response)
    assert row == {
        "Council": "Door Local Advisory Council",
        "Program": "Door County PSP",
        "Date proposed": days_ago(30).isoformat(),
        "Meeting it came from": days_ago(30).isoformat(),
        "Recommendation": "Offer evening visits",
        "Details": "Working parents cannot meet before 5 pm.",
        "Area": "Practice",
        "Who follows it up": "CPS supervisor",
        "Whose idea it was": "Ashley Olson",
        "Status": "Adopted",
        "Date of the last status change": days_ago(3).isoformat(),
        "Date decided": days_ago(4).isoformat(),
    }
    assert response["Content-Disposition"].startswith('attachment; filename="recommendations-')


def test_recommendation_without_meeting_or_decision_leaves_them_empty(
    personas, door_council, client_for
):
    RecommendationFactory(council=door_council)
    [row] = csv_rows(client_for(personas["door_coordinator"]).get(RECOMMENDATIONS_CSV))
    assert row["Meeting it came from"] == row["Whose idea it was"] == row["Date decided"] == ""
    assert row["Status"] == "Proposed"


def test_recommendation_csv_has_every_page(personas, door_council, client_for):
    for _ in range(30):
        RecommendationFactory(council=door_council)
    client = client_for(personas["state"])
    assert len(csv_rows(client.get(RECOMMENDATIONS_CSV, {"page": "2"}))) == 30


def test_state_council_has_no_program(personas, client_for):
    RecommendationFactory(council=CouncilFactory(program=None, kind="state"))
    [row] = csv_rows(client_for(personas["state"]).get(RECOMMENDATIONS_CSV))
    assert row["Council"] == "State Advisory Council"
    assert row["Program"] == ""


def test_other_program_does_not_get_our_recommendations(
    personas, door_council, rock, adopted, client_for
):
    rock_council = CouncilFactory(program=rock)
    ours = RecommendationFactory(council=rock_council, title="Bus passes for visits")
    client = client_for(personas["rock_coordinator"])
    assert [row["Recommendation"] for row in csv_rows(client.get(RECOMMENDATIONS_CSV))] == [
        ours.title
    ]
    rows = csv_rows(client.get(RECOMMENDATIONS_CSV, {"council": door_council.pk}))
    assert adopted.title not in [row["Recommendation"] for row in rows]


@pytest.mark.parametrize("persona", ["door_social_worker", "door_clinical", "no_role"])
def test_recommendation_csv_is_forbidden_where_the_list_is(persona, personas, adopted, client_for):
    client = client_for(personas[persona])
    assert client.get("/councils/recommendations/").status_code == 403
    assert client.get(RECOMMENDATIONS_CSV).status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()


def test_recommendation_csv_is_audited(personas, door_council, adopted, client_for):
    client_for(personas["door_coordinator"]).get(
        RECOMMENDATIONS_CSV, {"status": RecommendationStatus.ADOPTED, "area": "practice"}
    )
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.actor_username == "door-coordinator"
    assert entry.program_id == door_council.program_id
    assert entry.object_repr == "Recommendations CSV (1 rows)"
    assert entry.changes == {"filters": {"status": "adopted", "area": "practice"}, "rows": 1}


def test_recommendation_formulas_are_not_run_by_a_spreadsheet(personas, door_council, client_for):
    RecommendationFactory(
        council=door_council, title="-2+3", owner='=HYPERLINK("http://evil")', details="\tx"
    )
    [row] = csv_rows(client_for(personas["door_coordinator"]).get(RECOMMENDATIONS_CSV))
    assert row["Recommendation"] == "'-2+3"
    assert row["Who follows it up"] == '\'=HYPERLINK("http://evil")'
    assert row["Details"] == "'\tx"


@pytest.mark.parametrize("rows", [2, 20])
def test_recommendation_csv_query_count_does_not_grow(
    personas, door_council, client_for, rows, django_assert_max_num_queries
):
    meeting = MeetingFactory(council=door_council)
    member = CouncilMemberFactory(council=door_council, lived_experience=True)
    for _ in range(rows):
        RecommendationFactory(council=door_council, meeting=meeting, raised_by=member)
    client = client_for(personas["state"])
    with django_assert_max_num_queries(10):  # 8 + the second-factor check + the row count
        response = client.get(RECOMMENDATIONS_CSV)
        assert len(csv_rows(response)) == rows


def test_recommendation_list_links_to_the_csv_of_its_filters(personas, client_for):
    page = client_for(personas["door_coordinator"]).get(
        "/councils/recommendations/", {"status": "adopted", "page": "1"}
    )
    assert f'href="{RECOMMENDATIONS_CSV}?status=adopted"' in page.getvalue().decode()
