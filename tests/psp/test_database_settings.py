"""Database connections: kept between requests on PostgreSQL, not on SQLite, and checked
before use; ``CONN_MAX_AGE`` overrides the default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "db = settings.DATABASES['default']; "
    "print(json.dumps([db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS']]))"
)


def database_settings(**environment: str) -> list[object]:
    env = {key: value for key, value in os.environ.items() if key != "CONN_MAX_AGE"}
    env.update(DEBUG="true", DJANGO_SETTINGS_MODULE="psp.settings", **environment)
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://psp@127.0.0.1:5432/psp", [60, True]),
        ("sqlite:////tmp/psp-settings-test.sqlite3", [0, True]),
    ],
)
def test_connections_are_kept_on_postgresql_only(url: str, expected: list[object]) -> None:
    assert database_settings(DATABASE_URL=url) == expected


def test_conn_max_age_overrides_the_default() -> None:
    settings = database_settings(DATABASE_URL="sqlite:////tmp/x.sqlite3", CONN_MAX_AGE="30")
    assert settings == [30, True]
