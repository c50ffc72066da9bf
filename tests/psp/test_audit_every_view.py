"""Every page that shows a family's record leaves an entry in the audit log.

Walks every GET URL of the role x view matrix (``tests/test_access_matrix.py``) as a persona
the matrix lets in. Which pages show a family is not a hand list: it is whatever the page
loads from the database, watched while it is served. A page that loads a part of a family's
record (``policy.is_family_record``: a family, or anything whose foreign keys lead to one) and
answers 200 must have written a VIEW (or, for a download, EXPORT) entry during the request.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from django.apps import apps
from django.db import models
from django.db.models.signals import post_init
from django.test import Client

from psp import policy
from psp.models import AuditAction, AuditEntry, Program, User
from referrals.models import Family
from tests.matrix import PERSONAS, Case
from tests.test_access_matrix import CASES

FAMILY_MODELS = [model for model in apps.get_models() if policy.is_family_record(model)]


def _allowed_persona(case: Case) -> str | None:
    for persona in PERSONAS:
        if case.answer_for(persona) == 200:
            return persona
    return None


PAGES = [
    (module, case, persona)
    for module, case in CASES
    if case.method == "get"
    for persona in [_allowed_persona(case)]
    if persona is not None
]


@contextlib.contextmanager
def family_rows_loaded() -> Iterator[set[tuple[str, Any]]]:
    loaded: set[tuple[str, Any]] = set()

    def seen(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
        if instance.pk is not None:  # an empty form's instance shows nobody
            loaded.add((sender._meta.label, instance.pk))

    for model in FAMILY_MODELS:
        post_init.connect(seen, sender=model, weak=False)
    try:
        yield loaded
    finally:
        for model in FAMILY_MODELS:
            post_init.disconnect(seen, sender=model)


def test_family_records_are_found_from_the_models() -> None:
    labels = {model._meta.label for model in FAMILY_MODELS}
    assert {
        "referrals.Family",
        "referrals.Parent",
        "referrals.Child",
        "referrals.Referral",
        "mentoring.Case",
        "mentoring.CaseGoal",
        "mentoring.Activity",
    } <= labels
    assert not {"psp.Program", "psp.User", "mentoring.ParentPartner"} & labels


@pytest.mark.parametrize(
    ("module", "case", "persona"),
    PAGES,
    ids=[f"{case.url_name}-{persona}" for _module, case, persona in PAGES],
)
def test_a_page_that_shows_a_family_is_audited(
    module: ModuleType,
    case: Case,
    persona: str,
    personas: dict[str, User | None],
    door: Program,
    client_for: Callable[[User | None], Client],
) -> None:
    make = getattr(module, "placeholders", None)
    values = make(personas, door) if make is not None else {}
    path = case.path.format(**values)
    client = client_for(personas[persona])
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    with family_rows_loaded() as loaded:
        response = client.get(path)

    assert response.status_code == 200
    entries = AuditEntry.objects.filter(
        id__gt=last, action__in=[AuditAction.VIEW, AuditAction.EXPORT], path=path
    )
    if loaded:
        assert entries.exists(), (
            f"{case.url_name} showed {sorted(loaded)[:5]} but left no entry in the audit log: "
            "get the record with policy.get_for_user (which records the view of a family's "
            "record on GET), or pass audit_view=True"
        )


def test_the_walk_sees_a_family_page(
    personas: dict[str, User | None], door: Program, client_for: Callable[[User | None], Client]
) -> None:
    """The watch itself works: the referral page loads the family and is audited once."""
    from tests.referrals import matrix_cases

    referral = matrix_cases.placeholders(personas, door)["referral"]
    client = client_for(personas["door_coordinator"])
    with family_rows_loaded() as loaded:
        client.get(f"/referrals/{referral}/")
    assert any(label == Family._meta.label for label, _pk in loaded)
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.VIEW, object_type="referrals.referral", object_id=str(referral)
        ).count()
        == 1
    )
