"""``manage.py backup``: the database and the stored files in one archive (see psp.backup)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from psp.backup import BackupError, make_backup


class Command(BaseCommand):
    help = (
        "Write the database (with the audit log) and the stored files (generated reports) "
        "into one archive, psp-backup-<UTC time>.tar.gz, readable by its owner only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=None,
            help="Folder for the archive (default: BACKUP_DIR, var/backups).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output_dir = options["output_dir"] or Path(settings.BACKUP_DIR)
        started = time.monotonic()
        try:
            archive, manifest = make_backup(output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from None
        media = manifest.media_files
        self.stdout.write(
            f"{len(manifest.tables)} tables ({sum(manifest.tables.values())} rows) and "
            f"{len(media)} stored files, in {time.monotonic() - started:.1f} s."
        )
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {archive} ({archive.stat().st_size} bytes).")
        )
        self.stdout.write(
            "It holds every family's record: keep it encrypted, off this server, and only "
            "for as long as the retention policy allows."
        )
