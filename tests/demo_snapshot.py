"""The demo data for browser tests, seeded once per test process and put back before each test.

``seed_demo`` renders the closed quarters' PDFs and vacuums the database: tens of seconds,
where the browser test after it takes a few. On PostgreSQL the first test that asks for the
demo seeds it as before, then every table is copied out (PostgreSQL's COPY, into memory:
nothing is added to the database, whose backups tests make) and the stored files into a
folder of their own. Each later test gets the same rows back (same ids, sequences moved past them)
and the same files in its own ``MEDIA_ROOT``: what it sees is what ``seed_demo`` would have
made. A test that runs on another day than the seeding (a run that crosses midnight) seeds
afresh, so "today" in the demo is always today. On SQLite every test seeds.
"""

from __future__ import annotations

import datetime
import io
import shutil
from pathlib import Path

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from psycopg2 import sql

# Tables the database fills itself as the others are copied back (mentoring migration 0023):
# copying them too would write their rows twice.
KEPT_BY_TRIGGERS = {"mentoring_caseworkversion"}


class DemoSnapshot:
    def __init__(self, files: Path) -> None:
        self.files = files
        self.taken_on: datetime.date | None = None
        self.tables: dict[str, tuple[list[str], bytes]] = {}

    def put_back(self, media_root: Path) -> None:
        """The demo in the (empty) test database and its files in ``media_root``."""
        today = timezone.localdate()
        if connection.vendor != "postgresql":
            call_command("seed_demo")
            return
        if self.taken_on != today:
            call_command("seed_demo")
            self._take(media_root)
            self.taken_on = today
            return
        self._restore(media_root)

    def _take(self, media_root: Path) -> None:
        self.tables = {}
        with connection.cursor() as cursor:
            for table in connection.introspection.django_table_names(only_existing=True):
                if table in KEPT_BY_TRIGGERS:
                    continue
                cursor.execute(
                    "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(%s) "
                    "AND attnum > 0 AND NOT attisdropped AND attgenerated = '' "
                    "ORDER BY attnum",
                    [sql.Identifier(table).as_string(cursor.cursor)],
                )
                columns = [row[0] for row in cursor.fetchall()]
                rows = io.BytesIO()
                cursor.cursor.copy_expert(_copy(table, columns, "TO STDOUT"), rows)
                self.tables[table] = (columns, rows.getvalue())
        shutil.rmtree(self.files, ignore_errors=True)
        if media_root.exists():
            shutil.copytree(media_root, self.files)

    def _restore(self, media_root: Path) -> None:
        names = sql.SQL(", ").join(sql.Identifier(table) for table in self.tables)
        with transaction.atomic(), connection.cursor() as cursor:
            # What the last test's flush left (content types and permissions made again,
            # under new ids) goes, so the copied rows keep the ids they were made with.
            # Foreign keys are checked when the transaction commits.
            cursor.execute(sql.SQL("TRUNCATE {} CASCADE").format(names))
            for table, (columns, rows) in self.tables.items():
                cursor.cursor.copy_expert(_copy(table, columns, "FROM STDIN"), io.BytesIO(rows))
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        if self.files.exists():
            shutil.copytree(self.files, media_root, dirs_exist_ok=True)


def _copy(table: str, columns: list[str], direction: str) -> sql.Composed:
    return sql.SQL("COPY {} ({}) {} WITH (FORMAT binary)").format(
        sql.Identifier(table),
        sql.SQL(", ").join(sql.Identifier(column) for column in columns),
        sql.SQL(direction),
    )
