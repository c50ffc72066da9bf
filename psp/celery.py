"""The Celery app. Without ``REDIS_URL`` tasks run in-process (see settings).

Each worker beats (``psp.heartbeat``) while it is connected to the broker, so ``/healthz``
knows a worker is up without asking one.
"""

from __future__ import annotations

import logging
import os
from typing import Any

import redis
from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")

logger = logging.getLogger(__name__)

app = Celery("psp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="psp.ping")
def ping() -> str:
    """A task that does nothing but answer, to try a worker by hand
    (``celery -A psp call psp.ping``)."""
    return "pong"


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Writes the worker's heartbeat from its main process, on the consumer's timer: from
    when it is connected to the broker until it stops (a busy pool does not stop it)."""

    requires = ("celery.worker.consumer.connection:Connection",)

    def __init__(self, parent: Any, **kwargs: Any) -> None:
        super().__init__(parent, **kwargs)
        self.timer_entry: Any = None

    def start(self, parent: Any) -> None:
        from django.conf import settings

        from psp import heartbeat

        self.url = settings.REDIS_URL
        if not self.url:
            return
        self.worker = parent.hostname
        self.beat()
        self.timer_entry = parent.timer.call_repeatedly(
            heartbeat.INTERVAL_SECONDS, self.beat, priority=10
        )

    def beat(self) -> None:
        from psp import heartbeat

        try:
            heartbeat.record(self.url, self.worker)
        except (redis.RedisError, OSError) as error:
            logger.warning("Worker heartbeat not recorded: %s", error)

    def stop(self, parent: Any) -> None:
        from psp import heartbeat

        if self.timer_entry is None:
            return
        self.timer_entry.cancel()
        self.timer_entry = None
        try:
            heartbeat.forget(self.url, self.worker)
        except (redis.RedisError, OSError) as error:
            logger.warning("Worker heartbeat not removed: %s", error)

    shutdown = stop


app.steps["consumer"].add(WorkerHeartbeat)
