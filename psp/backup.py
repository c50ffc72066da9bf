"""Backups: the database and the stored files in one archive, and the way back from it.

An archive, ``psp-backup-<UTC time>.tar.gz``, readable by its owner only, holds:

- ``database.dump`` (PostgreSQL: ``pg_dump``'s custom format, with owners and grants, so the
  audit log comes back with its triggers and its INSERT-and-SELECT-only grant) or
  ``database.sqlite3`` (SQLite: a copy made with SQLite's online backup, consistent while the
  app runs);
- ``media/``: every stored file (the generated reports);
- ``manifest.json``: when and by which version it was made, the migrations applied, each
  table's row count (read in the same snapshot as the dump) and each file's SHA-256.

``restore`` checks every checksum and the migrations before it touches anything, refuses a
database or a media folder that is not empty (unless told to replace them), and after
restoring counts every table's rows again against the manifest.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.client import DatabaseClient
from django.db.migrations.loader import MigrationLoader
from django.dispatch import Signal

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024

# Sent once a restore has put back every row and file, before the command reports success.
# Receivers move on what must never go back to an earlier value, whatever the backup holds
# (the casework versions that kept pages are keyed by).
database_restored = Signal()


class BackupError(Exception):
    """A backup could not be made, or an archive cannot or must not be restored."""


@dataclass
class Manifest:
    created_at: str
    engine: str
    app_version: str | None
    commit: str | None
    migrations: list[list[str]]
    tables: dict[str, int]
    files: dict[str, str] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    server_version: str | None = None
    format: int = FORMAT

    @property
    def media_files(self) -> dict[str, str]:
        prefix = MEDIA + "/"
        return {
            name.removeprefix(prefix): sha
            for name, sha in self.files.items()
            if name.startswith(prefix)
        }

    def to_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            values = json.loads(data)
            if values.get("format") != FORMAT:
                raise BackupError(
                    f"This archive's format ({values.get('format')}) is not one this version "
                    "can restore."
                )
            return cls(**values)
        except (ValueError, TypeError) as error:
            raise BackupError(f"The archive's manifest cannot be read: {error}.") from None


@dataclass
class Restored:
    manifest: Manifest
    tables: int
    rows: int
    files: int
    bytes: int
    kept_owners: bool
    notes: list[str]


# --- Making a backup ----------------------------------------------------------------------


def make_backup(output_dir: Path) -> tuple[Path, Manifest]:
    """Write an archive of the database and MEDIA_ROOT into ``output_dir``; return its path."""
    engine = connection.vendor
    if engine not in DUMP_NAMES:
        raise BackupError(f"Backups are made of PostgreSQL or SQLite, not {engine}.")
    output_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    target = output_dir / f"psp-backup-{stamp:%Y%m%dT%H%M%SZ}.tar.gz"
    partial = target.with_name(target.name + ".partial")
    if target.exists():
        raise BackupError(f"{target} already exists; try again in a second.")
    with tempfile.TemporaryDirectory(prefix="psp-backup-") as work:
        dump = Path(work) / DUMP_NAMES[engine]
        manifest = _dump_postgresql(dump) if engine == "postgresql" else _dump_sqlite(dump)
        manifest.created_at = stamp.isoformat().replace("+00:00", "Z")
        # Only the owner may read it: it holds every family's record.
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_file(tar, dump, dump.name, manifest)
                media_root = Path(settings.MEDIA_ROOT)
                for path in _stored_files(media_root):
                    name = f"{MEDIA}/{path.relative_to(media_root).as_posix()}"
                    _add_file(tar, path, name, manifest)
                data = manifest.to_json()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(data), 0o600, int(stamp.timestamp())
                tar.addfile(info, io.BytesIO(data))
            partial.rename(target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return target, manifest


def _stored_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file())


class _Hashing:
    """Reads a file for tarfile and hashes exactly the bytes that went into the archive."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, path: Path, name: str, manifest: Manifest) -> None:
    with path.open("rb") as stream:
        info = tar.gettarinfo(fileobj=stream, arcname=name)
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
        hashing = _Hashing(stream)
        tar.addfile(info, hashing)
    manifest.files[name] = hashing.digest.hexdigest()
    manifest.sizes[name] = info.size


def _app_version() -> tuple[str | None, str | None]:
    try:
        version: str | None = metadata.version("psp-case-management")
    except metadata.PackageNotFoundError:
        version = None
    commit = None
    if (Path(settings.BASE_DIR) / ".git").exists() and shutil.which("git"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            result = subprocess.run(
                ["git", "rev-parse", "HEAD"],  # noqa: S607
                cwd=settings.BASE_DIR,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            commit = result.stdout.strip() or None
    return version, commit


def _new_manifest(engine: str) -> Manifest:
    version, commit = _app_version()
    return Manifest(
        created_at="", engine=engine, app_version=version, commit=commit, migrations=[], tables={}
    )


def _dump_sqlite(dump: Path) -> Manifest:
    manifest = _new_manifest("sqlite")
    connection.ensure_connection()
    copy = sqlite3.connect(dump)
    try:
        # SQLite's online backup: a consistent copy even while the app writes.
        connection.connection.backup(copy)
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " ORDER BY name"
            )
        ]
        for table in tables:
            quoted = connection.ops.quote_name(table)
            manifest.tables[table] = copy.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]  # noqa: S608
        if "django_migrations" in tables:
            rows = copy.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            manifest.migrations = [list(row) for row in rows]
    finally:
        copy.close()
    return manifest


def _postgres_env() -> dict[str, str]:
    settings_dict = connection.settings_dict
    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")]:
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    return env


def _server_major() -> int:
    connection.ensure_connection()
    return int(connection.pg_version) // 10000  # type: ignore[attr-defined]


def _pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore`` of the server's major version, or a newer one."""
    major = _server_major()
    candidates = [f"/usr/lib/postgresql/{major}/bin/{name}", shutil.which(name)]
    for candidate in candidates:
        if not candidate or not Path(candidate).exists():
            continue
        output = subprocess.run(  # noqa: S603 - our own list, no shell
            [candidate, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
        found = re.search(r"(\d+)(?:\.\d+)?", output)
        if found and int(found.group(1)) >= major:
            return candidate
    raise BackupError(
        f"{name} {major} or newer is needed (the database server runs PostgreSQL {major}): "
        f"install postgresql-client-{major}."
    )


@contextlib.contextmanager
def _snapshot_connection() -> Iterator[Any]:
    """A connection of its own in a read-only REPEATABLE READ transaction."""
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.set_session(isolation_level="REPEATABLE READ", readonly=True)
        yield raw
    finally:
        raw.close()


def _dump_postgresql(dump: Path) -> Manifest:
    manifest = _new_manifest("postgresql")
    pg_dump = _pg_tool("pg_dump")
    with _snapshot_connection() as raw, raw.cursor() as cursor:
        # The row counts and pg_dump read the same snapshot: the manifest describes the dump.
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, manifest.server_version = cursor.fetchone()
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
        tables = [row[0] for row in cursor.fetchall()]
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            manifest.tables[table] = cursor.fetchone()[0]
        if "django_migrations" in tables:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            manifest.migrations = [list(row) for row in cursor.fetchall()]
        # The roles the dump names (owners and grantees): restored as they are when they exist.
        cursor.execute(
            """
            SELECT DISTINCT pg_get_userbyid(c.relowner) FROM pg_class AS c
            WHERE c.relnamespace = current_schema()::regnamespace
            UNION
            SELECT DISTINCT pg_get_userbyid(acl.grantee)
            FROM pg_class AS c, aclexplode(c.relacl) AS acl
            WHERE c.relnamespace = current_schema()::regnamespace AND acl.grantee <> 0
            ORDER BY 1
            """
        )
        manifest.roles = [row[0] for row in cursor.fetchall()]
        result = subprocess.run(  # noqa: S603 - our own list, no shell
            [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}",
             connection.settings_dict["NAME"]],
            env=_postgres_env(),
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        if result.returncode != 0:
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return manifest


# --- Restoring ----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in name:
        raise BackupError(f"The archive holds a file outside its folder ({name!r}); refused.")
    return path.as_posix()


def unpack(archive: Path, folder: Path) -> Manifest:
    """Extract ``archive`` into ``folder`` and check it: every file in the manifest, each
    with its checksum, and nothing else. Nothing outside ``folder`` is written."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                name = _safe_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"The archive holds {name!r}, which is not a plain file.")
                destination = folder / name
                destination.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                assert source is not None
                with destination.open("wb") as out:
                    shutil.copyfileobj(source, out, CHUNK)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise BackupError(f"{archive.name} is not a readable backup archive: {error}.") from None
    if not (folder / MANIFEST).is_file():
        raise BackupError(f"{archive.name} has no {MANIFEST}: it is not a backup of this app.")
    manifest = Manifest.from_json((folder / MANIFEST).read_bytes())
    found = {path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()}
    found.discard(MANIFEST)
    listed = set(manifest.files)
    if DUMP_NAMES.get(manifest.engine) not in listed:
        raise BackupError("The archive's manifest lists no database dump.")
    problems = [f"{name} is missing" for name in sorted(listed - found)]
    problems += [f"{name} is not in the manifest" for name in sorted(found - listed)]
    problems += [
        f"{name} does not match its checksum"
        for name in sorted(listed & found)
        if sha256_of(folder / name) != manifest.files[name]
    ]
    if problems:
        raise BackupError(
            "The archive is damaged or was altered, so nothing was restored: "
            + "; ".join(problems[:10])
            + ("; ..." if len(problems) > 10 else "")
            + "."
        )
    return manifest


def check_migrations(manifest: Manifest) -> list[str]:
    """Refuse a backup made by a newer version; say what ``migrate`` will add afterwards."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    applied = {(app, name) for app, name in manifest.migrations}
    unknown = sorted(applied - known)
    if unknown:
        listed = ", ".join(f"{app} {name}" for app, name in unknown[:5])
        raise BackupError(
            f"This backup was made by a newer version of the app: its migrations {listed} "
            f"are not in this one. Restore it with the version that made it "
            f"({manifest.app_version or 'unknown version'}"
            + (f", commit {manifest.commit[:12]}" if manifest.commit else "")
            + "), then upgrade."
        )
    missing = known - applied
    if missing:
        return [
            f"The backup predates {len(missing)} migration(s) of this version: run "
            "`manage.py migrate` (as the owner role) after the restore."
        ]
    return []


def database_objects() -> int:
    """How many tables (and, on PostgreSQL, functions) the database already holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """
                SELECT (SELECT count(*) FROM pg_class
                        WHERE relnamespace = current_schema()::regnamespace
                          AND relkind IN ('r', 'p', 'v', 'm', 'S', 'f'))
                     + (SELECT count(*) FROM pg_proc
                        WHERE pronamespace = current_schema()::regnamespace)
                """
            )
        else:
            cursor.execute(
                "SELECT count(*) FROM sqlite_master"
                " WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            )
        return int(cursor.fetchone()[0])


def media_entries(media_root: Path) -> int:
    return sum(1 for _ in media_root.iterdir()) if media_root.is_dir() else 0


def verify_archive(archive: Path) -> tuple[Manifest, list[str]]:
    """Check an archive as ``restore`` would, changing nothing: every file and its checksum,
    and migrations this version knows."""
    with tempfile.TemporaryDirectory(prefix="psp-restore-") as work:
        manifest = unpack(archive, Path(work))
    return manifest, check_migrations(manifest)


def restore_backup(archive: Path, *, replace: bool = False) -> Restored:
    engine = connection.vendor
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="psp-restore-") as work:
        folder = Path(work)
        manifest = unpack(archive, folder)
        if manifest.engine != engine:
            raise BackupError(
                f"This is a backup of a {manifest.engine} database; DATABASE_URL points at "
                f"{engine}. Restore it into the same kind of database."
            )
        notes = check_migrations(manifest)
        occupied = []
        if database_objects():
            occupied.append("the database has tables")
        if media_entries(media_root):
            occupied.append(f"the media folder ({media_root}) is not empty")
        if occupied and not replace:
            raise BackupError(
                "Nothing was restored: "
                + " and ".join(occupied)
                + ". Restore into an empty database and an empty media folder, or add "
                "--force (make restore FORCE=1) to delete what is there and replace it."
            )
        dump = folder / DUMP_NAMES[engine]
        if engine == "postgresql":
            kept_owners = _restore_postgresql(dump, manifest, replace=replace, notes=notes)
        else:
            _restore_sqlite(dump)
            kept_owners = True
        rows = _check_row_counts(manifest)
        files, size = _restore_media(folder / MEDIA, media_root, manifest, replace=replace)
        database_restored.send(sender=restore_backup)
    return Restored(
        manifest=manifest,
        tables=len(manifest.tables),
        rows=rows,
        files=files,
        bytes=size,
        kept_owners=kept_owners,
        notes=notes,
    )


def _restore_sqlite(dump: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        # Replaces the whole database, page by page, in one step.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


DROP_EVERYTHING = """
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname FROM pg_class AS c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
    LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', item.relname);
    END LOOP;
    FOR item IN
        SELECT c.relname, c.relkind FROM pg_class AS c
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('v', 'm', 'S')
    LOOP
        EXECUTE format(
            'DROP %s IF EXISTS %I CASCADE',
            CASE item.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                 ELSE 'SEQUENCE' END,
            item.relname);
    END LOOP;
    FOR item IN
        SELECT p.oid::regprocedure AS signature FROM pg_proc AS p
        WHERE p.pronamespace = current_schema()::regnamespace
    LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', item.signature);
    END LOOP;
END
$$;
"""


def _restore_postgresql(dump: Path, manifest: Manifest, *, replace: bool, notes: list[str]) -> bool:
    """Run pg_restore in one transaction. Owners and grants are restored as they were when a
    superuser restores and every role the dump names exists; otherwise the restoring role owns
    what it creates, and the audit log's grants are narrowed again as migration psp 0004 does."""
    from psp.management.commands.db_roles import AUDIT_INSERT_AND_SELECT_ONLY

    pg_restore = _pg_tool("pg_restore")
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        superuser = bool(cursor.fetchone()[0])
        cursor.execute("SELECT rolname FROM pg_roles WHERE rolname = ANY(%s)", [manifest.roles])
        missing_roles = sorted(set(manifest.roles) - {row[0] for row in cursor.fetchall()})
        if replace:
            cursor.execute(DROP_EVERYTHING)
    keep_owners = superuser and not missing_roles
    connection.close()
    command = [pg_restore, "--single-transaction", "--exit-on-error",
               f"--dbname={connection.settings_dict['NAME']}"]  # fmt: skip
    if not keep_owners:
        command += ["--no-owner", "--no-privileges"]
    result = subprocess.run(  # noqa: S603 - our own list, no shell
        [*command, str(dump)], env=_postgres_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupError(
            f"pg_restore failed, and rolled back (the database is as it was): "
            f"{result.stderr.strip()}"
        )
    if not keep_owners:
        with connection.cursor() as cursor:
            cursor.execute(AUDIT_INSERT_AND_SELECT_ONLY)
        why = (
            f"the roles {', '.join(missing_roles)} do not exist here"
            if missing_roles
            else "the restore was not made by a superuser"
        )
        notes.append(
            f"Owners and grants were not restored as they were ({why}): the tables belong "
            "to the role that restored them. Run `manage.py db_roles --apply` as a superuser "
            "to hand them to the owner role and grant the app role."
            if superuser or missing_roles
            else f"Owners and grants were not restored as they were ({why}): the tables "
            "belong to the role that restored them, and the app role gets its grants from "
            "that role's default privileges (`manage.py db_roles`)."
        )
    return keep_owners


def _check_row_counts(manifest: Manifest) -> int:
    differences = []
    with connection.cursor() as cursor:
        for table, expected in manifest.tables.items():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found = cursor.fetchone()[0]
            if found != expected:
                differences.append(f"{table}: {found} rows, {expected} in the backup")
    if differences:
        raise BackupError(
            "The restored database differs from the backup: " + "; ".join(differences)
        )
    return sum(manifest.tables.values())


def _restore_media(
    source: Path, media_root: Path, manifest: Manifest, *, replace: bool
) -> tuple[int, int]:
    if replace and media_root.is_dir():
        for entry in media_root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    media_root.mkdir(parents=True, exist_ok=True)
    size = 0
    for name, expected in manifest.media_files.items():
        destination = media_root / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, destination)
        if sha256_of(destination) != expected:
            raise BackupError(f"{destination} was not written whole (checksum differs).")
        size += destination.stat().st_size
    return len(manifest.media_files), size
