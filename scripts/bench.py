"""Benchmarks: wall time and queries of the busiest pages, and the quarterly metrics, on a
database seeded at ``--scale N`` (100 approximates statewide use).

    make bench               # scale 10 on a fresh SQLite file in var/bench/
    make bench SCALE=100     # statewide volume (seeding takes about a minute)
    DATABASE_URL=postgres://... make bench

Figures are printed, not asserted: tests assert query counts, this measures time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    bench_dir = ROOT / "var" / "bench"
    os.environ.setdefault("MEDIA_ROOT", str(bench_dir / "media"))
    if not os.environ.get("DATABASE_URL"):
        bench_dir.mkdir(parents=True, exist_ok=True)
        database = bench_dir / f"scale-{args.scale}.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    # Measured as production runs (DEBUG off), over plain HTTP with a throwaway key.
    os.environ.setdefault("DEBUG", "false")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-key-not-used-anywhere-else-0123456789")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("PSP_HTTPS", "false")
    os.environ.setdefault("PSP_MANIFEST_STATIC", "false")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")

    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from psp.models import Program, User

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if not Program.objects.exists():
        started = time.perf_counter()
        call_command("seed_demo", scale=args.scale, stdout=open(os.devnull, "w"))  # noqa: SIM115
        print(f"seed_demo --scale {args.scale}: {time.perf_counter() - started:.1f} s")

    from mentoring.models import Activity, Case
    from referrals.models import Referral

    print(
        f"rows: {Referral.objects.count()} referrals, {Case.objects.count()} cases, "
        f"{Activity.objects.count()} contacts"
    )
    door_referral = Referral.objects.filter(program__slug="door").order_by("-id").first()
    door_case = Case.objects.filter(program__slug="door").order_by("-id").first()
    assert door_referral is not None and door_case is not None, "seeding made no Door cases"
    pages = [
        ("door-coordinator", "/dashboard/"),
        ("door-coordinator", "/referrals/"),
        ("door-coordinator", f"/referrals/{door_referral.pk}/"),
        ("door-coordinator", "/mentoring/cases/"),
        ("door-coordinator", f"/mentoring/cases/{door_case.pk}/"),
        ("door-pp-coordinator", "/mentoring/review/"),
        ("door-coordinator", "/mentoring/contacts/"),
        ("door-parent-partner", "/mentoring/"),
        ("door-parent-partner", "/mentoring/log/"),
        ("door-coordinator", "/councils/"),
        ("dcf-state", "/councils/"),
    ]
    print(f"\n{'page':45} {'user':22} {'median ms':>9} {'max ms':>8} {'queries':>7}")
    for username, path in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        timings = []
        for _ in range(args.repeat):
            reset_queries()
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")
        print(
            f"{path:45} {username:22} {statistics.median(timings):9.0f} "
            f"{max(timings):8.0f} {len(queries):7d}"
        )

    from reporting.metrics import quarter_report
    from reporting.quarters import Quarter

    quarter = Quarter.last_completed()
    print(f"\nquarter_report for {quarter.label}")
    for label, program in [("Door", Program.objects.get(slug="door")), ("statewide", None)]:
        tracemalloc.start()
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            quarter_report(program=program, quarter=quarter)
            elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"  {label:10} {elapsed * 1000:8.0f} ms  {len(queries):3d} queries  "
            f"peak Python memory {peak / 1_048_576:.1f} MiB"
        )

    # The whole report as the Celery worker makes it: metrics, charts, PDF and CSV.
    import resource

    from reporting.models import Report
    from reporting.tasks import generate_report

    print(f"\nreport generation for {quarter.label} (PDF + CSV, in this process)")
    for label, program in [("Door", Program.objects.get(slug="door")), ("statewide", None)]:
        report = Report.objects.create(program=program, year=quarter.year, quarter=quarter.number)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        started = time.perf_counter()
        generate_report.run(report.pk)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        report.refresh_from_db()
        print(
            f"  {label:10} {elapsed:6.1f} s  status {report.status}  "
            f"peak Python memory {peak / 1_048_576:.1f} MiB  "
            f"process peak RSS {rss_after / 1024:.0f} MiB (+{(rss_after - rss_before) / 1024:.0f})"
        )


if __name__ == "__main__":
    main()
