"""``manage.py seed_demo [--scale N]``: the demo programs, people and records. Idempotent."""

from __future__ import annotations

import gc
import importlib
import importlib.util
import random
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction

from psp.demo import DemoContext
from psp.models import Program

# Each part adds its own records, in an order where what it needs already exists.
PARTS = ["psp.demo", "referrals.demo", "mentoring.demo", "councils.demo", "reporting.demo"]


class Command(BaseCommand):
    help = "Create the demo programs (Door, Rock, Jefferson), users and records."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the volume of records (100 approximates statewide use).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has a program (used by make run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Program.objects.exists():
            self.stdout.write("The database already has data; the demo was not added.")
            return
        scale = max(1, options["scale"])
        context = DemoContext(rng=random.Random(options["seed"]), scale=scale)
        for name in PARTS:
            if importlib.util.find_spec(name) is None:
                continue
            module = importlib.import_module(name)
            started = time.perf_counter()
            # A part makes millions of records and frees none of them before it ends: the
            # cycle collector's passes over them all were a tenth of the time.
            gc.disable()
            try:
                with transaction.atomic():
                    module.seed(context)
            finally:
                gc.enable()
            if options["verbosity"] >= 2:  # how long each part took, to see what to speed up
                self.stdout.write(f"{name.split('.')[0]}: {time.perf_counter() - started:.1f} s")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum does to a database in use, done now rather than minutes later:
            # fresh statistics for the planner, and the visibility map that lets an index
            # answer a query without reading each row it points to.
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
            if options["verbosity"] >= 2:
                self.stdout.write(f"vacuum: {time.perf_counter() - started:.1f} s")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(context.programs)} programs, "
                f"{len(context.users)} users (password: psp-demo-2026)."
            )
        )
