"""``manage.py restore ARCHIVE``: bring back a backup made by ``manage.py backup``.

Into the database of ``DATABASE_URL`` and the folder ``MEDIA_ROOT``, both empty unless
``--force`` is given. Every checksum and the migrations are checked before anything is
written; every table's row count is checked afterwards (see psp.backup).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from psp.backup import BackupError, restore_backup, verify_archive


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database (DATABASE_URL) and an empty media "
        "folder (MEDIA_ROOT), after checking every file's checksum."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path, help="A psp-backup-*.tar.gz archive.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace what the database and the media folder hold (it is deleted).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the archive (every file's checksum, the migrations); restore nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        if not archive.is_file():
            raise CommandError(f"{archive} is not a file.")
        try:
            if options["check"]:
                self._check(archive)
                return
            restored = restore_backup(archive, replace=options["force"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        manifest = restored.manifest
        made = f"made {manifest.created_at}"
        if manifest.app_version:
            made += f" by version {manifest.app_version}"
        if manifest.commit:
            made += f" ({manifest.commit[:12]})"
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {archive.name}, {made}: {restored.tables} tables "
                f"({restored.rows} rows, each table's count checked) and {restored.files} "
                f"stored files ({restored.bytes} bytes, each checksum checked)."
            )
        )
        if restored.kept_owners and manifest.engine == "postgresql":
            self.stdout.write(f"Owners and grants as they were: {', '.join(manifest.roles)}.")
        for note in restored.notes:
            self.stdout.write(self.style.WARNING(note))

    def _check(self, archive: Path) -> None:
        manifest, notes = verify_archive(archive)
        self.stdout.write(
            self.style.SUCCESS(
                f"{archive.name} is whole: a {manifest.engine} database of "
                f"{len(manifest.tables)} tables ({sum(manifest.tables.values())} rows) and "
                f"{len(manifest.media_files)} stored files, made {manifest.created_at}; every "
                "checksum matches. Nothing was restored."
            )
        )
        for note in notes:
            self.stdout.write(self.style.WARNING(note))
