"""``/healthz`` reports the database, Redis and the Celery worker as JSON. The worker's state
comes from its heartbeat (``psp.heartbeat``): no worker is asked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from unittest import mock

import pytest
import redis
import time_machine
from django.test import Client

from psp import heartbeat
from psp.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def heartbeats(settings) -> Iterator[str]:
    """``REDIS_URL`` pointed at the tests' own Redis database, with no heartbeat in it yet, and
    tasks sent to a worker as in production."""
    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    url = settings.CACHES["default"]["LOCATION"]
    settings.REDIS_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    redis.Redis.from_url(url).delete(heartbeat.KEY)
    yield url
    redis.Redis.from_url(url).delete(heartbeat.KEY)


def test_healthz_reports_each_part(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production, with a broker
    response = Client().get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    if settings.REDIS_URL:
        assert body["redis"] == "ok"
        # No worker beating is a fault: reports would wait forever.
        assert body["worker"] in {"ok", "none"}
        assert response.status_code == (200 if body["worker"] == "ok" else 503)
    else:
        assert response.status_code == 200
        assert body["redis"] == "not configured"
        assert body["worker"] == "in-process"
        assert body["status"] == "ok"


def test_tasks_run_in_the_web_process_need_no_worker(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    response = Client().get("/healthz")
    assert response.json()["worker"] == "in-process"
    assert response.status_code == (200 if response.json()["redis"] != "error" else 503)


def test_healthz_says_error_when_redis_is_unreachable(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "error"
    assert response.json()["worker"] == "unknown"
    assert response.json()["status"] == "error"


def test_a_recent_heartbeat_is_a_worker_up_and_no_worker_is_asked(heartbeats):
    heartbeat.record(heartbeats, "celery@web-1")
    with mock.patch.object(celery_app.control, "ping", side_effect=AssertionError) as ping:
        started = time.perf_counter()
        response = Client().get("/healthz")
        elapsed = time.perf_counter() - started
    assert ping.call_count == 0
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "redis": "ok", "worker": "ok", "status": "ok"}
    assert elapsed < 0.5  # the ping waited a whole second for answers


def test_a_stale_heartbeat_is_a_worker_down(heartbeats):
    with time_machine.travel("2026-03-31 23:59:00-05:00", tick=False) as clock:
        heartbeat.record(heartbeats, "celery@web-1")
        clock.shift(heartbeat.STALE_AFTER_SECONDS - 1)
        assert Client().get("/healthz").json()["worker"] == "ok"
        clock.shift(2)
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "none"
    assert response.json()["status"] == "error"


def test_the_newest_of_several_workers_counts_and_a_stopped_one_is_forgotten(heartbeats):
    with time_machine.travel("2026-11-01 01:30:00-05:00", tick=False) as clock:
        heartbeat.record(heartbeats, "celery@old")
        clock.shift(heartbeat.STALE_AFTER_SECONDS)
        heartbeat.record(heartbeats, "celery@new")
        clock.shift(1)
        assert Client().get("/healthz").json()["worker"] == "ok"
        heartbeat.forget(heartbeats, "celery@new")
        assert Client().get("/healthz").json()["worker"] == "none"


def test_no_heartbeat_ever_is_no_worker(heartbeats):
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["worker"] == "none"
