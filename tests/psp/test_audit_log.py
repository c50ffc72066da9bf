"""The audit log page names records and changed fields in the reader's language."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from psp import audit
from psp.models import AuditAction
from psp.templatetags.psp_tags import audit_field_name, audit_model_name

pytestmark = pytest.mark.django_db

OUR_APPS = ("psp", "referrals", "mentoring", "councils", "reporting")
# Written the same in both languages.
SAME_IN_SPANISH = {"ID", "Id", "PDF", "CSV", "Error", "Total"}


def test_a_spanish_reader_sees_record_types_and_fields_in_spanish(
    personas, door_referral, client_for
):
    coordinator = personas["door_coordinator"]
    audit.record(
        actor=coordinator,
        action=AuditAction.UPDATE,
        obj=door_referral,
        changes={"status": ["received", "screening"], "referred_by": [None, 7], "gone": [1, 2]},
    )
    coordinator.language = "es"
    coordinator.save()
    page = client_for(coordinator).get("/audit/").content.decode()
    assert "(remisión)" in page
    assert "(referrals.referral)" not in page
    assert "<strong>Estado</strong>" in page
    assert "<strong>Remitida por</strong>" in page
    assert "<strong>gone</strong>" in page  # a field the model no longer has, as written


def test_every_record_type_and_field_has_a_spanish_name():
    """A model or field added without a Spanish name fails here: give it a verbose_name
    (or, for a name Django makes up, add it to psp/audit_names.py) and translate it."""
    untranslated = []
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        label = model._meta.label_lower
        names = [(label, None)] + [
            (label, field.name)
            for field in model._meta.get_fields()
            if isinstance(field, models.Field)
        ]
        for object_type, field_name in names:
            with translation.override("en"):
                english = (
                    audit_model_name(object_type)
                    if field_name is None
                    else audit_field_name(field_name, object_type)
                )
            with translation.override("es"):
                spanish = (
                    audit_model_name(object_type)
                    if field_name is None
                    else audit_field_name(field_name, object_type)
                )
            if english == spanish and english not in SAME_IN_SPANISH:
                untranslated.append((object_type, field_name, english))
    assert untranslated == []
