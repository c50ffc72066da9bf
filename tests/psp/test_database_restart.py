"""PostgreSQL restarted (even crashed) between two requests: the next request succeeds on a
new connection (``CONN_HEALTH_CHECKS``) and every row committed before is still there.

The cluster is the test's own (``tests.servers``); the app runs in a process of its own,
serving through the real WSGI handler, with the project's settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.servers import postgres_cluster

pytestmark = pytest.mark.faults

ROOT = Path(__file__).resolve().parents[2]


def test_next_request_after_a_crash_and_restart_succeeds_and_nothing_is_lost() -> None:
    with postgres_cluster() as cluster:
        env = {key: value for key, value in os.environ.items() if key != "CONN_MAX_AGE"}
        env.update(DATABASE_URL=cluster.url, REDIS_URL="", CELERY_TASK_ALWAYS_EAGER="true")
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        probe = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("database_restart_probe.py"))],
            cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)}, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        assert probe.stdout is not None and probe.stdin is not None
        try:
            line = probe.stdout.readline()
            assert line.strip() == "ready", line + probe.communicate(timeout=30)[1]
            cluster.restart("immediate")  # a crash: recovery from the WAL
            output, errors = probe.communicate("restarted\n", timeout=60)
        finally:
            if probe.poll() is None:
                probe.kill()
        assert probe.returncode == 0, errors
        result = json.loads(output.strip().splitlines()[-1])
    assert result["conn_max_age"] > 0  # connections are kept between requests...
    assert result["before"] == [200, 200]
    assert result["after"] == 200, errors  # ...yet the first request after the restart works
    assert result["lists_programs"]
    assert result["healthz"]["database"] == "ok"
    assert result["programs"] == 50
