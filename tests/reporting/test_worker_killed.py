"""A worker killed in the middle of a report: the report is made anyway, once.

A real Celery worker (``paused_worker.py``) runs against a throwaway Redis and the test
database. Its report task waits at a known point; the test kills the worker's child process
there (the parent gives the message back: ``reject_on_worker_lost``), then the whole worker
(the message comes back after the visibility timeout, to the next worker). ``/healthz``
answers 503 once no worker has beaten for a while.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.test import Client

from psp import heartbeat
from reporting.models import Report, ReportStatus
from reporting.tasks import send_report
from tests.clock import real_clock, real_time
from tests.servers import RedisServer, wait_until

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def start_worker(redis_url: str, folder: Path, *arguments: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": "1",
        "MEDIA_ROOT": str(folder / "media"),
        "PSP_TEST_PAUSE_DIR": str(folder),
        "PYTHONPATH": str(ROOT),
    }
    log = (folder / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("paused_worker.py")), "--loglevel=INFO",
         "--without-gossip", "--without-mingle", "--without-heartbeat", *arguments],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def started_runs(folder: Path) -> list[int]:
    return sorted(int(path.name.split("-")[1]) for path in folder.glob("started-*"))


def status_of(report: Report) -> str:
    report.refresh_from_db()
    return report.status


def test_a_report_whose_worker_is_killed_is_made_once(
    transactional_db, door, redis_server, redis_at, tmp_path, settings
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the test database: needs DATABASE_URL (PostgreSQL)")
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production, tasks go to the broker
    redis_at(redis_server.url)
    report = Report.objects.create(program=door, year=2026, quarter=2)
    log = tmp_path / "worker.log"
    first = start_worker(redis_server.url, tmp_path, "--pool=prefork", "--concurrency=1")
    second = None
    try:
        assert send_report(report.pk)
        wait_until(lambda: len(started_runs(tmp_path)) == 1, 60, "the first run")
        assert status_of(report) == ReportStatus.RUNNING

        # The pool's child dies: its parent puts the message back and a new child takes it.
        os.kill(started_runs(tmp_path)[0], signal.SIGKILL)
        wait_until(lambda: len(started_runs(tmp_path)) == 2, 60, "the run after the child died")

        # The whole worker dies (its process group: the parent and the paused child). Its
        # heartbeat grows stale; the report stays "running".
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        with time_machine.travel(real_time() + heartbeat.STALE_AFTER_SECONDS + 1):
            health = Client().get("/healthz")
        assert health.status_code == 503
        assert health.json()["worker"] == "none"
        assert status_of(report) == ReportStatus.RUNNING

        # The next worker gets the message back (visibility timeout) and finishes it.
        (tmp_path / "go").touch()
        second = start_worker(redis_server.url, tmp_path, "--pool=solo")
        wait_until(lambda: status_of(report) == ReportStatus.DONE, 90, "the report to be made")
        with real_clock():  # the worker's heartbeat is on the real clock
            assert Client().get("/healthz").json()["worker"] == "ok"
    except BaseException:
        print(log.read_text(errors="replace"))
        raise
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(timeout=10)

    stored = sorted(path.name for path in (tmp_path / "media").rglob("*") if path.is_file())
    assert stored == [
        f"{report.file_stem()}-{report.pk}.csv",
        f"{report.file_stem()}-{report.pk}.pdf",
    ]
    assert report.progress == 100
