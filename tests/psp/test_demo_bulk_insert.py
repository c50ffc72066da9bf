"""``psp.demo.bulk_insert``: the demo's large tables are written at once, dated when the records
were made, and (on PostgreSQL) come out with the same indexes and keys as before."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from mentoring.models import Activity
from psp.demo import bulk_insert, bulk_insert_rows, indexes_built_after
from psp.models import Program
from referrals.models import Family, Parent, Referral, Transition

pytestmark = pytest.mark.django_db


def test_records_get_keys_and_keep_the_date_given(door: Program):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    families = [Family(program=door, created_at=long_ago), Family(program=door)]
    bulk_insert(families)

    assert all(family.pk is not None for family in families)
    saved = Family.objects.in_bulk([family.pk for family in families])
    assert saved[families[0].pk].created_at == long_ago
    assert timezone.now() - saved[families[1].pk].created_at < datetime.timedelta(minutes=5)


def test_children_of_unsaved_records_and_awkward_text_are_written(door: Program):
    family = Family(program=door)
    parent = Parent(
        family=family,
        first_name="Ana\tMaría",
        last_name="O'Brien \\ Nowak",
        address="12 Main St\nApt 3\r\n",
        race_ethnicity="",
    )
    bulk_insert([family])
    bulk_insert([parent])

    saved = Parent.objects.get(pk=parent.pk)
    assert saved.family_id == family.pk
    assert saved.first_name == "Ana\tMaría"
    assert saved.last_name == "O'Brien \\ Nowak"
    assert saved.address == "12 Main St\nApt 3\r\n"
    assert saved.interpreter_needed is False and saved.birth_date is None


def test_rows_get_their_defaults_and_keys(door: Program):
    rows: list[dict[str, object]] = [{"program_id": door.pk}, {"program_id": door.pk}]
    bulk_insert_rows(Family, rows)

    assert len({row["id"] for row in rows}) == 2
    for family in Family.objects.filter(pk__in=[row["id"] for row in rows]):
        assert family.version == 1
        assert family.anonymised_at is None


def _schema(table: str) -> tuple[set[str], set[str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass",
            [table],
        )
        constraints = {row[0] for row in cursor.fetchall()}
    return indexes, constraints


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are set aside on PostgreSQL")
def test_contacts_table_keeps_its_indexes_and_keys_after_seeding(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    table = Activity._meta.db_table
    before = _schema(table)
    assert len(before[0]) > 5

    call_command("seed_demo")

    assert Activity.objects.exists()
    assert _schema(table) == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="indexes are set aside on PostgreSQL")
def test_a_bad_key_is_still_refused_when_the_keys_come_back(door: Program):
    with pytest.raises(IntegrityError), transaction.atomic(), indexes_built_after(Family):
        bulk_insert_rows(Family, [{"program_id": door.pk + 1000}])


def test_seeded_records_are_dated_when_they_happened(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo")

    month_ago = timezone.now() - datetime.timedelta(days=30)
    assert Activity.objects.filter(created_at__lt=month_ago).exists()
    for referral in Referral.objects.select_related("family")[:50]:
        received = Transition.objects.get(referral=referral, from_status="")
        assert referral.created_at == received.at
        assert referral.family.created_at == received.at


def test_verbose_seeding_says_how_long_each_part_took(settings, capsys):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", verbosity=2)

    out = capsys.readouterr().out
    for part in ("psp", "referrals", "mentoring", "councils", "reporting"):
        assert f"\n{part}: " in f"\n{out}" and " s\n" in out, part
