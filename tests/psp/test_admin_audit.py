"""What an administrator does in the Django admin reaches the audit log, in full.

Inline rows (a parent inside a family) are logged with what changed, lists of families are
logged as views, and setting a user's password is logged without the password.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from psp.models import AuditAction, AuditEntry, User
from referrals.models import Child, Parent

pytestmark = pytest.mark.django_db


def _form_data(form: Any, data: dict[str, Any]) -> None:
    for name in form.fields:
        value = form[name].value()
        key = form.add_prefix(name)
        if value is None or value is False:
            continue
        if value is True:
            data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)


def _change_page_data(client: Client, url: str) -> dict[str, Any]:
    """What the admin's change page would send back unchanged."""
    response = client.get(url)
    assert response.status_code == 200
    data: dict[str, Any] = {}
    _form_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_data(formset.management_form, data)
        for form in formset.forms:
            _form_data(form, data)
    return data


def _prefix(data: dict[str, Any], model_name: str) -> str:
    return next(
        key.removesuffix("-TOTAL_FORMS")
        for key in data
        if key.endswith("-TOTAL_FORMS") and model_name in key
    )


def test_renaming_a_parent_inside_a_family_is_logged_with_the_change(
    personas: dict[str, Any], door_referral: Any, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(personas["admin"])
    family = door_referral.family
    parent = family.parents.get()
    url = f"/admin/referrals/family/{family.pk}/change/"
    data = _change_page_data(client, url)
    prefix = _prefix(data, "parent")
    old_name = parent.first_name
    data[f"{prefix}-0-first_name"] = "Renamed"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context.get("errors")
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="referrals.parent")
    assert entry.object_id == str(parent.pk)
    assert entry.changes["first_name"] == [old_name, "Renamed"]
    assert set(entry.changes) <= {"first_name", "name_key"}  # what changed, nothing else
    assert entry.program_id == family.program_id
    assert entry.actor_username == "admin"


def test_removing_a_child_inside_a_family_is_logged_with_what_it_held(
    personas: dict[str, Any], door_referral: Any, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(personas["admin"])
    family = door_referral.family
    child = family.children.get()
    url = f"/admin/referrals/family/{family.pk}/change/"
    data = _change_page_data(client, url)
    data[f"{_prefix(data, 'child')}-0-DELETE"] = "on"

    assert client.post(url, data).status_code == 302

    assert not Child.objects.filter(pk=child.pk).exists()
    entry = AuditEntry.objects.get(action=AuditAction.DELETE, object_type="referrals.child")
    assert entry.object_id == str(child.pk)
    assert entry.changes["first_name"] == child.first_name


def test_saving_a_family_unchanged_logs_no_inline_change(
    personas: dict[str, Any], door_referral: Any, client_for: Callable[[User | None], Client]
) -> None:
    client = client_for(personas["admin"])
    url = f"/admin/referrals/family/{door_referral.family_id}/change/"
    assert client.post(url, _change_page_data(client, url)).status_code == 302
    assert not AuditEntry.objects.filter(object_type__in=["referrals.parent", "referrals.child"])
    assert Parent.objects.filter(family=door_referral.family).count() == 1


@pytest.mark.parametrize(
    ("path", "object_type"),
    [
        ("/admin/referrals/family/", "referrals.family"),
        ("/admin/referrals/referral/?q=Smith", "referrals.referral"),
    ],
)
def test_lists_of_families_are_logged_as_views(
    personas: dict[str, Any],
    door_referral: Any,
    client_for: Callable[[User | None], Client],
    path: str,
    object_type: str,
) -> None:
    assert client_for(personas["admin"]).get(path).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.VIEW, object_type=object_type)
    assert entry.actor_username == "admin"
    assert entry.path == path.split("?")[0]
    if "?" in path:
        assert entry.changes == {"query": "q=Smith"}


def test_lists_without_families_are_not_logged(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    assert client_for(personas["admin"]).get("/admin/psp/program/").status_code == 200
    assert not AuditEntry.objects.filter(action=AuditAction.VIEW).exists()


def test_an_administrator_setting_a_password_is_logged_without_it(
    personas: dict[str, Any], client_for: Callable[[User | None], Client]
) -> None:
    target = personas["door_parent_partner"]
    new_password = "A-new-password-for-2027"
    response = client_for(personas["admin"]).post(
        f"/admin/psp/user/{target.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == 302
    target.refresh_from_db()
    assert target.check_password(new_password)
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="psp.user")
    assert entry.object_id == str(target.pk)
    assert entry.changes == {"password": "set"}
    assert new_password not in str(entry.changes) and target.password not in str(entry.changes)
