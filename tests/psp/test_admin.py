"""The Django admin answers only to administrators, whatever a user's is_staff says."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("persona", ["door_coordinator", "state", "no_role"])
def test_non_administrators_are_sent_to_the_admin_sign_in(personas, client_for, persona):
    user = personas[persona]
    user.is_staff = True  # even a stray staff flag grants nothing
    user.save()
    response = client_for(user).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_administrator_manages_programs_and_memberships(personas, client_for):
    client = client_for(personas["admin"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/psp/program/").status_code == 200
    assert client.get("/admin/psp/membership/").status_code == 200
    assert client.get("/admin/psp/user/").status_code == 200
