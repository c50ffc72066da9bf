"""Children recorded before the search by name existed get their name key from the
migration, so "ines" finds the Inés entered last year."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db.migrations.state import StateApps

from referrals.models import Child
from tests.factories import ProgramFactory
from tests.migrating import migrate, migrated_to

BEFORE = [("referrals", "0010_quality_panel_families_and_stays")]
AFTER = [("referrals", "0011_child_name_key")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def before_the_key() -> Iterator[StateApps]:
    with migrated_to(BEFORE) as apps:
        yield apps


def test_children_already_recorded_get_their_name_key(before_the_key: StateApps) -> None:
    program = ProgramFactory()
    Family = before_the_key.get_model("referrals", "Family")
    OldChild = before_the_key.get_model("referrals", "Child")
    family = Family.objects.create(program_id=program.pk)
    ines = OldChild.objects.create(family_id=family.pk, first_name="Inés", last_name="Núñez")
    plain = OldChild.objects.create(family_id=family.pk, first_name="Sam", last_name="")

    migrate(AFTER)

    # Only the column the migration filled: later migrations add columns this state has not.
    keys = Child.objects.values_list("name_key", flat=True)
    assert keys.get(pk=ines.pk) == "ines nunez"
    assert keys.get(pk=plain.pk) == "sam"
