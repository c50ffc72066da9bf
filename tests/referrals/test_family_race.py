"""The family's race or ethnicity as the reports count it (``Family.race_ethnicity``): its
first parent's answer, kept by the database however parents are written."""

from __future__ import annotations

import pytest

from referrals.models import Family, Parent, RaceEthnicity
from tests.factories import FamilyFactory, ParentFactory

pytestmark = pytest.mark.django_db


def answer(family: Family) -> tuple[str, bool]:
    kept = Family.objects.values_list("race_ethnicity", "race_not_recorded").get(pk=family.pk)
    return kept[0], kept[1]


def test_the_first_parents_answer_is_the_familys_however_parents_are_written() -> None:
    family = FamilyFactory()
    other = FamilyFactory()
    assert answer(family) == ("", True)  # no parent yet
    first = ParentFactory(family=family, race_ethnicity="")
    assert answer(family) == ("", True)  # not asked yet
    ParentFactory(family=family, race_ethnicity=RaceEthnicity.WHITE)
    assert answer(family) == ("", True)  # a second parent's answer does not count
    Parent.objects.filter(pk=first.pk).update(race_ethnicity=RaceEthnicity.HISPANIC)
    assert answer(family) == (RaceEthnicity.HISPANIC, False)
    first.refresh_from_db()
    first.race_ethnicity = RaceEthnicity.NOT_REPORTED  # "Prefer not to say" is an answer
    first.save()
    assert answer(family) == (RaceEthnicity.NOT_REPORTED, False)
    # Moved to another family: the second parent is now this family's first.
    Parent.objects.filter(pk=first.pk).update(family=other)
    assert answer(family) == (RaceEthnicity.WHITE, False)
    assert answer(other) == (RaceEthnicity.NOT_REPORTED, False)
    Parent.objects.filter(family=family).delete()
    assert answer(family) == ("", True)


def test_saving_a_family_read_before_its_parents_changed_keeps_the_databases_answer() -> None:
    family = FamilyFactory()
    stale = Family.objects.get(pk=family.pk)
    ParentFactory(family=family, race_ethnicity=RaceEthnicity.BLACK)
    stale.save()
    assert answer(family) == (RaceEthnicity.BLACK, False)
