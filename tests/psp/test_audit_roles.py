"""The app's database role cannot erase the audit log; the owner role cannot unapply it.

PostgreSQL only (SQLite has no roles). Each run makes a throwaway database and two throwaway
roles, sets them up with ``manage.py db_roles --apply`` as the superuser of the test
settings, migrates as the owner as production does, then connects as the app role and tries
every way of rewriting history. Everything is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings

psycopg2 = pytest.importorskip("psycopg2")
from psycopg2 import errors, sql  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = settings.DATABASES["default"]

if DEFAULT["ENGINE"] != "django.db.backends.postgresql":
    if os.environ.get("CI"):
        pytest.fail("CI runs on PostgreSQL: set DATABASE_URL to a PostgreSQL database.")
    pytestmark = pytest.mark.skip(reason="database roles exist on PostgreSQL only")


@dataclass(frozen=True)
class Setup:
    database: str
    owner: str
    app: str
    password: str

    def url(self, role: str | None = None) -> str:
        user = role or DEFAULT["USER"]
        password = self.password if role else DEFAULT.get("PASSWORD") or ""
        auth = quote(user) + (f":{quote(password)}" if password else "")
        host = DEFAULT.get("HOST") or ""
        port = f":{DEFAULT['PORT']}" if DEFAULT.get("PORT") else ""
        return f"postgres://{auth}@{host}{port}/{self.database}"

    def connect(self, role: str | None = None) -> Any:
        return psycopg2.connect(
            dbname=self.database,
            user=role or DEFAULT["USER"],
            password=self.password if role else DEFAULT.get("PASSWORD") or None,
            host=DEFAULT.get("HOST") or None,
            port=DEFAULT.get("PORT") or None,
        )


def _superuser_connection(dbname: str = "postgres") -> Any:
    connection = psycopg2.connect(
        dbname=dbname,
        user=DEFAULT["USER"],
        password=DEFAULT.get("PASSWORD") or None,
        host=DEFAULT.get("HOST") or None,
        port=DEFAULT.get("PORT") or None,
    )
    connection.autocommit = True
    return connection


def manage(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def installed() -> Iterator[Setup]:
    """A fresh install: roles first, then the migrations run by the owner."""
    admin = _superuser_connection()
    with admin.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database user cannot create roles (not a superuser)")
    suffix = secrets.token_hex(4)
    setup = Setup(
        database=f"psp_audit_roles_{suffix}",
        owner=f"audit_owner_{suffix}",
        app=f"audit_app_{suffix}",
        password=secrets.token_urlsafe(16),
    )
    with admin.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(setup.database)))
    try:
        roles = manage(
            "db_roles",
            "--apply",
            f"--owner={setup.owner}",
            f"--app={setup.app}",
            database_url=setup.url(),
            PSP_DB_OWNER_PASSWORD=setup.password,
            PSP_DB_APP_PASSWORD=setup.password,
        )
        assert roles.returncode == 0, roles.stderr
        migrated = manage("migrate", "--noinput", database_url=setup.url(setup.owner))
        assert migrated.returncode == 0, migrated.stderr
        yield setup
    finally:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(setup.database)
                )
            )
            for role in (setup.app, setup.owner):
                cursor.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))
        admin.close()


INSERT_ENTRY = """
    INSERT INTO psp_auditentry (occurred_at, actor_username, action, object_type, object_id,
                                object_repr, changes, path)
    VALUES (now(), 'someone', 'view', 'referrals.family', '1', 'Family 1', '{}', '/')
"""

FORBIDDEN = {
    "update": "UPDATE psp_auditentry SET object_repr = 'rewritten'",
    "delete": "DELETE FROM psp_auditentry",
    "truncate": "TRUNCATE psp_auditentry",
    "drop": "DROP TABLE psp_auditentry",
    "disable the triggers": "ALTER TABLE psp_auditentry DISABLE TRIGGER ALL",
    "disable one trigger": "ALTER TABLE psp_auditentry DISABLE TRIGGER psp_auditentry_no_change",
    "skip triggers as a replica": "SET session_replication_role = replica",
    "take the table": "ALTER TABLE psp_auditentry OWNER TO CURRENT_USER",
    "drop the guard": "DROP FUNCTION psp_audit_append_only() CASCADE",
    "create a table": "CREATE TABLE audit_copy (id int)",
}


def test_app_role_inserts_and_reads_the_audit_log(installed: Setup) -> None:
    connection = installed.connect(installed.app)
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute(INSERT_ENTRY)
            cursor.execute("SELECT count(*) FROM psp_auditentry")
            assert cursor.fetchone()[0] >= 1
    finally:
        connection.close()


@pytest.mark.parametrize("statement", FORBIDDEN.values(), ids=FORBIDDEN.keys())
def test_app_role_cannot_change_or_erase_the_audit_log(installed: Setup, statement: str) -> None:
    connection = installed.connect(installed.app)
    try:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_ENTRY)
            connection.commit()
            with pytest.raises(errors.InsufficientPrivilege):
                cursor.execute(statement)
            connection.rollback()
            cursor.execute("SELECT count(*) FROM psp_auditentry WHERE object_repr = 'rewritten'")
            assert cursor.fetchone()[0] == 0
    finally:
        connection.close()


def test_app_role_is_no_superuser_and_owns_nothing(installed: Setup) -> None:
    connection = installed.connect(installed.app)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls, rolreplication "
                "FROM pg_roles WHERE rolname = current_user"
            )
            assert cursor.fetchone() == (False, False, False, False, False)
            cursor.execute(
                "SELECT count(*) FROM pg_class WHERE relowner = current_user::regrole"
                " UNION ALL SELECT count(*) FROM pg_proc WHERE proowner = current_user::regrole"
            )
            assert [row[0] for row in cursor.fetchall()] == [0, 0]
    finally:
        connection.close()


def test_the_app_runs_as_the_app_role(installed: Setup) -> None:
    script = (
        "from psp import audit; from psp.models import AuditEntry, Program; "
        "program = Program.objects.create(name='Roles', slug='roles', county='Dane'); "
        "program.name = 'Roles renamed'; program.save(); "
        "audit.record(actor=None, action='update', obj=program); "
        "print(AuditEntry.objects.filter(object_repr='Roles renamed').count())"
    )
    result = manage("shell", "-c", script, database_url=installed.url(installed.app))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "1"


def test_tables_of_later_migrations_are_granted_to_the_app(installed: Setup) -> None:
    owner = installed.connect(installed.owner)
    with owner, owner.cursor() as cursor:
        cursor.execute("CREATE TABLE later_table (id bigint GENERATED BY DEFAULT AS IDENTITY)")
    owner.close()
    app = installed.connect(installed.app)
    try:
        with app, app.cursor() as cursor:
            cursor.execute("INSERT INTO later_table DEFAULT VALUES")
            cursor.execute("DELETE FROM later_table")
    finally:
        app.close()


def test_roles_taken_over_from_a_superuser_install(installed: Setup) -> None:
    """An existing install, made by a superuser, is handed to the owner by ``db_roles``."""
    admin = _superuser_connection(installed.database)
    with admin.cursor() as cursor:
        cursor.execute("CREATE TABLE made_by_superuser (id serial PRIMARY KEY)")
        cursor.execute("ALTER TABLE psp_auditentry OWNER TO CURRENT_USER")
        cursor.execute("GRANT ALL ON psp_auditentry TO PUBLIC")
    roles = manage(
        "db_roles",
        "--apply",
        f"--owner={installed.owner}",
        f"--app={installed.app}",
        database_url=installed.url(),
    )
    assert roles.returncode == 0, roles.stderr
    with admin.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')"
        )
        assert [row[0] for row in cursor.fetchall()] == [installed.owner]
    admin.close()
    app = installed.connect(installed.app)
    try:
        with app.cursor() as cursor:
            cursor.execute("INSERT INTO made_by_superuser DEFAULT VALUES")
            app.commit()
            with pytest.raises(errors.InsufficientPrivilege):
                cursor.execute("DELETE FROM psp_auditentry")
    finally:
        app.close()


def test_migrating_back_past_the_audit_log_is_refused(installed: Setup) -> None:
    app = installed.connect(installed.app)
    with app, app.cursor() as cursor:
        cursor.execute(INSERT_ENTRY)
    app.close()
    for target in ["0001", "zero"]:
        result = manage("migrate", "psp", target, database_url=installed.url(installed.owner))
        assert result.returncode != 0
        assert "cannot be unapplied" in result.stderr
    owner = installed.connect(installed.owner)
    try:
        with owner.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM psp_auditentry")
            assert cursor.fetchone()[0] >= 1
            cursor.execute(
                "SELECT count(*) FROM django_migrations"
                " WHERE app = 'psp' AND name = '0002_audit_table_append_only'"
            )
            assert cursor.fetchone()[0] == 1
    finally:
        owner.close()
