"""Throughput of one page for ``make bench`` (``scripts/bench.py`` starts this): every simulated
person asks for the page ``PSP_BENCH_PATH`` again as soon as it has the answer, signed in with
the session cookies in ``PSP_BENCH_COOKIES`` (JSON), and accepts gzip as browsers do.

Anything but 200 is a failure; an answer that took more than two seconds is counted as a
timeout (a person on a tablet gives up). The figures go to ``PSP_BENCH_RESULTS`` as JSON.
"""

from __future__ import annotations

import json
import os
from typing import Any

from locust import FastHttpUser, constant, events, task

PATH = os.environ.get("PSP_BENCH_PATH", "/healthz")
COOKIES: dict[str, str] = json.loads(os.environ.get("PSP_BENCH_COOKIES", "{}"))
TIMEOUT_MS = 2000

_environment: list[Any] = []
_timeouts = [0]


@events.init.add_listener
def keep_environment(environment: Any, **_kwargs: Any) -> None:
    _environment.append(environment)


@events.request.add_listener
def count_timeouts(response_time: float, **_kwargs: Any) -> None:
    if response_time > TIMEOUT_MS:
        _timeouts[0] += 1


@events.quit.add_listener
def save_results(**_kwargs: Any) -> None:
    path = os.environ.get("PSP_BENCH_RESULTS")
    if not path or not _environment:
        return
    total = _environment[0].stats.total
    seconds = (total.last_request_timestamp or total.start_time) - total.start_time
    results = {
        "requests": total.num_requests,
        "failures": total.num_failures,
        "timeouts": _timeouts[0],
        "seconds": round(seconds, 1),
        "requests_per_second": round(total.num_requests / seconds, 1) if seconds else 0.0,
        "p50_ms": total.get_response_time_percentile(0.5),
        "p95_ms": total.get_response_time_percentile(0.95),
        "max_ms": round(total.max_response_time or 0),
        "errors": [
            f"{error.occurrences} x {error.error}"
            for error in _environment[0].stats.errors.values()
        ],
    }
    with open(path, "w") as handle:
        json.dump(results, handle, indent=2)


class Visitor(FastHttpUser):
    wait_time = constant(0)

    @task
    def page(self) -> None:
        cookie = "; ".join(f"{name}={value}" for name, value in COOKIES.items())
        with self.client.get(
            PATH,
            headers={"Cookie": cookie, "Accept-Encoding": "gzip"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
