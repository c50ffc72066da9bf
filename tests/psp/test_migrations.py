"""Migrations never go back past the audit log: the plan is refused before it starts."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from psp.signals import refuse_irreversible_plan


@pytest.mark.parametrize("target", [("psp", "0001_initial"), ("psp", None)], ids=["0001", "zero"])
def test_a_plan_that_unapplies_the_audit_log_is_refused(db: None, target: tuple) -> None:
    plan = MigrationExecutor(connection).migration_plan([target])
    assert any(backwards for _migration, backwards in plan)
    with pytest.raises(CommandError, match="0002_audit_table_append_only cannot be unapplied"):
        refuse_irreversible_plan(sender=None, plan=plan)


def test_a_forward_plan_is_allowed(db: None) -> None:
    plan = MigrationExecutor(connection).migration_plan([("psp", "0002_audit_table_append_only")])
    refuse_irreversible_plan(sender=None, plan=plan)


def test_migrate_back_leaves_every_table_in_place(db: None) -> None:
    tables_before = set(connection.introspection.table_names())
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("migrate", "psp", "0001", verbosity=0, interactive=False)
    assert set(connection.introspection.table_names()) == tables_before
    assert "psp_auditentry" in tables_before
