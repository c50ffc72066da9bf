"""Benchmarks over real HTTP, as production serves: gunicorn (2 sync workers, DEBUG off),
PostgreSQL and Redis, on a database seeded at ``--scale N`` (10, 100, 1000).

    make bench                 # scale 10
    make bench SCALE=1000      # seeding takes a while the first time; later runs reuse it
    python scripts/bench.py --scale 100 --reseed --requests 30

Needs ``DATABASE_URL`` (PostgreSQL; only its server is used: the bench makes and keeps a
database of its own, ``psp_bench_<N>``) and ``REDIS_URL`` (give it a database number of its
own). Without them it says so and stops, successfully. The database is seeded with
``seed_demo --scale N`` only when it is not already seeded at that scale with the same
migrations (a ``bench_seeded`` row records both); ``--reseed`` starts it afresh.

It measures, and prints with each target (PASS or over):

* every GET page each role opens (``scripts/bench_pages.py``, kept equal to the role x view
  matrix by ``tests/test_bench_pages.py``), with real records of the seeded data:
  ``--requests`` answers each (downloads a third as many, at least 3), the pages
  interleaved in a new random order each round so that noise spreads evenly; p50/p95 of
  the server's time (its ``Server-Timing`` header) and of the round trip, the queries (one
  pass with ``PSP_COUNT_QUERIES`` on), and the bytes sent (gzip) and their size unpacked;
* the coordinator's referral and case lists against the Django admin's list of the same
  model and program (as the administrator) and against one SQL query giving the list's
  rows, interleaved in one run;
* throughput (Locust, 20 people asking without pause, ``--seconds`` each) of the Parent
  Partner's home and the coordinator's dashboard;
* the statewide quarterly report (metrics, PDF and CSV) made in a process of its own: its
  time and that process's peak memory;
* a statewide comparison extract of 50,000 episodes (the demo's, made afresh) checked and
  stored, then the outcomes compared statewide and per county, as the worker does;
* what a Parent Partner's tablet downloads on a first visit to their home page: the page
  and every stylesheet, script, font and icon it loads, as sent; and the same in real
  Chromium (``scripts/bench_tablet.py``) with the service worker's own downloads (the app
  shell and the pages it keeps for working offline), then a warm start (``--only tablet``
  measures just these).

The table is also written as JSON to ``var/bench/scale-N.json``. A missed target is printed,
not failed on: this is a measurement (the tests assert query ceilings).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bench_pages import ACCOUNTS, PAGES
from load import database_name, free_port, setup_django, totp_code, with_path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PASSWORD = "bench-run-password-2026"  # the bench's own database only
WORKERS = 2
PAGE_SIZE_NOTE = "the app's lists show 25 rows a page, the admin's 100"

# The targets (milliseconds of server time at the 95th percentile unless said otherwise).
PAGE_P95_MS = 100.0
FAST_PAGES_P95_MS = 60.0
FAST_PAGES = [
    ("door_coordinator", "/referrals/new/"),
    ("door_coordinator", "/mentoring/cases/"),
    ("door_coordinator", "/referrals/"),
]
HEALTHZ_P95_MS = 10.0
LIST_OVER_ADMIN = 1.0
THROUGHPUT: list[tuple[str, str, str, float | None]] = [
    # (name, persona, path, requests a second at 20 connections)
    ("Parent Partner home", "door_parent_partner", "/mentoring/", 150.0),
    ("coordinator dashboard", "door_coordinator", "/dashboard/", 60.0),
    # References, no target: what the same server and Locust answer for the health check
    # (no session, no template) and for a signed-in page with little but the page's frame
    # (session, sign-in, roles, menu, layout), the floor under every page.
    ("reference: /healthz", "anonymous", "/healthz", None),
    ("reference: a page's frame", "door_parent_partner", "/programs/", None),
]
TABLET_BYTES = 150_000
# A statewide comparison extract of 50,000 episodes: checked and stored, then compared
# statewide and per county, in the worker.
COMPARISON_SECONDS = 60
DOWNLOAD = re.compile(r"(\.csv|\.zip|/pdf/|/csv/)(\?|$)")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=int, default=10, help="seed_demo --scale")
    parser.add_argument("--reseed", action="store_true", help="drop the database and seed it")
    parser.add_argument("--requests", type=int, default=10, help="answers timed per page")
    parser.add_argument("--seconds", type=int, default=20, help="seconds of each throughput run")
    parser.add_argument("--users", type=int, default=20, help="connections in throughput runs")
    parser.add_argument(
        "--only",
        choices=["tablet", "throughput"],
        help=(
            "measure only this: the tablet's bytes (plain HTTP and in Chromium), or the "
            "throughput runs; the table is written apart, to scale-N-<this>.json"
        ),
    )
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--make-report", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--make-comparison", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--markdown", action="store_true", help="print the last run's table for the README"
    )
    args = parser.parse_args()

    if args.markdown:
        saved = ROOT / "var" / "bench" / f"scale-{args.scale}.json"
        print(markdown(json.loads(saved.read_text())))
        return 0

    # The steps that run inside Django, in a process of their own.
    if args.prepare:
        args.prepare.write_text(json.dumps(prepare(), indent=2))
        return 0
    if args.make_report:
        print(json.dumps(make_report()))
        return 0
    if args.make_comparison:
        print(json.dumps(make_comparison()))
        return 0

    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")) or not redis_url:
        print(
            "bench: skipped: it needs DATABASE_URL (a PostgreSQL server) and REDIS_URL "
            "(see README, 'Performance')"
        )
        return 0
    return Bench(args, database_url, redis_url).run()


# --- The run ------------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace, database_url: str, redis_url: str) -> None:
        self.args = args
        self.scale: int = args.scale
        self.only: str | None = args.only
        self.database_url = with_path(database_url, f"/psp_bench_{self.scale}")
        self.redis_url = redis_url
        self.out = ROOT / "var" / "bench"
        self.media = self.out / f"media-{self.scale}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.results: dict[str, Any] = {
            "scale": self.scale,
            "requests": args.requests,
            "users": args.users,
            "throughput_seconds": args.seconds,
        }
        self.misses: list[str] = []

    def environment(self, count_queries: bool = False, eager: bool = False) -> dict[str, str]:
        """Production settings (DEBUG off, second factor required, real password hashing,
        hashed and compressed static files), over plain HTTP."""
        env = dict(os.environ)
        for name in ("CELERY_TASK_ALWAYS_EAGER", "PASSWORD_HASHERS", "PSP_TEST_CLOCK"):
            env.pop(name, None)
        env.update(
            DATABASE_URL=self.database_url,
            REDIS_URL=self.redis_url,
            DEBUG="false",
            SECRET_KEY="bench-run-only-secret-key-not-used-anywhere-else-0123456789abcdef",
            ALLOWED_HOSTS="127.0.0.1",
            PSP_HTTPS="false",
            PSP_MANIFEST_STATIC="true",
            PSP_REQUIRE_MFA="true",
            PSP_COUNT_QUERIES="true" if count_queries else "false",
            MEDIA_ROOT=str(self.media),
            EMAIL_URL="consolemail://",
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if eager:
            # The demo's filed reports are made while seeding, not later by the bench's worker.
            env["CELERY_TASK_ALWAYS_EAGER"] = "true"
        return env

    def run(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        started = time.monotonic()
        try:
            self.seed()
            self.step(["collectstatic", "--noinput"], "collectstatic")
            prepared = self.out / f"prepared-{self.scale}.json"
            self.python([str(Path(__file__)), "--prepare", str(prepared)], "prepare")
            plan = json.loads(prepared.read_text())
            self.results["rows"] = plan["rows"]
            print("bench: rows: " + ", ".join(f"{n:,} {name}" for name, n in plan["rows"].items()))

            self.start_worker()
            self.start_web(count_queries=True)
            cookies = {
                persona: self.sign_in(account) for persona, account in plan["accounts"].items()
            }
            if self.only is None:
                pages = self.page_list(plan)
                pages = self.count_queries(pages, cookies)
                self.stop_web()
                self.start_web(count_queries=False)
                self.time_pages(pages, cookies)
                self.compare_lists(plan, cookies)
                self.throughput(cookies)
            else:
                self.stop_web()
                self.start_web(count_queries=False)
            if self.only == "throughput":
                self.throughput(cookies)
            else:
                self.tablet(cookies["door_parent_partner"])
                self.tablet_in_browser(plan["accounts"]["door_parent_partner"])
        finally:
            self.stop_web()
            self.stop_worker()
        if self.only is None:
            self.report()
            self.comparison()
        self.results["seconds"] = round(time.monotonic() - started)
        self.print_table()
        part = f"-{self.only}" if self.only else ""
        path = self.out / f"scale-{self.scale}{part}.json"
        path.write_text(json.dumps(self.results, indent=2))
        print(f"\nbench: {len(self.misses)} target(s) missed; written to {path.relative_to(ROOT)}")
        print(f"bench: done in {self.results['seconds']} s")
        return 0

    # --- The database ----------------------------------------------------------------------

    def seed(self) -> None:
        import psycopg2

        name = database_name(self.database_url)
        server = psycopg2.connect(with_path(self.database_url, "/postgres"))
        server.autocommit = True
        with server.cursor() as cursor:
            if self.args.reseed:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
        self.step(["migrate", "--noinput"], "migrate")
        migrations = self.migration_state()
        seeded = self.seeded_marker()
        if seeded == (self.scale, migrations):
            server.close()
            print(f"bench: database {name} already seeded at scale {self.scale}")
            self.results["seed_seconds"] = None
            return
        if seeded is not None:
            # Another scale, or migrations since: the demo data is made afresh.
            with server.cursor() as cursor:
                cursor.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                cursor.execute(f'CREATE DATABASE "{name}"')
            self.step(["migrate", "--noinput"], "migrate")
        server.close()
        import shutil

        shutil.rmtree(self.media, ignore_errors=True)
        print(f"bench: seeding {name} with seed_demo --scale {self.scale} ...")
        started = time.monotonic()
        self.step(["seed_demo", "--scale", str(self.scale)], "seed_demo", eager=True)
        seconds = time.monotonic() - started
        print(f"bench: seed_demo --scale {self.scale}: {seconds:.1f} s")
        self.results["seed_seconds"] = round(seconds, 1)
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute(
                "CREATE TABLE IF NOT EXISTS bench_seeded "
                "(scale integer NOT NULL, migrations text NOT NULL, seconds real, "
                "seeded_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute("DELETE FROM bench_seeded")
            cursor.execute(
                "INSERT INTO bench_seeded (scale, migrations, seconds) VALUES (%s, %s, %s)",
                [self.scale, migrations, seconds],
            )

    def connect(self) -> Any:
        import psycopg2

        return psycopg2.connect(self.database_url)

    def migration_state(self) -> str:
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            applied = "\n".join(f"{app}.{name}" for app, name in cursor.fetchall())
        return hashlib.sha256(applied.encode()).hexdigest()

    def seeded_marker(self) -> tuple[int, str] | None:
        with self.connect() as connection, connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_seeded')")
            row = cursor.fetchone()
            if row is None or row[0] is None:
                return None
            cursor.execute("SELECT scale, migrations FROM bench_seeded")
            marker = cursor.fetchone()
        return (int(marker[0]), str(marker[1])) if marker else None

    def step(self, command: list[str], name: str, eager: bool = False) -> None:
        self.python([str(ROOT / "manage.py"), *command], name, eager)

    def python(self, command: list[str], name: str, eager: bool = False) -> None:
        with (self.out / f"{name}.log").open("wb") as log:
            result = subprocess.run(
                [sys.executable, *command],
                env=self.environment(eager=eager),
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=7200,
            )
        if result.returncode != 0:
            raise SystemExit(f"bench: {name} failed; see var/bench/{name}.log")

    # --- The servers -----------------------------------------------------------------------

    def start_worker(self) -> None:
        """A Celery worker that also runs the beat schedule, as production's beat service
        does (the dashboards' numbers are computed there before they expire): /healthz
        answers 200 once its heartbeat is there."""
        self.worker = subprocess.Popen(
            [
                str(BIN / "celery"), "-A", "psp", "worker", "--pool=solo",
                "--beat", "--schedule", str(self.out / "celerybeat-schedule"),
                "--loglevel=WARNING", "--hostname", f"bench-{self.port}@%h",
            ],
            env=self.environment(),
            cwd=ROOT,
            stdout=(self.out / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    def start_web(self, count_queries: bool) -> None:
        self.web = subprocess.Popen(
            [
                str(BIN / "gunicorn"), "psp.wsgi:application",
                "--bind", f"127.0.0.1:{self.port}",
                "--workers", str(WORKERS),
                "--timeout", "60",
                "--graceful-timeout", "10",
            ],
            env=self.environment(count_queries=count_queries),
            cwd=ROOT,
            stdout=(self.out / "gunicorn.log").open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 90
        while True:
            if self.web.poll() is not None:
                raise SystemExit("bench: gunicorn stopped; see var/bench/gunicorn.log")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                if error.code == 503 and time.monotonic() > deadline - 45:
                    print("bench: /healthz still answers 503 (no worker heartbeat); going on")
                    return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"bench: {self.base}/healthz never answered")
            time.sleep(0.5)

    def stop_web(self) -> None:
        self.web = self._stop(self.web)

    def stop_worker(self) -> None:
        self.worker = self._stop(self.worker)

    @staticmethod
    def _stop(process: subprocess.Popen[bytes] | None) -> None:
        if process is None or process.poll() is not None:
            return None
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        return None

    # --- Signing in ------------------------------------------------------------------------

    def sign_in(self, account: dict[str, str] | None) -> dict[str, str]:
        """The session cookies of a person signed in as people do: the form, then the
        authenticator's code where the role needs one."""
        import requests

        if account is None:
            return {}
        session = requests.Session()

        def csrf(path: str) -> str:
            page = session.get(self.base + path, timeout=30)
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
            if not found:
                raise SystemExit(f"bench: no form at {path} ({page.status_code})")
            return found.group(1)

        login = "/accounts/login/"
        answer = session.post(
            self.base + login,
            data={
                "csrfmiddlewaretoken": csrf(login),
                "login": account["username"],
                "password": PASSWORD,
            },
            headers={"Referer": self.base + login},
            allow_redirects=False,
            timeout=30,
        )
        where = answer.headers.get("Location", "")
        if account["totp"]:
            if where != "/accounts/2fa/authenticate/":
                raise SystemExit(f"bench: {account['username']}: no code asked ({where!r})")
            if 30 - time.time() % 30 < 3:
                time.sleep(3.5)  # a fresh code, not one about to expire
            answer = session.post(
                self.base + where,
                data={"csrfmiddlewaretoken": csrf(where), "code": totp_code(account["totp"])},
                headers={"Referer": self.base + where},
                allow_redirects=False,
                timeout=30,
            )
            where = answer.headers.get("Location", "")
        if where != "/":
            raise SystemExit(f"bench: {account['username']}: not signed in ({where!r})")
        return {name: value or "" for name, value in session.cookies.items()}

    # --- Pages -----------------------------------------------------------------------------

    def page_list(self, plan: dict[str, Any]) -> list[dict[str, Any]]:
        pages = []
        self.results["pages_left_out"] = []
        for persona, entries in PAGES.items():
            values = plan["placeholders"][persona]
            for url_name, template in entries:
                wanted = set(re.findall(r"\{(\w+)\}", template))
                absent = sorted(name for name in wanted if values.get(name) is None)
                if absent:
                    note = f"{persona} {template}: no {', '.join(absent)} in the seeded data"
                    self.results["pages_left_out"].append(note)
                    continue
                pages.append(
                    {"persona": persona, "url_name": url_name, "path": template.format(**values)}
                )
        return pages

    def get(self, path: str, cookies: dict[str, str]) -> dict[str, Any]:
        """One answer: its status, the server's and the round trip's milliseconds, the bytes
        sent and their size unpacked, and the queries when the server counts them."""
        import requests

        started = time.perf_counter()
        response = requests.get(
            self.base + path,
            cookies=cookies,
            headers={"Accept-Encoding": "gzip"},
            allow_redirects=False,
            stream=True,
            timeout=60,
        )
        try:
            sent = response.raw.read(decode_content=False)
        except Exception as error:  # noqa: BLE001 - a broken answer is a result, not a crash
            response.close()
            return {
                "status": f"broken ({type(error).__name__})",
                "client_ms": (time.perf_counter() - started) * 1000,
                "server_ms": None,
                "queries": None,
                "sent": 0,
                "size": 0,
                "headers_sent": 0,
            }
        elapsed = (time.perf_counter() - started) * 1000
        response.close()
        size = len(sent)
        if response.headers.get("Content-Encoding") == "gzip":
            size = len(gzip.decompress(sent))
        timing = response.headers.get("Server-Timing", "")
        server = re.search(r"app;dur=([\d.]+)", timing)
        queries = re.search(r'db;desc="(\d+) queries"', timing)
        return {
            "status": response.status_code,
            "client_ms": elapsed,
            "server_ms": float(server.group(1)) if server else None,
            "queries": int(queries.group(1)) if queries else None,
            "sent": len(sent),
            "size": size,
            "headers_sent": sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 17,
        }

    def count_queries(
        self, pages: list[dict[str, Any]], cookies: dict[str, dict[str, str]]
    ) -> list[dict[str, Any]]:
        """Each page twice (the first warms the workers' caches), the second counted. A page
        that does not answer 200 to the seeded data's person is left out and said so: the
        matrix's person has what opens it (a council seat, say) and this one has not."""
        print(f"bench: {len(pages)} pages of {len(PAGES)} roles; counting queries ...")
        for _ in range(2):
            for page in pages:
                answer = self.get(page["path"], cookies[page["persona"]])
                page.update(status=answer["status"], queries=answer["queries"])
                page.update(sent=answer["sent"], size=answer["size"])
        for page in pages:
            if page["status"] != 200:
                self.results["pages_left_out"].append(
                    f"{page['persona']} {page['path']}: answered {page['status']} "
                    "to the seeded data's person"
                )
        return [page for page in pages if page["status"] == 200]

    def time_pages(self, pages: list[dict[str, Any]], cookies: dict[str, dict[str, str]]) -> None:
        """Each page ``--requests`` times, in a new order each round. Downloads, a few times
        only (the first rounds): the slowest answers there are, and timed to the first byte."""
        rounds = self.args.requests
        download_rounds = download_answers(rounds)
        print(
            f"bench: timing {len(pages)} pages x {rounds} (downloads x {download_rounds}), "
            "interleaved ..."
        )
        for page in pages:  # the fresh workers' first answers are not timed
            page["download"] = bool(DOWNLOAD.search(page["path"]))
            if not page["download"]:
                self.get(page["path"], cookies[page["persona"]])
        shuffle = random.Random(self.scale)
        server: dict[int, list[float]] = {index: [] for index in range(len(pages))}
        client: dict[int, list[float]] = {index: [] for index in range(len(pages))}
        for number in range(rounds):
            if number and number % 5 == 0:
                print(f"bench: ... round {number + 1} of {rounds}")
            order = [
                index
                for index in range(len(pages))
                if number < download_rounds or not pages[index]["download"]
            ]
            shuffle.shuffle(order)
            for index in order:
                answer = self.get(pages[index]["path"], cookies[pages[index]["persona"]])
                if answer["server_ms"] is not None:
                    server[index].append(answer["server_ms"])
                client[index].append(answer["client_ms"])
        for index, page in enumerate(pages):
            page.update(
                server_p50=percentile(server[index], 50),
                server_p95=percentile(server[index], 95),
                client_p50=percentile(client[index], 50),
                client_p95=percentile(client[index], 95),
            )
            limit = PAGE_P95_MS
            if (page["persona"], page["path"]) in FAST_PAGES:
                limit = FAST_PAGES_P95_MS
            if page["path"] == "/healthz" and page["persona"] == "anonymous":
                limit = HEALTHZ_P95_MS  # as monitoring asks: signed out
            page["target_ms"] = limit
            page["pass"] = page["server_p95"] <= limit
            if not page["pass"]:
                self.miss(
                    f"{page['persona']} {page['path']}: p95 {page['server_p95']:.0f} ms "
                    f"(target {limit:.0f} ms)"
                )
        self.results["pages"] = pages

    # --- The lists against the admin and SQL ----------------------------------------------

    def compare_lists(self, plan: dict[str, Any], cookies: dict[str, dict[str, str]]) -> None:
        rounds = self.args.requests
        print(f"bench: lists against the admin and SQL, x {rounds} interleaved ...")
        comparisons = plan["comparisons"]
        with self.connect() as connection, connection.cursor() as cursor:
            for item in comparisons:  # warm: the first answers and plans are not timed
                item["list_status"] = self.get(item["list"], cookies[item["persona"]])["status"]
                if item["admin"]:
                    item["admin_status"] = self.get(item["admin"], cookies["admin"])["status"]
                cursor.execute(item["sql"], item["params"])
                item["sql_rows"] = len(cursor.fetchall())
            times: dict[tuple[int, str], list[float]] = {}
            shuffle = random.Random(self.scale + 1)
            for _ in range(rounds):
                steps = [
                    (index, kind)
                    for index in range(len(comparisons))
                    for kind in ("list", "admin", "sql")
                ]
                shuffle.shuffle(steps)
                for index, kind in steps:
                    item = comparisons[index]
                    if kind == "sql":
                        started = time.perf_counter()
                        cursor.execute(item["sql"], item["params"])
                        cursor.fetchall()
                        times.setdefault((index, kind), []).append(
                            (time.perf_counter() - started) * 1000
                        )
                    elif item[kind]:
                        who = cookies["admin" if kind == "admin" else item["persona"]]
                        answer = self.get(item[kind], who)
                        times.setdefault((index, kind), []).append(answer["server_ms"] or 0.0)
        for index, item in enumerate(comparisons):
            for kind in ("list", "admin", "sql"):
                measured = times.get((index, kind))
                item[f"{kind}_p50"] = percentile(measured, 50) if measured else None
            item["list_over_admin"] = ratio(item["list_p50"], item["admin_p50"])
            item["list_over_sql"] = ratio(item["list_p50"], item["sql_p50"])
            if item["list_over_admin"] is not None and item["list_over_admin"] > LIST_OVER_ADMIN:
                self.miss(
                    f"{item['name']}: list / admin {item['list_over_admin']:.2f}x "
                    f"(target {LIST_OVER_ADMIN:.1f}x)"
                )
        self.results["comparisons"] = comparisons

    # --- Throughput ------------------------------------------------------------------------

    def throughput(self, cookies: dict[str, dict[str, str]]) -> None:
        results = []
        for name, persona, path, target in THROUGHPUT:
            print(f"bench: throughput of {path} ({name}), {self.args.users} connections, "
                  f"{self.args.seconds} s ...")  # fmt: skip
            out = self.out / "throughput.json"
            out.unlink(missing_ok=True)
            env = {
                **self.environment(),
                "PSP_BENCH_PATH": path,
                "PSP_BENCH_COOKIES": json.dumps(cookies[persona]),
                "PSP_BENCH_RESULTS": str(out),
            }
            with (self.out / "locust.log").open("ab") as log:
                subprocess.run(
                    [
                        str(BIN / "locust"), "-f", str(ROOT / "scripts" / "bench_locust.py"),
                        "--headless", "--only-summary",
                        "--users", str(self.args.users), "--spawn-rate", str(self.args.users),
                        "--run-time", f"{self.args.seconds}s", "--stop-timeout", "10",
                        "--host", self.base, "--loglevel", "WARNING",
                    ],
                    env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                    timeout=self.args.seconds + 120,
                )  # fmt: skip
            if not out.exists():
                self.miss(f"{name}: Locust saved no results (see var/bench/locust.log)")
                continue
            figures = json.loads(out.read_text())
            figures.update(name=name, persona=persona, path=path, target_rps=target)
            figures["pass"] = (
                None
                if target is None
                else figures["requests_per_second"] >= target
                and figures["failures"] == 0
                and figures["timeouts"] == 0
            )
            if figures["pass"] is False:
                self.miss(
                    f"{name}: {figures['requests_per_second']:.0f} req/s, "
                    f"{figures['failures']} failed, {figures['timeouts']} over 2 s "
                    f"(target {target:.0f} req/s, none failed or over 2 s)"
                )
            results.append(figures)
        self.results["throughput"] = results

    # --- The tablet's first visit -----------------------------------------------------------

    def tablet(self, cookies: dict[str, str]) -> None:
        """The Parent Partner's home and everything it loads, as sent (with headers)."""
        import requests

        page = requests.get(
            self.base + "/mentoring/",
            cookies=cookies,
            headers={"Accept-Encoding": "gzip"},
            timeout=60,
        )
        html = page.text
        assets = re.findall(r'<link[^>]+href="(/static/[^"]+)"', html)
        assets += re.findall(r'<script[^>]+src="(/static/[^"]+)"', html)
        files: list[dict[str, Any]] = []
        page_answer = self.get("/mentoring/", cookies)
        files.append(
            {"path": "/mentoring/", "sent": page_answer["sent"] + page_answer["headers_sent"]}
        )
        seen: set[str] = set()
        queue = list(dict.fromkeys(assets))
        while queue:
            path = queue.pop(0)
            if path in seen:
                continue
            seen.add(path)
            answer = self.get(path, {})
            files.append({"path": path, "sent": answer["sent"] + answer["headers_sent"]})
            if path.endswith(".css"):
                css = requests.get(self.base + path, timeout=60).text
                for found in re.findall(r"url\(([^)]+)\)", css):
                    found = found.strip("'\"")
                    if found.startswith("data:"):
                        continue
                    # A browser fetches the first font format it understands: WOFF2.
                    if re.search(r"\.(woff|ttf|eot|otf)(\?|#|$)", found):
                        continue
                    queue.append(urljoin(path, found.split("#")[0]))
        total = sum(item["sent"] for item in files)
        passed = total <= TABLET_BYTES
        self.results["tablet"] = {
            "files": files,
            "total": total,
            "target": TABLET_BYTES,
            "pass": passed,
        }
        if not passed:
            self.miss(f"Parent Partner home, first visit: {total / 1000:.0f} KB (target 150 KB)")

    def tablet_in_browser(self, account: dict[str, str]) -> None:
        """The first visit and a warm start in Chromium, service worker included
        (``scripts/bench_tablet.py``)."""
        from bench_tablet import measure

        print("bench: the tablet's first visit and warm start in Chromium ...")

        def sign_in(page: Any) -> None:
            page.goto(self.base + "/accounts/login/")
            page.fill("#id_login", account["username"])
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state()
            if account["totp"]:
                page.fill("input[name=code]", totp_code(account["totp"]))
                page.click("button[type=submit]")
                page.wait_for_load_state()

        found = measure(self.base, sign_in)
        self.results["tablet_browser"] = found
        if "skipped" in found:
            self.miss(f"tablet in Chromium: {found['skipped']}")
            return
        first, warm = found["first_visit"], found["warm_start"]
        first["pass"] = first["network_bytes"] <= TABLET_BYTES
        static = [row for row in warm["files"] if row["path"].startswith("/static/")]
        warm["static_files"] = len([row for row in static if row["by"] == "page"])
        warm["static_from_cache"] = len(
            [row for row in static if row["by"] == "page" and row["source"] != "network"]
        )
        warm["pass"] = warm["static_files"] == warm["static_from_cache"]
        if not first["pass"]:
            self.miss(
                f"tablet first visit in Chromium: {first['network_bytes'] / 1000:.0f} KB "
                f"(target {TABLET_BYTES // 1000} KB)"
            )
        if not warm["pass"]:
            self.miss(
                f"tablet warm start: {warm['static_from_cache']} of {warm['static_files']} "
                "static files from the service worker's cache (target: all)"
            )

    # --- The quarterly report ---------------------------------------------------------------

    def report(self) -> None:
        print("bench: the statewide quarterly report (metrics, PDF, CSV) ...")
        output = subprocess.run(
            [sys.executable, str(Path(__file__)), "--make-report"],
            env=self.environment(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if output.returncode != 0:
            (self.out / "report.log").write_text(output.stdout + output.stderr)
            self.miss("statewide report: failed (see var/bench/report.log)")
            return
        self.results["report"] = json.loads(output.stdout.strip().splitlines()[-1])

    # --- The outcomes comparison --------------------------------------------------------------

    def comparison(self) -> None:
        print("bench: a statewide comparison extract of 50,000 episodes, checked and compared ...")
        output = subprocess.run(
            [sys.executable, str(Path(__file__)), "--make-comparison"],
            env=self.environment(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=3600,
        )
        if output.returncode != 0:
            (self.out / "comparison.log").write_text(output.stdout + output.stderr)
            self.miss("comparison extract: failed (see var/bench/comparison.log)")
            return
        figures = json.loads(output.stdout.strip().splitlines()[-1])
        self.results["comparison"] = figures
        if figures["check_seconds"] + figures["compare_seconds"] > COMPARISON_SECONDS:
            self.miss(
                f"comparison extract of {figures['rows']:,} rows: "
                f"{figures['check_seconds'] + figures['compare_seconds']:.0f} s "
                f"(target {COMPARISON_SECONDS} s)"
            )

    # --- Output ----------------------------------------------------------------------------

    def miss(self, what: str) -> None:
        self.misses.append(what)

    def print_table(self) -> None:
        results = self.results
        print(f"\n=== make bench SCALE={self.scale} ===")
        if results.get("seed_seconds") is not None:
            print(f"seeded in {results['seed_seconds']:.1f} s")
        print("rows: " + ", ".join(f"{n:,} {name}" for name, n in results["rows"].items()))
        print(
            f"\npages: server time (Server-Timing) and round trip, ms, over "
            f"{self.args.requests} answers each "
            f"(downloads: {download_answers(self.args.requests)}); "
            "bytes sent (gzip) / unpacked"
        )
        header = f"{'role':20} {'page':48} {'srv p50':>7} {'srv p95':>7} {'rt p95':>7} "
        print(header + f"{'queries':>7} {'sent':>8} {'size':>8}  target")
        for page in results.get("pages", []):
            verdict = f"{page['target_ms']:.0f} ms {'PASS' if page['pass'] else 'OVER'}"
            print(
                f"{page['persona']:20} {page['path'][:48]:48} {page['server_p50']:7.1f} "
                f"{page['server_p95']:7.1f} {page['client_p95']:7.1f} "
                f"{page['queries'] if page['queries'] is not None else '-':>7} "
                f"{page['sent']:8,} {page['size']:8,}  {verdict}"
            )
        for note in results.get("pages_left_out", []):
            print(f"  left out: {note}")

        print(f"\nlists against the admin and one SQL query, median ms ({PAGE_SIZE_NOTE})")
        print(
            f"{'list':28} {'app':>7} {'admin':>7} {'SQL':>7} {'app/admin':>9} {'app/SQL':>8}"
            "  target"
        )
        for item in results.get("comparisons", []):
            over_admin = item["list_over_admin"]
            verdict = (
                "no admin list"
                if over_admin is None
                else (
                    f"{LIST_OVER_ADMIN:.1f}x {'PASS' if over_admin <= LIST_OVER_ADMIN else 'OVER'}"
                )
            )
            print(
                f"{item['name']:28} {fmt(item['list_p50'])} {fmt(item['admin_p50'])} "
                f"{fmt(item['sql_p50'], 2)} {fmt_ratio(over_admin, 9)} "
                f"{fmt_ratio(item['list_over_sql'], 8)}  {verdict}"
            )

        print(f"\nthroughput: {self.args.users} connections without pause, {WORKERS} sync workers")
        print(f"{'page':28} {'req/s':>7} {'p50':>6} {'p95':>6} {'failed':>6} {'> 2 s':>6}  target")
        for row in results.get("throughput", []):
            print(
                f"{row['name']:28} {row['requests_per_second']:7.1f} {row['p50_ms']:6.0f} "
                f"{row['p95_ms']:6.0f} {row['failures']:6} {row['timeouts']:6}  "
                + (
                    "reference"
                    if row["target_rps"] is None
                    else f"{row['target_rps']:.0f} req/s {'PASS' if row['pass'] else 'OVER'}"
                )
            )

        tablet = results.get("tablet")
        if tablet:
            print(f"\nParent Partner home, first visit on a tablet: {len(tablet['files'])} files")
            for item in tablet["files"]:
                print(f"  {item['sent']:9,}  {item['path']}")
            print(
                f"  {tablet['total']:9,}  bytes in all (target {TABLET_BYTES:,}: "
                f"{'PASS' if tablet['pass'] else 'OVER'})"
            )

        browser = results.get("tablet_browser")
        if browser and "first_visit" in browser:
            first, warm = browser["first_visit"], browser["warm_start"]
            print("\nParent Partner's tablet in Chromium (bytes over the network, as sent):")
            print(
                f"  first visit: {first['network_bytes']:,} bytes "
                f"(the page and its files {first['page_bytes']:,}; the service worker's "
                f"precache and kept pages {first['worker_bytes']:,}); target {TABLET_BYTES:,}: "
                f"{'PASS' if first['pass'] else 'OVER'}"
            )
            largest = sorted(
                (row for row in first["files"] if not row["from_cache"]),
                key=lambda row: -row["sent"],
            )[:8]
            for row in largest:
                print(f"  {row['sent']:9,}  {row['path']} ({row['by']})")
            print(
                f"  warm start: {warm['network_bytes']:,} bytes over the network; "
                f"{warm['static_from_cache']} of {warm['static_files']} static files from the "
                f"service worker's cache: {'PASS' if warm['pass'] else 'OVER'}"
            )

        report = results.get("report")
        if report:
            print(
                f"\nstatewide report for {report['quarter']} (metrics, PDF, CSV): "
                f"{report['seconds']:.1f} s, status {report['status']}, peak memory "
                f"{report['peak_rss_mib']:.0f} MiB (process; {report['start_rss_mib']:.0f} "
                f"MiB before), PDF {report['pdf_bytes']:,} bytes, CSV {report['csv_bytes']:,}"
            )

        comparison = results.get("comparison")
        if comparison:
            print(
                f"\ncomparison extract of {comparison['rows']:,} episodes: checked and stored "
                f"in {comparison['check_seconds']:.1f} s, compared statewide and in "
                f"{comparison['counties']} counties in {comparison['compare_seconds']:.1f} s "
                f"({comparison['served']:,} served stays, {comparison['matched']:,} matched "
                f"statewide; target {COMPARISON_SECONDS} s together)"
            )

        if self.misses:
            print(f"\nMISSED TARGETS ({len(self.misses)}):")
            for what in self.misses:
                print(f"  - {what}")
        else:
            print("\nevery target met")
        results["misses"] = self.misses


def markdown(results: dict[str, Any]) -> str:
    """The README's table: each target with its figure, then each role's pages."""
    pages = results.get("pages", [])
    rows = [
        "| target | measured | |",
        "|---|---|---|",
    ]

    def verdict(passed: bool) -> str:
        return "PASS" if passed else "**over**"

    def page(persona: str, path: str) -> dict[str, Any] | None:
        return next((p for p in pages if p["persona"] == persona and p["path"] == path), None)

    within = [p for p in pages if p["server_p95"] <= PAGE_P95_MS]
    slowest = max(pages, key=lambda p: p["server_p95"], default=None)
    if slowest:
        rows.append(
            f"| every page of every role: p95 ≤ {PAGE_P95_MS:.0f} ms | {len(within)} of "
            f"{len(pages)} pages; slowest {slowest['path']} ({slowest['persona']}) "
            f"{slowest['server_p95']:.0f} ms | {verdict(len(within) == len(pages))} |"
        )
    for persona, path in FAST_PAGES:
        found = page(persona, path)
        if found:
            rows.append(
                f"| `{path}` ({persona.replace('door_', '')}): p95 ≤ {FAST_PAGES_P95_MS:.0f} ms "
                f"| {found['server_p95']:.0f} ms | {verdict(found['pass'])} |"
            )
    for item in results.get("comparisons", []):
        if item["list_over_admin"] is None:
            rows.append(
                f"| {item['name']} / admin changelist ≤ {LIST_OVER_ADMIN:.1f}x | no admin list "
                f"of this model; {item['list_over_sql']:.0f}x one SQL query | – |"
            )
        else:
            rows.append(
                f"| {item['name']} / admin changelist ≤ {LIST_OVER_ADMIN:.1f}x "
                f"| {item['list_p50']:.0f} / {item['admin_p50']:.0f} ms = "
                f"{item['list_over_admin']:.2f}x ({item['list_over_sql']:.0f}x one SQL query) "
                f"| {verdict(item['list_over_admin'] <= LIST_OVER_ADMIN)} |"
            )
    for row in results.get("throughput", []):
        measured = (
            f"{row['requests_per_second']:.0f} req/s, p95 {row['p95_ms']:.0f} ms, "
            f"{row['failures']} failed, {row['timeouts']} over 2 s"
        )
        if row["target_rps"] is None:
            rows.append(
                f"| {row['name']}, {results.get('users', 20)} connections (no target) "
                f"| {measured} | – |"
            )
            continue
        rows.append(
            f"| {row['name']}, {results.get('users', 20)} connections: "
            f"≥ {row['target_rps']:.0f} req/s, "
            f"none over 2 s | {measured} | {verdict(row['pass'])} |"
        )
    healthz = page("anonymous", "/healthz")
    if healthz:
        rows.append(
            f"| `/healthz`: p95 ≤ {HEALTHZ_P95_MS:.0f} ms | {healthz['server_p95']:.1f} ms "
            f"| {verdict(healthz['pass'])} |"
        )
    tablet = results.get("tablet")
    if tablet:
        rows.append(
            f"| Parent Partner home, first visit ≤ {TABLET_BYTES // 1000} KB | "
            f"{tablet['total'] / 1000:.0f} KB in {len(tablet['files'])} files | "
            f"{verdict(tablet['pass'])} |"
        )
    browser = results.get("tablet_browser")
    if browser and "first_visit" in browser:
        first, warm = browser["first_visit"], browser["warm_start"]
        rows.append(
            f"| tablet in Chromium, first visit with the service worker's precache "
            f"≤ {TABLET_BYTES // 1000} KB | {first['network_bytes'] / 1000:.0f} KB "
            f"(page {first['page_bytes'] / 1000:.0f} KB, worker "
            f"{first['worker_bytes'] / 1000:.0f} KB) | {verdict(first['pass'])} |"
        )
        rows.append(
            f"| tablet in Chromium, warm start: static files from the cache | "
            f"{warm['static_from_cache']} of {warm['static_files']}, "
            f"{warm['network_bytes'] / 1000:.0f} KB over the network | {verdict(warm['pass'])} |"
        )
    comparison = results.get("comparison")
    if comparison:
        total = comparison["check_seconds"] + comparison["compare_seconds"]
        rows.append(
            f"| comparison extract of {comparison['rows']:,} episodes, checked and compared "
            f"≤ {COMPARISON_SECONDS} s | {total:.0f} s | {verdict(total <= COMPARISON_SECONDS)} |"
        )
    report = results.get("report")
    if report:
        rows.append(
            f"| statewide quarterly report (metrics, PDF, CSV) | {report['seconds']:.1f} s, "
            f"peak {report['peak_rss_mib']} MiB | – |"
        )

    rows += [
        "",
        "| role | pages | median p50 | slowest p95 | most queries | over their target (p95 ms) |",
        "|---|---|---|---|---|---|",
    ]
    for persona in ACCOUNTS:
        own = [p for p in pages if p["persona"] == persona]
        if not own:
            continue
        worst = max(own, key=lambda p: p["server_p95"])
        queries = [p["queries"] for p in own if p["queries"] is not None]
        over = sorted(
            (p for p in own if not p["pass"]), key=lambda p: p["server_p95"], reverse=True
        )
        rows.append(
            f"| {persona.replace('door_', '').replace('_', ' ')} | {len(own)} | "
            f"{statistics.median(p['server_p50'] for p in own):.0f} ms | "
            f"{worst['server_p95']:.0f} ms `{worst['path']}` | {max(queries, default=0)} | "
            + (", ".join(f"`{p['path']}` {p['server_p95']:.0f}" for p in over[:4]) or "–")
            + (f" and {len(over) - 4} more" if len(over) > 4 else "")
            + " |"
        )
    return "\n".join(rows)


def download_answers(requests: int) -> int:
    """A third of the pages' answers, at least 3 (or all there are)."""
    return min(requests, max(3, requests // 3))


def percentile(values: list[float], which: int) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[which - 1]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def fmt(value: float | None, digits: int = 1) -> str:
    return f"{value:7.{digits}f}" if value is not None else f"{'-':>7}"


def fmt_ratio(value: float | None, width: int) -> str:
    return f"{value:{width}.2f}" if value is not None else f"{'-':>{width}}"


# --- Inside Django ------------------------------------------------------------------------


def prepare() -> dict[str, Any]:
    """The accounts (a known password; an authenticator with a known key where the role
    needs one), the records each role's pages point at, and the lists' SQL."""
    setup_django()
    import datetime

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.contrib.auth.hashers import make_password
    from django.core.paginator import Paginator
    from django.test import RequestFactory
    from django.utils import timezone

    from councils.models import (
        Council,
        CouncilMember,
        Meeting,
        OutreachEvent,
        Recommendation,
        Stipend,
    )
    from mentoring.models import (
        Activity,
        Case,
        CaseGoal,
        CaseStatus,
        ClaimStatus,
        Document,
        ExpenseClaim,
        FollowUp,
        Hearing,
        ParentPartner,
        Participation,
        Resource,
        ReviewStatus,
        TrainingRecord,
    )
    from mentoring.views import _case_filter
    from psp import policy
    from psp.models import Program, School, SchoolDistrict, User
    from referrals.forms import ReferralFilter
    from referrals.models import Child, Referral, ReferralRequest, RequestStatus, Status
    from referrals.selectors import referrals_for_user
    from referrals.views import _programs_with_referrals
    from reporting.models import ComparisonExtract, ExtractStatus, Report, ReportStatus
    from reporting.quarters import Quarter

    door = Program.objects.get(slug="door")
    usernames = [name for name in ACCOUNTS.values() if name]
    User.objects.filter(username__in=usernames).update(password=make_password(PASSWORD))
    people = User.objects.in_bulk(usernames, field_name="username")
    accounts: dict[str, dict[str, str] | None] = {}
    for persona, username in ACCOUNTS.items():
        if username is None:
            accounts[persona] = None
            continue
        user = people[username]
        secret = ""
        if policy.requires_mfa(user):
            Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
            digest = hashlib.sha256(f"bench:{username}".encode()).digest()
            import base64

            secret = base64.b32encode(digest[:20]).decode()
            TOTP.activate(user, secret)
        accounts[persona] = {"username": username, "totp": secret}

    def pk(row: Any) -> int | None:
        return row.pk if row is not None else None

    coordinator = people["door-coordinator"]
    partner_user = people["door-parent-partner"]
    referral = Referral.objects.filter(program=door).order_by("-pk").first()
    child = (
        Child.objects.filter(family__program=door, episodes__placements__isnull=False)
        .order_by("-pk")
        .first()
    )
    episode = child.episodes.filter(placements__isnull=False).first() if child else None
    with_goals = CaseGoal.objects.filter(case__program=door).values("case")
    case = (
        Case.objects.filter(program=door, status=CaseStatus.OPEN, pk__in=with_goals)
        .order_by("-pk")
        .first()
    )
    partner = ParentPartner.objects.filter(user=partner_user).first()
    own_case = (
        Case.objects.filter(
            status=CaseStatus.OPEN,
            assignments__parent_partner=partner,
            assignments__ended_on__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    waiting = Activity.objects.filter(review_status=ReviewStatus.WAITING)
    council = Council.objects.filter(program=door).first()
    quarter = Quarter.last_completed()
    common = {
        "referral": pk(referral),
        "family": referral.family_id if referral else None,
        "parent": pk(referral.family.parents.first()) if referral else None,
        "child": pk(child),
        "episode": pk(episode),
        "placement": pk(episode.placements.first()) if episode else None,
        "case": pk(case),
        "activity": pk(waiting.filter(program=door).order_by("-pk").first()),
        "hearing": pk(
            Hearing.objects.filter(case__program=door, case__status=CaseStatus.OPEN)
            .order_by("-pk")
            .first()
        ),
        "follow_up": pk(
            FollowUp.objects.filter(
                case__program=door, case__status=CaseStatus.OPEN, done_at__isnull=True
            )
            .order_by("-pk")
            .first()
        ),
        "document": pk(
            Document.objects.filter(case__program=door, case__status=CaseStatus.OPEN)
            .order_by("-pk")
            .first()
        ),
        "partner": pk(partner),
        "accepted": pk(
            Referral.objects.filter(program=door, status=Status.ACCEPTED, case__isnull=True)
            .order_by("-pk")
            .first()
        ),
        "resource": pk(Resource.objects.filter(program=door).first()),
        "participation": pk(
            Participation.objects.filter(parent_partner__program=door).order_by("-pk").first()
        ),
        "training": pk(
            TrainingRecord.objects.filter(parent_partner__program=door).order_by("-pk").first()
        ),
        "school": pk(School.objects.filter(district__program__slug="wausau").first()),
        "district": pk(SchoolDistrict.objects.filter(program__slug="wausau").first()),
        "council": pk(council),
        "member": pk(CouncilMember.objects.filter(council=council).first()),
        "meeting": pk(
            Meeting.objects.filter(council=council, held_on__lte=timezone.localdate())
            .order_by("-held_on")
            .first()
        ),
        "recommendation": pk(
            Recommendation.objects.filter(council=council).order_by("-pk").first()
        ),
        "stipend": pk(Stipend.objects.filter(member__council=council).order_by("-pk").first()),
        "event": pk(OutreachEvent.objects.filter(program=door).order_by("-pk").first()),
        "public_request": pk(
            ReferralRequest.objects.filter(program=door, status=RequestStatus.WAITING).first()
        ),
        "report": pk(
            Report.objects.filter(program=door, suppressed=True, status=ReportStatus.DONE)
            .order_by("-pk")
            .first()
        ),
        "private": pk(
            Report.objects.filter(program=door, suppressed=False, status=ReportStatus.DONE)
            .order_by("-pk")
            .first()
        ),
        "statewide": pk(
            Report.objects.filter(program=None, status=ReportStatus.DONE).order_by("-pk").first()
        ),
        "extract": pk(ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).first()),
        "month": timezone.localdate().strftime("%Y-%m"),
        "quarter": f"{quarter.year}-{quarter.number}",
    }
    placeholders: dict[str, dict[str, Any]] = {persona: dict(common) for persona in ACCOUNTS}
    own = placeholders["door_parent_partner"]
    own["case"] = pk(own_case)
    own["hearing"] = pk(
        Hearing.objects.filter(
            case__status=CaseStatus.OPEN,
            case__assignments__parent_partner=partner,
            case__assignments__ended_on__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    own["follow_up"] = pk(
        FollowUp.objects.filter(
            done_at__isnull=True,
            case__status=CaseStatus.OPEN,
            case__assignments__parent_partner=partner,
            case__assignments__ended_on__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    own["document"] = pk(
        Document.objects.filter(
            case__status=CaseStatus.OPEN,
            case__assignments__parent_partner=partner,
            case__assignments__ended_on__isnull=True,
        )
        .order_by("-pk")
        .first()
    )
    own["activity"] = pk(waiting.filter(parent_partner=partner).order_by("-pk").first())
    # Mileage claims: the demo Parent Partner's, which Door's coordinators see too.
    for status in (ClaimStatus.SUBMITTED, ClaimStatus.SENT_BACK, ClaimStatus.APPROVED):
        claim = pk(
            ExpenseClaim.objects.filter(parent_partner=partner, status=status)
            .order_by("-pk")
            .first()
        )
        for persona in placeholders:
            placeholders[persona][f"{status}_claim"] = claim
    social_worker = people["door-social-worker"]
    placeholders["door_social_worker"]["referral"] = pk(
        Referral.objects.filter(referred_by=social_worker).order_by("-pk").first()
    )

    # The lists' own queries for their first page: one SQL statement giving those rows.
    request = RequestFactory().get("/")
    request.user = coordinator
    referrals = ReferralFilter(
        None,
        queryset=referrals_for_user(coordinator),
        programs=_programs_with_referrals(coordinator),
    ).qs
    cases, _query = _case_filter(request)  # type: ignore[arg-type]
    comparisons = []
    for name, path, admin, rows in [
        (
            "referral list",
            "/referrals/",
            f"/admin/referrals/referral/?program__id__exact={door.pk}",
            referrals,
        ),
        ("case list", "/mentoring/cases/", None, cases.qs),
    ]:
        page = Paginator(rows, 25).get_page(1).object_list
        sql, params = page.query.sql_with_params()  # type: ignore[attr-defined]
        comparisons.append(
            {
                "name": f"{name} (coordinator)",
                "persona": "door_coordinator",
                "list": path,
                "admin": admin,
                "sql": sql,
                "params": list(params),
            }
        )
    return {
        "accounts": accounts,
        "placeholders": placeholders,
        "comparisons": comparisons,
        "rows": {
            "referrals": Referral.objects.count(),
            "cases": Case.objects.count(),
            "contacts": Activity.objects.count(),
            "Door referrals": Referral.objects.filter(program=door).count(),
        },
        "today": datetime.date.today().isoformat(),
    }


def make_report() -> dict[str, Any]:
    """Last quarter's statewide report, made here as the worker makes it; the time and this
    process's peak resident memory."""
    setup_django()
    import resource

    from reporting.models import Report
    from reporting.quarters import Quarter
    from reporting.tasks import generate_report

    quarter = Quarter.last_completed()
    start_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = Report.objects.create(program=None, year=quarter.year, quarter=quarter.number)
    started = time.perf_counter()
    generate_report.run(report.pk)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report.refresh_from_db()
    figures = {
        "quarter": quarter.label,
        "seconds": round(seconds, 2),
        "status": report.status,
        "start_rss_mib": round(start_rss),
        "peak_rss_mib": round(peak),
        "pdf_bytes": report.pdf.size if report.pdf else 0,
        "csv_bytes": report.csv.size if report.csv else 0,
    }
    # Not kept: the next run's report list is the same as this one's.
    for stored in (report.pdf, report.csv):
        if stored:
            stored.delete(save=False)
    report.delete()
    return figures


def make_comparison() -> dict[str, Any]:
    """The demo's comparison extract made afresh at its largest (50,000 episodes), checked
    and stored, put in use and compared statewide and per county, as the worker does; the
    seconds of each."""
    setup_django()
    import csv
    import io
    import random
    import uuid

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from reporting import comparison_demo, matching, outcomes, tasks
    from reporting.comparison import COLUMNS
    from reporting.comparison_services import STORED_PREFIX
    from reporting.models import ComparisonExtract, ExtractStatus, OutcomeComparison

    today = timezone.localdate()
    start, end = comparison_demo.period(today)
    probe = ComparisonExtract(period_start=start, period_end=end, data_as_of=today)
    counties = outcomes.program_counties()
    programs = {pk: county for county, pks in counties.items() for pk in pks}
    served = outcomes.served(probe, programs)
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    rows = comparison_demo.rows(served, rng=random.Random(1), as_of=today)
    writer.writerows(rows)
    stored = tasks.extract_storage().save(
        f"{STORED_PREFIX}{uuid.uuid4().hex}.csv", ContentFile(text.getvalue().encode())
    )
    extract = ComparisonExtract.objects.create(
        file_name="bench.csv",
        stored_name=stored,
        period_start=start,
        period_end=end,
        data_as_of=today,
        status=ExtractStatus.CHECKING,
    )
    started = time.perf_counter()
    tasks.check_comparison_extract.run(extract.pk)
    checked = time.perf_counter() - started
    ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).update(
        status=ExtractStatus.REPLACED
    )
    ComparisonExtract.objects.filter(pk=extract.pk).update(status=ExtractStatus.IN_USE)
    started = time.perf_counter()
    made = tasks.compare_outcomes.run()
    compared = time.perf_counter() - started
    statewide = OutcomeComparison.objects.get(extract=extract, county=outcomes.STATEWIDE)
    evaluation = matching.Evaluation.from_json(statewide.result or {})
    extract.refresh_from_db()
    return {
        "rows": extract.rows_accepted,
        "check_seconds": round(checked, 2),
        "compare_seconds": round(compared, 2),
        "counties": made - 1,
        "served": statewide.served,
        "matched": evaluation.matched,
    }


if __name__ == "__main__":
    sys.exit(main())
