"""The status e-mail through the real path: commit -> Redis -> a Celery worker -> e-mail.

Runs wherever PostgreSQL and Redis are configured (always in CI), so the task is proven to
work in a separate worker process, not only in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from psp.celery import app as celery_app
from referrals import services
from referrals.models import Status
from tests.clock import real_clock

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def real_worker(transactional_db, tmp_path):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the real-worker test against PostgreSQL and Redis.")
        pytest.skip("needs DATABASE_URL (PostgreSQL) and REDIS_URL")
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "consolemail://",
    }
    with log.open("w") as output:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "psp",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    celery_app.conf.task_always_eager = False
    try:
        yield log
    finally:
        celery_app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=30)


def wait_for(log: Path, text: str, seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        content = log.read_text()
        if text in content:
            return content
        time.sleep(0.5)
    raise AssertionError(f"{text!r} never appeared in the worker's output:\n{log.read_text()}")


def test_status_email_is_sent_by_a_real_worker(real_worker, personas, door_referral, settings):
    wait_for(real_worker, "ready.")
    services.referral_transition(
        actor=personas["door_coordinator"],
        referral=door_referral,
        to_status=Status.SCREENING,
        expected_version=door_referral.version,
    )
    output = wait_for(real_worker, f"Subject: Referral {door_referral.number}: Screening")
    assert "succeeded" in wait_for(real_worker, "succeeded")
    assert door_referral.family.parents.get().last_name not in output

    settings.CELERY_TASK_ALWAYS_EAGER = False  # the web process sends tasks to the broker
    with real_clock():  # the worker's heartbeat is on the real clock, not the session's
        health = Client().get("/healthz").json()
    assert health["worker"] == "ok"
