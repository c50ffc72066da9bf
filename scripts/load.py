"""Load and soak: the app as production runs it (gunicorn, PostgreSQL, Redis, a Celery worker)
under simulated people signing in and working, driven by Locust (``scripts/locustfile.py``).

    make soak        # 10 minutes, 50 people
    make load        # 60 seconds, 10 people (the end of `make test`)
    python scripts/load.py --users 20 --duration 120

Needs ``DATABASE_URL`` (PostgreSQL) and ``REDIS_URL``; it never touches their own contents:
the run gets a database of its own, ``<name>_load`` on the same server (dropped and created
afresh each run), and Redis database ``PSP_LOAD_REDIS_DB`` (default 14, emptied each run).
Without them it says so and stops, successfully, unless ``CI`` is set: CI must run it.

It prints the 95th percentile of each page's response time, every failed request, the
reports the worker made and the worker's memory (its main process and pool together) over
the run. It fails when any request failed, any report did not finish, or the worker's memory
grew more than ``--max-growth`` MiB between the end of the warm-up and the end of the run.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import hashlib
import hmac
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "load-run-password-2026"  # throwaway accounts in a throwaway database


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50, help="people working at once")
    # People come in over a minute, not all in the same second: signing in is the heaviest
    # request there is (the password hash), and the authenticator code lasts 30 seconds.
    parser.add_argument("--spawn-rate", type=float, default=1, help="people starting a second")
    parser.add_argument("--duration", type=int, default=600, help="seconds of load")
    parser.add_argument("--scale", type=int, default=5, help="seed_demo --scale")
    parser.add_argument("--web-workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--web-threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument(
        "--max-growth",
        type=float,
        default=100,
        help="MiB the worker may grow after the warm-up before the run fails",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "load", help="logs and CSV")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--report-summary", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--warm-up", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    # The two steps that run inside Django, in a process of their own.
    if args.prepare:
        prepare_accounts(args.prepare, args.users)
        return 0
    if args.report_summary:
        print(json.dumps(report_summary()))
        return 0
    if args.warm_up:
        return warm_up()

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        reason = "the load run needs DATABASE_URL (PostgreSQL) and REDIS_URL"
        if os.environ.get("CI", "").lower() not in {"", "0", "false"}:
            print(f"load: {reason}", file=sys.stderr)
            return 1
        print(f"load: skipped: {reason} (see README, 'Load and soak')")
        return 0
    return LoadRun(args, database_url, redis_url).run()


# --- The run ------------------------------------------------------------------------------


class LoadRun:
    def __init__(self, args: argparse.Namespace, database_url: str, redis_url: str) -> None:
        self.args = args
        self.out: Path = args.out
        self.database_url = with_path(database_url, f"/{database_name(database_url)}_load")
        self.redis_url = with_path(redis_url, f"/{int(os.environ.get('PSP_LOAD_REDIS_DB', 14))}")
        self.port = free_port()
        self.processes: list[subprocess.Popen[bytes]] = []
        self.worker: subprocess.Popen[bytes] | None = None
        self.web: subprocess.Popen[bytes] | None = None
        self.clock = self.warmed = self.loaded = 0.0
        self.media = Path(tempfile.mkdtemp(prefix="psp-load-media-"))
        self.memory: list[tuple[float, float, float]] = []  # seconds, worker MiB, web MiB
        self.sampling = threading.Event()

    def environment(self) -> dict[str, str]:
        """Production settings (DEBUG off, MFA required, real hashers), over plain HTTP."""
        env = dict(os.environ)
        for name in ("CELERY_TASK_ALWAYS_EAGER", "PASSWORD_HASHERS", "PSP_TEST_CLOCK"):
            env.pop(name, None)
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            DEBUG="false",
            SECRET_KEY="load-run-only-secret-key-not-used-anywhere-else-0123456789abcdef",
            ALLOWED_HOSTS="127.0.0.1",
            PSP_HTTPS="false",
            PSP_MANIFEST_STATIC="false",
            PSP_REQUIRE_MFA="true",
            MEDIA_ROOT=str(self.media),
            EMAIL_URL="consolemail://",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        return env

    def run(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        for stale in self.out.glob("*"):
            if stale.is_file():
                stale.unlink()
        # Stopped by CI or Ctrl-C: the finally below still ends the servers.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        try:
            return self._run()
        finally:
            self.stop()

    def _run(self) -> int:
        started = time.monotonic()
        users, duration = self.args.users, self.args.duration
        print(f"load: {users} people for {duration} s; database {database_name(self.database_url)}")
        self.reset_stores()
        env = self.environment()
        manage = [sys.executable, str(ROOT / "manage.py")]
        self.step([*manage, "migrate", "--noinput"], env, "migrate")
        self.step([*manage, "seed_demo", "--scale", str(self.args.scale)], env, "seed_demo")
        accounts = self.out / "accounts.json"
        self.step(
            [sys.executable, __file__, "--prepare", str(accounts), "--users", str(users)],
            env,
            "accounts",
        )
        print(f"load: data ready in {time.monotonic() - started:.0f} s")

        self.start_servers(env)
        sampler = threading.Thread(target=self.sample_memory, daemon=True)
        self.clock = time.monotonic()
        sampler.start()
        # The pool's first reports load WeasyPrint and the fonts: made before the load, so
        # that what the worker grows by during the load is what it keeps.
        self.step([sys.executable, __file__, "--warm-up"], env, "warm-up")
        self.warmed = time.monotonic() - self.clock
        print(f"load: servers up, worker warmed up in {time.monotonic() - started:.0f} s")

        results = self.out / "results.json"
        locust = subprocess.Popen(
            [
                str(BIN / "locust"),
                "-f", str(ROOT / "scripts" / "locustfile.py"),
                "--headless", "--only-summary",
                "--users", str(users),
                "--spawn-rate", str(self.args.spawn_rate),
                "--run-time", f"{duration}s",
                "--stop-timeout", "30",
                "--host", f"http://127.0.0.1:{self.port}",
                "--html", str(self.out / "report.html"),
                "--loglevel", "WARNING",
            ],
            env={**env, "PSP_LOAD_ACCOUNTS": str(accounts), "PSP_LOAD_RESULTS": str(results)},
            stdout=(self.out / "locust.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(locust)
        try:
            locust.wait(timeout=duration + 180)
        except subprocess.TimeoutExpired:
            print("load: Locust did not stop in time", file=sys.stderr)
            return 1
        self.loaded = time.monotonic() - self.clock

        reports = self.wait_for_reports(env)
        self.sampling.set()
        sampler.join(timeout=15)

        if not results.exists():
            print(f"load: Locust saved no results; see {self.out / 'locust.log'}", file=sys.stderr)
            return 1
        ok = self.print_pages(json.loads(results.read_text()))
        ok = self.print_reports(reports) and ok
        ok = self.print_memory() and ok
        print(f"load: {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
        return 0 if ok else 1

    def step(self, command: list[str], env: dict[str, str], name: str) -> None:
        with (self.out / f"{name}.log").open("wb") as log:
            result = subprocess.run(
                command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=900
            )
        if result.returncode != 0:
            raise SystemExit(f"load: {name} failed; see {self.out / f'{name}.log'}")

    def reset_stores(self) -> None:
        import psycopg2
        import redis

        name = database_name(self.database_url)
        admin = psycopg2.connect(with_path(self.database_url, "/postgres"))
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        admin.close()
        redis.Redis.from_url(self.redis_url).flushdb()

    def start_servers(self, env: dict[str, str]) -> None:
        # As production runs them (Dockerfile, docker-compose.yml): three sync workers.
        self.web = web = subprocess.Popen(
            [
                str(BIN / "gunicorn"), "psp.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(self.args.web_workers),
                "--threads", str(self.args.web_threads),
                "--timeout", "60",
                "--graceful-timeout", "10",
            ],
            env=env,
            cwd=ROOT,
            stdout=(self.out / "gunicorn.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(web)
        self.worker = subprocess.Popen(
            [
                str(BIN / "celery"), "-A", "psp", "worker",
                "--loglevel=WARNING",
                "--concurrency=2",
                "--max-tasks-per-child=50",
                "--hostname", f"load-{self.port}@%h",
            ],
            env=env,
            cwd=ROOT,
            stdout=(self.out / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.processes.append(self.worker)

        # /healthz answers 200 once the database, Redis and a worker all answer.
        deadline = time.monotonic() + 90
        url = f"http://127.0.0.1:{self.port}/healthz"
        while True:
            for process, name in ((web, "gunicorn"), (self.worker, "worker")):
                if process.poll() is not None:
                    raise SystemExit(f"load: {name} stopped; see {self.out / name}.log")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"load: {url} never answered 200")
            time.sleep(0.5)

    def stop(self) -> None:
        self.sampling.set()
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        import shutil

        shutil.rmtree(self.media, ignore_errors=True)

    # --- Memory ----------------------------------------------------------------------------

    def sample_memory(self) -> None:
        """Resident memory every few seconds: the worker (main process and pool children
        together; a child is replaced after 50 reports) and, for comparison, gunicorn."""
        interval = 5 if self.args.duration <= 120 else 10
        while True:
            worker = tree_rss_mib(self.worker.pid) if self.worker else 0.0
            web = tree_rss_mib(self.web.pid) if self.web else 0.0
            self.memory.append((time.monotonic() - self.clock, worker, web))
            if self.sampling.wait(interval):
                return

    def print_memory(self) -> bool:
        """Growth: from the end of the warm-up to the end of the load."""
        during = [row for row in self.memory if self.warmed <= row[0] <= self.loaded + 5]
        if len(during) < 3:
            print("worker memory: too few samples", file=sys.stderr)
            return False
        cold, (_, warm, web_start), (_, end, web_end) = self.memory[0][1], during[0], during[-1]
        peak = max(row[1] for row in during)
        growth = end - warm
        print(
            f"\nworker memory (MiB, main process + pool of 2): {cold:.0f} idle, {warm:.0f} "
            f"after warm-up, {end:.0f} at the end, {peak:.0f} at most; "
            f"growth {growth:+.0f} over {self.loaded - self.warmed:.0f} s "
            f"(limit {self.args.max_growth:.0f})"
        )
        print(f"web memory (MiB, gunicorn): {web_start:.0f} at the start, {web_end:.0f} at the end")
        with (self.out / "memory.csv").open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["seconds", "worker_mib", "web_mib"])
            writer.writerows(
                (f"{seconds:.0f}", f"{worker:.1f}", f"{web:.1f}")
                for seconds, worker, web in self.memory
            )
        if growth > self.args.max_growth:
            print("load: the worker's memory grew past the limit", file=sys.stderr)
            return False
        return True

    # --- Results ---------------------------------------------------------------------------

    def print_pages(self, results: dict[str, Any]) -> bool:
        """p95 per page; every failed request and every error in the simulated people."""
        pages = sorted(results["pages"], key=lambda row: (row["name"], row["method"]))
        print(f"\n{'page':50} {'requests':>8} {'failed':>6} {'median':>6} {'p95 ms':>6} {'max':>6}")
        for row in [*pages, {**results["total"], "method": "", "name": "all"}]:
            print(
                f"{(row['method'] + ' ' + row['name']).strip():50.50} {row['requests']:>8} "
                f"{row['failures']:>6} {row['median'] or 0:>6.0f} {row['p95'] or 0:>6.0f} "
                f"{row['max'] or 0:>6.0f}"
            )
        total = results["total"]
        seconds = results["seconds"] or 1
        exceptions = sum(row["count"] for row in results["exceptions"])
        print(
            f"{total['requests'] / seconds:.1f} requests/s; {total['failures']} failed, "
            f"{exceptions} errors in the simulated people"
        )
        for row in results["failures"]:
            print(f"  failed {row['occurrences']} x {row['method']} {row['name']}: {row['error']}")
        for row in results["exceptions"]:
            print(f"  error {row['count']} x {row['msg']}\n{row['traceback']}")
        return total["failures"] == 0 and exceptions == 0 and total["requests"] > 0

    def wait_for_reports(self, env: dict[str, str]) -> dict[str, Any]:
        """The reports asked for during the run, once none is still being made (at most a
        couple of minutes after the load ends)."""
        deadline = time.monotonic() + 150
        while True:
            output = subprocess.run(
                [sys.executable, __file__, "--report-summary"],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=120,
                check=True,
            ).stdout
            summary: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
            if not summary["unfinished"] or time.monotonic() > deadline:
                return summary
            time.sleep(3)

    def print_reports(self, summary: dict[str, Any]) -> bool:
        print(
            f"\nreports: {summary['total']} requested, {summary['ready']} ready, "
            f"{summary['failed']} failed, {summary['unfinished']} unfinished; "
            f"each took {summary['median_seconds']:.1f} s (median), "
            f"{summary['max_seconds']:.1f} s at most"
        )
        return summary["failed"] == 0 and summary["unfinished"] == 0


def tree_rss_mib(pid: int) -> float:
    import psutil

    try:
        main = psutil.Process(pid)
        processes = [main, *main.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 1_048_576


def totp_code(secret: str) -> str:
    """The authenticator app's current code (RFC 6238: 30 seconds, 6 digits, SHA-1)."""
    counter = int(time.time()) // 30
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/") or "postgres"


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


# --- Inside Django ------------------------------------------------------------------------


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")
    import django

    django.setup()


def prepare_accounts(path: Path, users: int) -> None:
    """Accounts for the simulated people, with a known password (and, where the role needs
    one, an authenticator app with a known secret), written to ``path`` for Locust.

    Parent Partners are the demo's own, each with open cases; coordinators, Parent Partner
    coordinators and state staff are added, spread over the three programs, so that no two
    simulated people share an account."""
    setup_django()
    import base64
    import hashlib

    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from mentoring.models import CaseStatus, ParentPartner
    from psp import policy, services
    from psp.models import Program, Role, StatewideRole, User

    programs = list(Program.objects.filter(slug__in=["door", "rock", "jefferson"]).order_by("pk"))
    accounts: dict[str, list[dict[str, str]]] = {
        "parent_partner": [],
        "coordinator": [],
        "pp_coordinator": [],
        "state": [],
    }
    with transaction.atomic():
        partners = (
            ParentPartner.objects.filter(
                user__isnull=False,
                assignments__ended_on__isnull=True,
                assignments__case__status=CaseStatus.OPEN,
            )
            .select_related("user", "program")
            .distinct()
            .order_by("program__slug", "pk")
        )
        for partner in partners:
            assert partner.user is not None  # filtered on the partner's account above
            accounts["parent_partner"].append({"username": partner.user.username, "totp": ""})

        wanted = [
            ("coordinator", Role.PROGRAM_COORDINATOR),
            ("pp_coordinator", Role.PARENT_PARTNER_COORDINATOR),
        ]
        for kind, role in wanted:
            for number in range(users):
                program = programs[number % len(programs)]
                user = services.user_create(
                    actor=None,
                    username=f"load-{program.slug}-{kind.replace('_', '-')}-{number + 1}",
                    email=f"load-{kind}-{number + 1}@example.org",
                    password=None,
                    first_name="Load",
                    last_name=f"{kind.replace('_', ' ').title()} {number + 1}",
                )
                services.membership_grant(actor=None, user=user, program=program, role=role)
                accounts[kind].append({"username": user.username, "totp": ""})
        for number in range(users):
            user = services.user_create(
                actor=None,
                username=f"load-state-{number + 1}",
                email=f"load-state-{number + 1}@example.org",
                password=None,
                first_name="Load",
                last_name=f"State {number + 1}",
                statewide_role=StatewideRole.STATE_STAFF,
            )
            accounts["state"].append({"username": user.username, "totp": ""})

        # One hash for all: hashing the password once per account would take minutes.
        usernames = [account["username"] for group in accounts.values() for account in group]
        User.objects.filter(username__in=usernames).update(password=make_password(PASSWORD))
        people = User.objects.in_bulk(usernames, field_name="username")
        for group in accounts.values():
            for account in group:
                user = people[account["username"]]
                if policy.requires_mfa(user):
                    digest = hashlib.sha256(f"load:{user.username}".encode()).digest()
                    secret = base64.b32encode(digest[:20]).decode()
                    TOTP.activate(user, secret)
                    account["totp"] = secret
    path.write_text(json.dumps({"password": PASSWORD, "accounts": accounts}, indent=2))


def warm_up() -> int:
    """Last quarter's report for each program and statewide, made by the worker."""
    setup_django()
    from django.db import transaction

    from psp.models import Program
    from reporting import services
    from reporting.models import Report
    from reporting.quarters import Quarter

    quarter = Quarter.last_completed()
    with transaction.atomic():
        made = [
            services.report_request(actor=None, program=program, quarter=quarter).pk
            for program in [*Program.objects.order_by("pk"), None]
        ]
    # Generous: the first reports also start WeasyPrint, and a busy machine is slow.
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        reports = Report.objects.filter(pk__in=made)
        if all(report.is_finished for report in reports):
            failed = [report.pk for report in reports if not report.is_ready]
            if failed:
                print(f"warm-up reports failed: {failed}")
            return 1 if failed else 0
        time.sleep(1)
    print("warm-up reports did not finish in 10 minutes")
    return 1


def report_summary() -> dict[str, Any]:
    setup_django()
    import statistics

    from reporting.models import Report, ReportStatus

    reports = list(Report.objects.filter(requested_by__username__startswith="load-"))
    finished = [
        (report.finished_at - report.started_at).total_seconds()
        for report in reports
        if report.status == ReportStatus.DONE and report.finished_at and report.started_at
    ]
    return {
        "total": len(reports),
        "ready": sum(report.status == ReportStatus.DONE for report in reports),
        "failed": sum(report.status == ReportStatus.FAILED for report in reports),
        "unfinished": sum(not report.is_finished for report in reports),
        "median_seconds": statistics.median(finished) if finished else 0.0,
        "max_seconds": max(finished, default=0.0),
    }


if __name__ == "__main__":
    sys.exit(main())
