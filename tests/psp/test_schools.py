"""The schools and districts of a school-based program, kept by its Program Coordinators in
the app (not only in the Django admin): the team reads them, a coordinator adds, renames,
moves and retires them, and the referral form offers the active ones."""

from __future__ import annotations

import pytest

from psp.models import AuditAction, AuditEntry, Role, School, SchoolDistrict
from tests.factories import SchoolDistrictFactory, SchoolFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wausau(personas):
    """The school-based program of the ``school_staff`` persona, with its district and
    Riverview Elementary."""
    staff = personas["school_staff"]
    return staff.memberships.get().program


@pytest.fixture
def coordinator(wausau, make_member):
    return make_member(wausau, Role.PROGRAM_COORDINATOR, username="wausau-coordinator")


def test_a_coordinator_adds_a_district_and_a_school_and_the_referral_form_offers_it(
    wausau, coordinator, client_for
):
    client = client_for(coordinator)
    page = client.get("/programs/wausau/schools/").content.decode()
    assert "Riverview Elementary" in page and "Add a school district" in page
    response = client.post(
        "/programs/wausau/schools/", {"add": "district", "district-name": "  D.C. Everest  Area "}
    )
    assert response.status_code == 302
    district = SchoolDistrict.objects.get(program=wausau, name="D.C. Everest Area")
    response = client.post(
        "/programs/wausau/schools/",
        {
            "add": "school",
            "school-district": str(district.pk),
            "school-name": "Evergreen Elementary",
            "school-is_active": "on",
        },
    )
    assert response.status_code == 302
    school = School.objects.get(name="Evergreen Elementary")
    assert school.district == district and school.is_active
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, program_id=wausau.pk)
    assert set(created.values_list("object_type", flat=True)) == {
        "psp.schooldistrict",
        "psp.school",
    }
    page = client.get("/programs/wausau/schools/").content.decode()
    assert "Added: Evergreen Elementary." in page and "D.C. Everest Area" in page
    form = client.get("/referrals/new/?program=wausau").content.decode()
    assert "Evergreen Elementary" in form


def test_a_school_retired_is_no_longer_offered_and_its_change_is_audited(
    wausau, coordinator, client_for
):
    school = School.objects.get(name="Riverview Elementary")
    client = client_for(coordinator)
    form = client.get(f"/programs/wausau/schools/{school.pk}/edit/").content.decode()
    assert 'value="Riverview Elementary"' in form
    response = client.post(
        f"/programs/wausau/schools/{school.pk}/edit/",
        {"district": str(school.district_id), "name": "Riverview Elementary"},
    )  # the box "Active" left unticked
    assert response.status_code == 302
    school.refresh_from_db()
    assert not school.is_active
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="psp.school")
    assert entry.changes == {"is_active": [True, False]} and entry.program_id == wausau.pk
    page = client.get("/programs/wausau/schools/").content.decode()
    assert "inactive" in page
    assert (
        "Riverview Elementary" not in client.get("/referrals/new/?program=wausau").content.decode()
    )


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"add": "district", "district-name": ""},
            "district-name",
            "Enter the district&#x27;s name.",
        ),
        (
            {"add": "school", "school-district": "", "school-name": "X"},
            "school-district",
            "Choose the district.",
        ),
        (
            {
                "add": "school",
                "school-district": "{district}",
                "school-name": "riverview elementary",
            },
            "school-name",
            "This district already has a school of that name.",
        ),
        (
            {"add": "school", "school-district": "{other}", "school-name": "Borrowed"},
            "school-district",
            "Choose one of this program&#x27;s districts.",
        ),
        (
            {"add": "school", "school-district": "{district}", "school-name": "x" * 161},
            "school-name",
            "Ensure this value has at most 160 characters",
        ),
    ],
)
def test_mistakes_are_shown_at_the_field_and_nothing_is_saved(
    wausau, coordinator, door, client_for, data, field, message
):
    district = SchoolDistrict.objects.get(program=wausau)
    other = SchoolDistrictFactory(program=door)
    values = {
        key: value.format(district=district.pk, other=other.pk) for key, value in data.items()
    }
    schools, districts = School.objects.count(), SchoolDistrict.objects.count()
    response = client_for(coordinator).post("/programs/wausau/schools/", values)
    assert response.status_code == 200
    text = response.content.decode()
    assert message in text and f'id="id_{field}' in text and "There is a problem" in text
    assert (School.objects.count(), SchoolDistrict.objects.count()) == (schools, districts)


def test_a_district_is_renamed_but_never_to_a_name_it_already_has(wausau, coordinator, client_for):
    district = SchoolDistrict.objects.get(program=wausau)
    SchoolDistrictFactory(program=wausau, name="Mosinee School District")
    client = client_for(coordinator)
    refused = client.post(
        f"/programs/wausau/districts/{district.pk}/edit/", {"name": "mosinee school district"}
    )
    assert "This program already has a district of that name." in refused.content.decode()
    assert (
        client.post(
            f"/programs/wausau/districts/{district.pk}/edit/", {"name": "Wausau School District"}
        ).status_code
        == 302
    )
    district.refresh_from_db()
    assert district.name == "Wausau School District"


def test_only_the_programs_coordinators_change_its_schools(
    wausau, coordinator, personas, door, client_for
):
    school = School.objects.get(name="Riverview Elementary")
    door_school = SchoolFactory(district__program=door)
    staff = client_for(personas["school_staff"])
    assert staff.get("/programs/wausau/schools/").status_code == 200
    assert "Add a school" not in staff.get("/programs/wausau/schools/").content.decode()
    assert (
        staff.post(
            "/programs/wausau/schools/", {"add": "district", "district-name": "Sneaky"}
        ).status_code
        == 403
    )
    assert staff.get(f"/programs/wausau/schools/{school.pk}/edit/").status_code == 403
    # Door's people do not learn of Wausau's schools; Door is not school-based.
    door_coordinator = client_for(personas["door_coordinator"])
    assert door_coordinator.get("/programs/wausau/schools/").status_code == 404
    assert door_coordinator.get("/programs/door/schools/").status_code == 404
    # A school of another program is not Wausau's to change.
    assert (
        client_for(coordinator).get(f"/programs/wausau/schools/{door_school.pk}/edit/").status_code
        == 404
    )
    assert not SchoolDistrict.objects.filter(name="Sneaky").exists()
    # The program's page links to its schools.
    detail = client_for(coordinator).get("/programs/wausau/").content.decode()
    assert 'href="/programs/wausau/schools/"' in detail


def test_the_same_school_saved_twice_at_one_moment_is_refused_at_the_name(wausau):
    """Both people's check found the name free; the second save meets the database's unique
    constraint and is refused with the field's own message, never a server error."""
    from django.core.exceptions import ValidationError

    from psp import services

    existing = School.objects.get(name="Riverview Elementary")
    second = School(district=existing.district, name=existing.name)
    with pytest.raises(ValidationError) as refused:
        services._save_unique(second, "This district already has a school of that name.")
    assert refused.value.message_dict == {
        "name": ["This district already has a school of that name."]
    }
    assert School.objects.filter(name="Riverview Elementary").count() == 1
