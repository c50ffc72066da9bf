"""Migration 0005: each child's removal, permanency and re-entry dates become stays in care,
and back."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("referrals", "0004_family_anonymised_at")]
AFTER = [("referrals", "0005_removal_episodes")]
date = datetime.date


def migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.fixture
def old_apps(transactional_db: None) -> Iterator[Any]:
    apps = migrate(BEFORE)
    try:
        yield apps
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_dates_become_stays_and_back(old_apps: Any) -> None:
    Program = old_apps.get_model("psp", "Program")
    Family = old_apps.get_model("referrals", "Family")
    Child = old_apps.get_model("referrals", "Child")
    family = Family.objects.create(
        program=Program.objects.create(name="Door County PSP", slug="door", county="Door")
    )

    def child(name: str, **fields: Any) -> Any:
        return Child.objects.create(
            family=family, first_name=name, birth_date=date(2015, 1, 1), **fields
        )

    home = child("Home")  # never removed
    in_care = child(
        "InCare",
        placement_status="out_of_home",
        out_of_home_type="foster",
        removal_date=date(2025, 3, 1),
    )
    reunified = child(
        "Reunified",
        removal_date=date(2024, 1, 10),
        permanency_date=date(2024, 6, 1),
        permanency_type="reunification",
    )
    back_in_care = child(
        "BackInCare",
        placement_status="out_of_home",
        out_of_home_type="group",
        removal_date=date(2024, 1, 10),
        permanency_date=date(2024, 6, 1),
        permanency_type="guardianship",
        reentry_date=date(2025, 2, 1),
    )

    new_apps = migrate(AFTER)
    Episode = new_apps.get_model("referrals", "RemovalEpisode")

    def stays(old: Any) -> list[tuple[Any, ...]]:
        return [
            (
                e.removed_on,
                e.discharged_on,
                e.discharge_reason,
                [(p.started_on, p.setting) for p in e.placements.order_by("started_on")],
            )
            for e in Episode.objects.filter(child_id=old.pk).order_by("removed_on")
        ]

    assert stays(home) == []
    assert stays(in_care) == [(date(2025, 3, 1), None, "", [(date(2025, 3, 1), "foster")])]
    assert stays(reunified) == [(date(2024, 1, 10), date(2024, 6, 1), "reunification", [])]
    assert stays(back_in_care) == [
        (date(2024, 1, 10), date(2024, 6, 1), "guardianship", []),
        (date(2025, 2, 1), None, "", [(date(2025, 2, 1), "group")]),
    ]

    back = migrate(BEFORE).get_model("referrals", "Child")
    restored = back.objects.get(pk=back_in_care.pk)
    assert (
        restored.removal_date,
        restored.permanency_date,
        restored.permanency_type,
        restored.reentry_date,
        restored.placement_status,
        restored.out_of_home_type,
    ) == (
        date(2024, 1, 10),
        date(2024, 6, 1),
        "guardianship",
        date(2025, 2, 1),
        "out_of_home",
        "group",
    )
    assert back.objects.get(pk=home.pk).placement_status == "at_home"
