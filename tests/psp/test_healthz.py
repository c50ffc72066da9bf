"""``/healthz`` reports the database, Redis and the Celery worker as JSON."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_reports_each_part():
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["status"] == "ok"
    if settings.REDIS_URL:
        assert body["redis"] == "ok"
        assert body["worker"] in {"ok", "none"}
    else:
        assert body["redis"] == "not configured"
        assert body["worker"] == "in-process"


def test_healthz_says_error_when_redis_is_unreachable(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["redis"] == "error"
    assert response.json()["status"] == "error"
