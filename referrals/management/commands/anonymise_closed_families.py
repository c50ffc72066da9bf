"""``manage.py anonymise_closed_families [--dry-run]``: the retention rule, run by hand or
by cron. Families closed more than ``PSP_RETENTION_YEARS`` years ago lose their identifying
details (see ``referrals.retention``). Prints counts only, never a name."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from referrals import retention


class Command(BaseCommand):
    help = (
        "Replace the identifying details of families whose referrals and cases all closed "
        "more than PSP_RETENTION_YEARS years ago with placeholders, keeping what the reports "
        "count. Safe to run again: anonymised families are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count the families (and their records) that would be anonymised.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = retention.retention_cutoff()
        rule = (
            f"Retention: {settings.PSP_RETENTION_YEARS} years after closure "
            f"(families closed before {cutoff.isoformat()})."
        )
        self.stdout.write(rule)
        if options["dry_run"]:
            counts = retention.due_counts(cutoff=cutoff)
            self.stdout.write(
                "Would anonymise {families} families: {parents} parents, {children} children, "
                "{referrals} referrals, {cases} cases, {contacts} contacts; would delete "
                "{public_requests} requests from the public pages handled before then. "
                "Nothing was changed.".format(**counts)
            )
            return
        run = retention.anonymise_closed_families(cutoff=cutoff)
        self.stdout.write(
            f"Anonymised {len(run.anonymised)} families; deleted {run.requests_deleted} "
            "requests from the public pages."
        )
        if run.failed:
            for family_id, message in run.failed:
                self.stderr.write(f"Family {family_id} was not anonymised: {message}")
            raise CommandError(
                f"{len(run.failed)} families could not be anonymised; correct their records "
                "and run the command again."
            )
