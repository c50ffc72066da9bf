"""The test database moved to a migration and back, for the tests of data migrations (which
need ``django_db(transaction=True)``: schema changes cannot run inside a test's transaction
on SQLite)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps


def migrate(targets: list[tuple[str, str]]) -> StateApps:
    """Move the database to ``targets`` and give the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@contextmanager
def migrated_to(targets: list[tuple[str, str]]) -> Iterator[StateApps]:
    """The database at ``targets`` for the block; then at the latest migrations again, as the
    next tests expect it."""
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        yield migrate(targets)
    finally:
        migrate(leaves)
