"""The Celery workers' heartbeat, so ``/healthz`` can tell whether a worker is up without
asking one (a ping waits about a second for answers and holds a web worker meanwhile).

Each worker's main process writes the time into a Redis sorted set under its own name every
``INTERVAL_SECONDS`` (``psp.celery.WorkerHeartbeat``), and takes its name out when it stops.
``/healthz`` reads the newest time in one Redis round trip: a worker is up when that is
younger than ``STALE_AFTER_SECONDS``.
"""

from __future__ import annotations

import time

import redis

KEY = "psp:worker-heartbeats"
INTERVAL_SECONDS = 30.0
# Three beats missed: a worker busy with a long task still beats (its main process does it),
# so only a worker that is gone or cut off from Redis stays silent this long.
STALE_AFTER_SECONDS = 3 * INTERVAL_SECONDS
# Names of workers that vanished without saying so are cleaned out after a day.
FORGET_AFTER_SECONDS = 24 * 60 * 60

# One client (and its pool of connections) per Redis address, per process.
_clients: dict[str, redis.Redis] = {}


def _client(url: str) -> redis.Redis:
    if url not in _clients:
        _clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _clients[url]


def record(url: str, worker: str) -> None:
    now = time.time()
    client = _client(url)
    with client.pipeline() as pipe:
        pipe.zadd(KEY, {worker: now})
        pipe.zremrangebyscore(KEY, "-inf", now - FORGET_AFTER_SECONDS)
        pipe.expire(KEY, int(FORGET_AFTER_SECONDS))
        pipe.execute()


def forget(url: str, worker: str) -> None:
    _client(url).zrem(KEY, worker)


def latest(url: str) -> float | None:
    """When a worker last beat (seconds since the epoch), None if none ever did. Raises
    redis' errors when Redis cannot be reached."""
    newest = _client(url).zrevrange(KEY, 0, 0, withscores=True)
    return float(newest[0][1]) if newest else None


def worker_state(url: str) -> tuple[str, str]:
    """``(redis, worker)`` as ``/healthz`` reports them: ``ok`` or ``error`` for Redis, and
    ``ok``, ``none`` or ``unknown`` (Redis down) for the workers."""
    try:
        beat = latest(url)
    except (redis.RedisError, OSError):
        return "error", "unknown"
    if beat is None or time.time() - beat > STALE_AFTER_SECONDS:
        return "ok", "none"
    return "ok", "ok"
