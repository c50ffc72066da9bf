"""The cache backend used with Redis: when Redis cannot be reached, each process falls back to
a cache in its own memory instead of failing the request.

Pages then work as without a cache (the dashboard computes its numbers), and the sign-in rate
limits keep counting, per process, in that memory: a web server with three workers lets at
most three times the configured failed sign-ins through while Redis is down, which is safer
than refusing every sign-in or counting nothing. After a failure Redis is left alone for a few
seconds, so a request does not wait for a connection timeout on every cache call.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_AFTER_SECONDS = 5.0

# When Redis was last found unreachable, per location, for every thread of the process.
_down_until: dict[str, float] = {}


class FailSafeRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._location = server
        self._fallback = LocMemCache(
            f"psp-redis-fallback-{server}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "OPTIONS": {"MAX_ENTRIES": 5000},
            },
        )

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() >= _down_until.get(self._location, 0.0):
            try:
                return getattr(super(), name)(*args, **kwargs)
            except UNREACHABLE as error:
                logger.warning(
                    "Cache: Redis is unreachable (%s); using this process's memory for %ss",
                    error,
                    RETRY_AFTER_SECONDS,
                )
                _down_until[self._location] = time.monotonic() + RETRY_AFTER_SECONDS
        return getattr(self._fallback, name)(*args, **kwargs)

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return bool(self._call("add", key, value, timeout, version))

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._call("get", key, default, version)

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._call("set", key, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return bool(self._call("touch", key, timeout, version))

    def delete(self, key: Any, version: Any = None) -> bool:
        return bool(self._call("delete", key, version))

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return dict(self._call("get_many", keys, version))

    def has_key(self, key: Any, version: Any = None) -> bool:
        return bool(self._call("has_key", key, version))

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        return int(self._call("incr", key, delta, version))

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return list(self._call("set_many", data, timeout, version) or [])

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._call("delete_many", keys, version)

    def clear(self) -> None:
        self._fallback.clear()
        self._call("clear")
