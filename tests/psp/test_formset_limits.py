"""Tampered formsets and oversized requests: refused quickly, with a message, never a 500.

``parents-TOTAL_FORMS=1004`` used to build and validate a thousand forms (Django lets a
formset grow to ``max_num + 1000`` unless ``absolute_max`` is set).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.forms import BaseFormSet

import councils.forms
import mentoring.forms
import psp.forms
import referrals.forms
import reporting.forms
from tests.referrals.conftest import intake_data

pytestmark = pytest.mark.django_db


def all_formsets() -> dict[str, type[BaseFormSet[Any]]]:
    modules = [psp.forms, referrals.forms, mentoring.forms, councils.forms, reporting.forms]
    return {
        name: value
        for module in modules
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, BaseFormSet) and value is not BaseFormSet
    }


def test_every_formset_is_capped() -> None:
    formsets = all_formsets()
    assert set(formsets) >= {"ParentFormSet", "ChildFormSet", "AttendanceFormSet"}
    for formset in formsets.values():
        assert formset.validate_max, formset
        assert formset.absolute_max == formset.max_num, formset
        assert formset.max_num <= 500, formset


@pytest.mark.parametrize("prefix", ["parents", "children"])
def test_a_referral_claiming_1004_forms_is_refused_at_once(
    personas, door, client_for, prefix
) -> None:
    data = intake_data()
    data[f"{prefix}-TOTAL_FORMS"] = "1004"
    client = client_for(personas["door_social_worker"])
    started = time.monotonic()
    response = client.post("/referrals/new/", data)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 1.0
    assert b"Please submit at most" in response.content
    assert response.content.count(f'name="{prefix}-'.encode()) < 300


def test_too_many_fields_is_a_bad_request(personas, client_for) -> None:
    data = {f"parents-{index}-first_name": "A" for index in range(2000)}
    response = client_for(personas["door_social_worker"]).post("/referrals/new/", data)
    assert response.status_code == 400


def test_a_request_body_over_the_limit_is_refused_before_it_is_read(
    personas, client_for, settings
) -> None:
    settings.PSP_MAX_REQUEST_BYTES = 1000
    client = client_for(personas["door_social_worker"])
    response = client.post(
        "/referrals/new/", {"reason": "x" * 2000, "upload": ("x" * 10)}, follow=False
    )
    assert response.status_code == 413
    urlencoded = client.post(
        "/referrals/new/", "reason=" + "x" * 2000, content_type="application/x-www-form-urlencoded"
    )
    assert urlencoded.status_code == 413
    assert b"too large" in urlencoded.content


def test_an_ordinary_referral_is_still_accepted(personas, door, client_for) -> None:
    response = client_for(personas["door_social_worker"]).post("/referrals/new/", intake_data())
    assert response.status_code == 302
