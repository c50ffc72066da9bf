"""``/healthz`` reports the database, Redis and the Celery worker as JSON."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production, with a broker
    response = Client().get("/healthz")
    body = response.json()
    assert body["database"] == "ok"
    if settings.REDIS_URL:
        assert body["redis"] == "ok"
        # No worker answering the ping is a fault: reports would wait forever.
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
