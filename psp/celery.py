"""The Celery app. Without ``REDIS_URL`` tasks run in-process (see settings)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")

app = Celery("psp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="psp.ping")
def ping() -> str:
    """A task that does nothing but answer: the health check and the worker test use it."""
    return "pong"
