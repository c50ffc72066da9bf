"""Redis down: pages keep working (the cache falls back to each process's memory), sign-in
is still rate-limited, a report request is kept and sent when the broker returns, and
``/healthz`` says what is down.

"Down" is a port where nothing listens; "back" is a throwaway ``redis-server`` started on
that port (``tests.servers``), never the Redis the rest of the suite uses.
"""

from __future__ import annotations

import json
import time

import pytest
import redis
from django.test import Client

from psp import cache as failsafe_cache
from reporting import tasks
from reporting.models import Report, ReportStatus
from tests.servers import RedisServer, free_port

pytestmark = [pytest.mark.faults, pytest.mark.django_db]


@pytest.fixture
def dead_port() -> int:
    return free_port()


def test_sign_in_and_the_dashboard_work_without_redis(
    personas, password, redis_at, dead_port
) -> None:
    redis_at(f"redis://127.0.0.1:{dead_port}/0")
    client = Client()
    assert client.get("/accounts/login/").status_code == 200
    response = client.post("/accounts/login/", {"login": "door-coordinator", "password": password})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/dashboard/").status_code == 200  # the numbers cached in memory


def test_failed_sign_ins_are_still_limited_without_redis(
    personas, password, redis_at, dead_port
) -> None:
    redis_at(f"redis://127.0.0.1:{dead_port}/0")
    client = Client()
    for _ in range(5):
        wrong = client.post("/accounts/login/", {"login": "door-clinical", "password": "wrong-1"})
        assert wrong.status_code == 200
    response = client.post("/accounts/login/", {"login": "door-clinical", "password": password})
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-ins for this account." in response.content.decode()


def test_healthz_says_redis_is_down(db: None, redis_at, dead_port, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False  # as in production, tasks go to the broker
    redis_at(f"redis://127.0.0.1:{dead_port}/0")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "database": "ok",
        "redis": "error",
        "worker": "unknown",
        "status": "error",
    }


def test_a_report_asked_for_while_the_broker_is_down_is_kept_and_sent_when_it_returns(
    transactional_db, personas, door, client_for, redis_at, dead_port
) -> None:
    # transactional_db: the request commits, and the report is sent on commit, as in production.
    redis_at(f"redis://127.0.0.1:{dead_port}/0")
    client = client_for(personas["door_coordinator"])
    started = time.monotonic()
    response = client.post(
        "/reports/generate/", {"quarter": "2026-2", "program": str(door.pk)}, follow=True
    )
    assert time.monotonic() - started < 8
    assert response.status_code == 200
    report = Report.objects.get()
    assert report.status == ReportStatus.QUEUED
    assert "The report service is not answering" in response.content.decode()

    # Later the page says it is waiting for the service, not that something broke.
    Report.objects.filter(pk=report.pk).update(created_at=report.created_at - tasks.REQUEUE_AFTER)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert "Waiting for the report service" in page

    server = RedisServer(port=dead_port)
    server.start()
    try:
        failsafe_cache._down_until.clear()
        assert tasks.requeue_waiting() == [report.pk]
        queued = redis.Redis(port=dead_port).lrange("celery", 0, -1)
        assert [json.loads(message)["headers"]["argsrepr"] for message in queued] == [
            f"({report.pk},)"
        ]
        assert Client().get("/healthz").json()["redis"] == "ok"
    finally:
        server.stop()
