"""``manage.py backup`` and ``manage.py restore``: a round trip changes nothing.

The test database (with the demo data, a generated report and audit entries) is backed up,
then restored by ``manage.py restore`` (run as production runs it, in a process of its own)
into a new empty database (on PostgreSQL a throwaway database, on SQLite a new file) and an
empty media folder. Every table's rows, the audit log's triggers and grants, and every
file's SHA-256 must come back equal. Damaged archives, occupied targets and backups of a
newer version are refused before anything is written.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import sqlite3
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from psp import audit
from psp.models import AuditAction, Program
from reporting.models import Report, ReportStatus
from reporting.quarters import Quarter
from reporting.services import report_request
from tests.factories import ProgramFactory

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = settings.DATABASES["default"]
ON_POSTGRES = DEFAULT["ENGINE"] == "django.db.backends.postgresql"

pytestmark = pytest.mark.django_db(transaction=True)


def manage(*args: str, database_url: str, media_root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def postgres_url(database: str, user: str | None = None, password: str | None = None) -> str:
    user = user or DEFAULT["USER"]
    password = password if user != DEFAULT["USER"] else DEFAULT.get("PASSWORD") or ""
    auth = quote(user) + (f":{quote(password)}" if password else "")
    port = f":{DEFAULT['PORT']}" if DEFAULT.get("PORT") else ""
    return f"postgres://{auth}@{DEFAULT.get('HOST') or ''}{port}/{database}"


def postgres_connect(database: str, user: str | None = None, password: str | None = None) -> Any:
    import psycopg2

    return psycopg2.connect(
        dbname=database,
        user=user or DEFAULT["USER"],
        password=password if user else DEFAULT.get("PASSWORD") or None,
        host=DEFAULT.get("HOST") or None,
        port=DEFAULT.get("PORT") or None,
    )


class PostgresDatabases:
    """Throwaway databases (and roles), created and dropped as the test settings' user."""

    def __init__(self) -> None:
        self.admin = postgres_connect("postgres")
        self.admin.autocommit = True
        self.databases: list[str] = []
        self.roles: list[str] = []

    def run(self, statement: str) -> None:
        with self.admin.cursor() as cursor:
            cursor.execute(statement)

    def create(self, prefix: str) -> str:
        name = f"{prefix}_{secrets.token_hex(4)}"
        self.run(f'CREATE DATABASE "{name}"')
        self.databases.append(name)
        return name

    def drop_all(self) -> None:
        for name in self.databases:
            self.run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        for role in self.roles:
            self.run(f'DROP ROLE IF EXISTS "{role}"')
        self.admin.close()


@pytest.fixture
def postgres_databases() -> Iterator[PostgresDatabases]:
    databases = PostgresDatabases()
    try:
        yield databases
    finally:
        databases.drop_all()


class Target:
    """An empty database and an empty media folder to restore into."""

    def __init__(self, url: str, media: Path, database: str) -> None:
        self.url, self.media, self.database = url, media, database

    def restore(self, archive: Path, *extra: str) -> subprocess.CompletedProcess[str]:
        return manage("restore", str(archive), *extra, database_url=self.url, media_root=self.media)


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    media = tmp_path / "restored-media"
    if ON_POSTGRES:
        databases = PostgresDatabases()
        try:
            name = databases.create("psp_restore")
            yield Target(postgres_url(name), media, name)
        finally:
            databases.drop_all()
    else:
        path = tmp_path / "restored.sqlite3"
        yield Target(f"sqlite:///{path}", media, str(path))


# --- What "equal" means -------------------------------------------------------------------


def sqlite_snapshot(cursor: Any) -> dict[str, list[str]]:
    """Every table's rows as SQL literals, sorted, and the schema (tables, indexes, triggers)."""
    cursor.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
        " ORDER BY type, name"
    )
    schema = cursor.fetchall()
    snapshot = {"(schema)": [repr(row) for row in schema]}
    for kind, name, _table, _sql in schema:
        if kind != "table":
            continue
        cursor.execute(f'SELECT name FROM pragma_table_info("{name}")')  # noqa: S608
        columns = " || '|' || ".join(f'quote("{row[0]}")' for row in cursor.fetchall())
        cursor.execute(f'SELECT {columns} FROM "{name}" ORDER BY 1')  # noqa: S608
        snapshot[name] = [row[0] for row in cursor.fetchall()]
    return snapshot


def postgres_snapshot(database: str) -> dict[str, list[str]]:
    """Every table's rows as text, sorted, and the schema: each relation with its owner and
    grants, the triggers and the functions."""
    link = postgres_connect(database)
    try:
        with link.cursor() as cursor:
            cursor.execute(
                "SELECT relname, relkind, pg_get_userbyid(relowner), relacl::text FROM pg_class"
                " WHERE relnamespace = 'public'::regnamespace ORDER BY relname"
            )
            relations = cursor.fetchall()
            snapshot = {"(relations)": [repr(row) for row in relations]}
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE NOT tgisinternal ORDER BY 1, 2"
            )
            snapshot["(triggers)"] = [repr(row) for row in cursor.fetchall()]
            cursor.execute(
                "SELECT p.oid::regprocedure::text, pg_get_userbyid(proowner), prosrc"
                " FROM pg_proc AS p WHERE pronamespace = 'public'::regnamespace ORDER BY 1"
            )
            snapshot["(functions)"] = [repr(row) for row in cursor.fetchall()]
            for name, kind, _owner, _acl in relations:
                if kind == "r":
                    cursor.execute(f'SELECT t::text FROM "{name}" AS t ORDER BY 1')  # noqa: S608
                    snapshot[name] = [row[0] for row in cursor.fetchall()]
        return snapshot
    finally:
        link.close()


def source_snapshot() -> dict[str, list[str]]:
    if ON_POSTGRES:
        return postgres_snapshot(connection.settings_dict["NAME"])
    with connection.cursor() as cursor:
        return sqlite_snapshot(cursor)


def target_snapshot(target: Target) -> dict[str, list[str]]:
    if ON_POSTGRES:
        return postgres_snapshot(target.database)
    link = sqlite3.connect(target.database)
    try:
        return sqlite_snapshot(link.cursor())
    finally:
        link.close()


VERSIONS = "mentoring_caseworkversion"


def versions(rows: list[str]) -> dict[int, int]:
    """The casework versions of a snapshot, ``(program, number)`` or ``program|number``."""
    pairs = (re.findall(r"\d+", row) for row in rows)
    return {int(program): int(number) for program, number in pairs}


def assert_restored(
    after: dict[str, list[str]], before: dict[str, list[str]], *, schema: bool = True
) -> None:
    """Every table (and, with ``schema``, every relation, trigger and function) as it was,
    but the casework versions: every program's counts on past any number the source had, so
    that no page kept before the restore can match casework changed after it
    (``mentoring.home``)."""
    assert sorted(after) == sorted(before)
    for table in before:
        if table != VERSIONS and (schema or not table.startswith("(")):
            assert after[table] == before[table], table
    programs = {int(re.match(r"\(?(\d+)", row).group(1)) for row in after["psp_program"]}  # type: ignore[union-attr]
    restored = versions(after[VERSIONS])
    # A row of a program deleted since (a test database's flush fires the triggers on SQLite)
    # matters to no page; every program there is counts past every earlier number.
    assert programs and programs <= set(restored)
    earlier = max(versions(before[VERSIONS]).values(), default=0)
    assert min(restored[program] for program in programs) > earlier


def checksums(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def backup(tmp_path: Path) -> Path:
    out = io.StringIO()
    call_command("backup", output_dir=tmp_path / "backups", stdout=out)
    [archive] = (tmp_path / "backups").glob("psp-backup-*.tar.gz")
    assert str(archive) in out.getvalue()
    return archive


def rewrite(archive: Path, change: dict[str, bytes], add: dict[str, bytes] | None = None) -> Path:
    """A copy of ``archive`` with some members' contents replaced, and others added."""
    altered = archive.with_name("altered-" + archive.name)
    with tarfile.open(archive) as source, tarfile.open(altered, "w:gz") as copy:
        for member in source:
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            data = change.get(member.name, data)
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
        for name, data in (add or {}).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return altered


# --- Tests --------------------------------------------------------------------------------


def test_round_trip_restores_every_row_and_every_file(
    tmp_path: Path, target: Target, settings: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=io.StringIO())
    report = report_request(
        actor=None, program=Program.objects.get(slug="door"), quarter=Quarter(2025, 4)
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.pdf.name and report.csv.name
    # Odd names and every byte value come back too.
    default_storage.save("reports/2025/informe año «Door».csv", ContentFile("niño,1\n".encode()))
    default_storage.save("reports/2025/bytes.bin", ContentFile(bytes(range(256)) * 64))
    audit.record(actor=None, action=AuditAction.VIEW, obj=report)

    before = source_snapshot()
    assert len(before["psp_auditentry"]) >= 2
    assert sum(len(rows) for rows in before.values()) > 1000
    assert {"django_migrations", "referrals_referral", "mentoring_activity"} <= set(before)
    files_before = checksums(Path(settings.MEDIA_ROOT))
    # Each report's PDF and CSV (the demo's filed quarters' and this one's), and the two above.
    made = Report.objects.filter(status=ReportStatus.DONE).count()
    assert made > 1
    assert len(files_before) == 2 * made + 2

    archive = backup(tmp_path)
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    result = target.restore(archive)
    assert result.returncode == 0, result.stderr
    assert "each checksum checked" in result.stdout

    after = target_snapshot(target)
    assert_restored(after, before)
    assert checksums(target.media) == files_before

    # The restored audit log is still append-only.
    if ON_POSTGRES:
        import psycopg2

        link = postgres_connect(target.database)
        with link.cursor() as cursor, pytest.raises(psycopg2.Error, match="append-only"):
            cursor.execute("UPDATE psp_auditentry SET path = 'rewritten'")
        link.close()
    else:
        link = sqlite3.connect(target.database)
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            link.execute("DELETE FROM psp_auditentry")
        link.close()

    # A second restore finds the database occupied and leaves it as it is.
    again = target.restore(archive)
    assert again.returncode != 0
    assert "Nothing was restored: the database has tables" in again.stderr
    assert target_snapshot(target) == after


def _small_backup(tmp_path: Path) -> Path:
    program = ProgramFactory(slug="door", county="Door")
    audit.record(actor=None, action=AuditAction.CREATE, obj=program)
    default_storage.save("reports/2026/report.csv", ContentFile(b"section,metric,value\r\n"))
    return backup(tmp_path)


def _is_empty(target: Target) -> bool:
    files = list(target.media.rglob("*")) if target.media.exists() else []
    snapshot = target_snapshot(target)
    tables = [name for name in snapshot if not name.startswith("(")]
    return not files and not tables


def test_a_tampered_file_is_refused_before_anything_is_written(
    tmp_path: Path, target: Target
) -> None:
    archive = _small_backup(tmp_path)
    altered = rewrite(archive, {"media/reports/2026/report.csv": b"section,metric,value\r\n1\r\n"})
    assert target.restore(archive, "--check").returncode == 0
    for check in ["--check"], []:
        result = target.restore(altered, *check)
        assert result.returncode != 0
        assert "The archive is damaged or was altered, so nothing was restored" in result.stderr
        assert "media/reports/2026/report.csv does not match its checksum" in result.stderr
    assert _is_empty(target)


def test_a_file_added_to_the_archive_is_refused(tmp_path: Path, target: Target) -> None:
    archive = _small_backup(tmp_path)
    altered = rewrite(archive, {}, add={"media/reports/2026/extra.pdf": b"%PDF"})
    result = target.restore(altered)
    assert result.returncode != 0
    assert "media/reports/2026/extra.pdf is not in the manifest" in result.stderr
    assert _is_empty(target)


def test_a_path_outside_the_archive_is_refused(tmp_path: Path, target: Target) -> None:
    archive = _small_backup(tmp_path)
    altered = rewrite(archive, {}, add={"media/../../escaped.txt": b"x"})
    result = target.restore(altered)
    assert result.returncode != 0
    assert "outside its folder" in result.stderr
    assert not (tmp_path / "escaped.txt").exists()
    assert _is_empty(target)


def test_a_backup_of_a_newer_version_is_refused(tmp_path: Path, target: Target) -> None:
    archive = _small_backup(tmp_path)
    with tarfile.open(archive) as source:
        manifest = json.loads(source.extractfile("manifest.json").read())  # type: ignore[union-attr]
    manifest["migrations"].append(["psp", "9999_from_a_later_version"])
    altered = rewrite(archive, {"manifest.json": json.dumps(manifest).encode()})
    result = target.restore(altered)
    assert result.returncode != 0
    assert "made by a newer version of the app" in result.stderr
    assert "psp 9999_from_a_later_version" in result.stderr
    assert _is_empty(target)


def test_force_replaces_an_occupied_database_and_folder(tmp_path: Path, target: Target) -> None:
    archive = _small_backup(tmp_path)
    before = source_snapshot()
    assert target.restore(archive).returncode == 0
    (target.media / "left-over.txt").write_text("an older file")
    result = target.restore(archive, "--force")
    assert result.returncode == 0, result.stderr
    assert_restored(target_snapshot(target), before)
    assert checksums(target.media) == checksums(Path(settings.MEDIA_ROOT))


@pytest.mark.skipif(not ON_POSTGRES, reason="database roles exist on PostgreSQL only")
def test_owners_and_grants_come_back_with_the_roles(
    tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    """Production: the owner role migrated, the app role wrote and made the backup. Restored
    by a superuser into a database prepared by ``db_roles --apply``, owners and grants are as
    they were; restored by the owner role, the owner owns everything and the app may still
    only INSERT into and SELECT from the audit log."""
    from psycopg2 import errors

    suffix = secrets.token_hex(4)
    owner, app, password = f"bk_owner_{suffix}", f"bk_app_{suffix}", secrets.token_hex(16)
    postgres_databases.roles += [app, owner]
    media = tmp_path / "media"

    def prepare(prefix: str) -> str:
        database = postgres_databases.create(prefix)
        roles = manage(
            "db_roles", "--apply", f"--owner={owner}", f"--app={app}",
            database_url=postgres_url(database), media_root=media,
        )  # fmt: skip
        assert roles.returncode == 0, roles.stderr
        return database

    with pytest.MonkeyPatch.context() as env:
        env.setenv("PSP_DB_OWNER_PASSWORD", password)
        env.setenv("PSP_DB_APP_PASSWORD", password)
        source = prepare("psp_bk_source")
    as_owner, as_app = (
        lambda database: postgres_url(database, owner, password),
        lambda database: postgres_url(database, app, password),
    )
    migrated = manage("migrate", "--noinput", database_url=as_owner(source), media_root=media)
    assert migrated.returncode == 0, migrated.stderr
    wrote = manage(
        "shell", "-c",
        "from psp import audit; from psp.models import Program; "
        "program = Program.objects.create(name='Door', slug='door', county='Door'); "
        "audit.record(actor=None, action='create', obj=program)",
        database_url=as_app(source), media_root=media,
    )  # fmt: skip
    assert wrote.returncode == 0, wrote.stderr
    made = manage(
        "backup", f"--output-dir={tmp_path}", database_url=as_app(source), media_root=media
    )
    assert made.returncode == 0, made.stderr
    [archive] = tmp_path.glob("psp-backup-*.tar.gz")
    before = postgres_snapshot(source)

    by_superuser = prepare("psp_bk_superuser")
    result = manage(
        "restore", str(archive), database_url=postgres_url(by_superuser), media_root=media / "a"
    )
    assert result.returncode == 0, result.stderr
    assert f"Owners and grants as they were: {app}, {owner}." in result.stdout
    assert_restored(postgres_snapshot(by_superuser), before)

    by_owner = prepare("psp_bk_owner")
    result = manage(
        "restore", str(archive), database_url=as_owner(by_owner), media_root=media / "b"
    )
    assert result.returncode == 0, result.stderr
    assert "not made by a superuser" in result.stdout
    restored = postgres_snapshot(by_owner)
    assert_restored(restored, before, schema=False)
    link = postgres_connect(by_owner)
    with link.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT pg_get_userbyid(relowner) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace"
            " UNION SELECT DISTINCT pg_get_userbyid(proowner) FROM pg_proc"
            " WHERE pronamespace = 'public'::regnamespace"
        )
        assert [row[0] for row in cursor.fetchall()] == [owner]
    link.close()

    for database in (by_superuser, by_owner):
        link = postgres_connect(database, app, password)
        try:
            with link.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO psp_auditentry (occurred_at, actor_username, action, object_type,"
                    " object_id, object_repr, changes, path)"
                    " VALUES (now(), 'x', 'view', 'psp.program', '1', 'Door', '{}', '/')"
                )
                cursor.execute("UPDATE psp_program SET name = 'Door County'")
                link.commit()
                for statement in ["DELETE FROM psp_auditentry", "TRUNCATE psp_auditentry"]:
                    with pytest.raises(errors.InsufficientPrivilege):
                        cursor.execute(statement)
                    link.rollback()
        finally:
            link.close()
