"""A coordinator changes their program's details and names for the roles."""

from __future__ import annotations

import pytest

from psp.models import Program, Role, RoleLabel

pytestmark = pytest.mark.django_db


def form_data(program: Program, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {
        "version": program.version,
        "lead_agency": program.lead_agency,
        "partner_agency": program.partner_agency,
        "contact_email": program.contact_email,
    }
    data.update(changes)
    return data


def test_coordinator_renames_a_role_and_everyone_sees_the_new_name(personas, door, client_for):
    client = client_for(personas["door_coordinator"])
    response = client.post(
        "/programs/door/settings/",
        form_data(door, label_program_coordinator="Family Well-Being Coordinator"),
    )
    assert response.status_code == 302
    assert RoleLabel.objects.get(program=door, role=Role.PROGRAM_COORDINATOR).label == (
        "Family Well-Being Coordinator"
    )
    page = client_for(personas["door_parent_partner"]).get("/programs/door/").content.decode()
    assert "Family Well-Being Coordinator" in page
    dashboard = client.get("/dashboard/").content.decode()
    assert "Family Well-Being Coordinator" in dashboard


def test_renamed_role_keeps_its_permissions(personas, door, client_for):
    RoleLabel.objects.create(program=door, role=Role.PARENT_PARTNER, label="Specialist")
    client = client_for(personas["door_parent_partner"])
    assert client.get("/programs/door/settings/").status_code == 403


def test_bad_email_is_shown_at_the_field_and_nothing_is_saved(personas, door, client_for):
    client = client_for(personas["door_coordinator"])
    response = client.post(
        "/programs/door/settings/",
        form_data(door, contact_email="not an address", partner_agency="X"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter a valid email address." in page
    assert 'value="X"' in page  # the user's input is kept
    assert page.count("<title>Error:") == 1
    door.refresh_from_db()
    assert door.partner_agency == ""


def test_second_editor_is_refused_and_keeps_their_input(personas, door, client_for):
    first = client_for(personas["door_coordinator"])
    second = client_for(personas["admin"])
    opened_at = door.version
    assert (
        first.post(
            "/programs/door/settings/", form_data(door, partner_agency="United Way")
        ).status_code
        == 302
    )

    response = second.post(
        "/programs/door/settings/",
        {**form_data(door, partner_agency="Boys and Girls Club"), "version": opened_at},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this record while you were editing it." in page
    assert 'value="Boys and Girls Club"' in page
    assert "What is saved now" in page and "United Way" in page
    door.refresh_from_db()
    assert door.partner_agency == "United Way"

    # Having seen the current values, saving again is a deliberate choice and succeeds.
    version_field = f'name="version" value="{door.version}"'
    assert version_field in page
    again = second.post(
        "/programs/door/settings/",
        {**form_data(door, partner_agency="Boys and Girls Club")},
    )
    assert again.status_code == 302
    door.refresh_from_db()
    assert door.partner_agency == "Boys and Girls Club"


def test_tampered_version_is_a_field_error_not_a_crash(personas, door, client_for):
    client = client_for(personas["door_coordinator"])
    response = client.post("/programs/door/settings/", {**form_data(door), "version": "abc"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_program_pages_query_count(personas, door, rock, client_for, django_assert_max_num_queries):
    client = client_for(personas["state"])
    # Each with one query for the bell's unread count.
    with django_assert_max_num_queries(11):
        assert client.get("/programs/").status_code == 200
    with django_assert_max_num_queries(13):
        assert client.get("/programs/door/").status_code == 200
