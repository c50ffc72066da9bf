"""Production settings: ``check --deploy`` is clean, and missing secrets fail loudly."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "PSP_HTTPS",
            "PSP_REQUIRE_MFA",
            "PSP_MANIFEST_STATIC",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="psp.example.org",
        PSP_REQUIRE_MFA="true",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_has_no_warnings() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_missing_secret_key_fails_loudly() -> None:
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_missing_allowed_hosts_fails_loudly() -> None:
    env = production_env()
    del env["ALLOWED_HOSTS"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


ADDRESSES = """
from django.test import RequestFactory
from allauth.core.internal.httpkit import get_client_ip
from psp.middleware import client_ip
request = RequestFactory().get(
    "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.66, 203.0.113.9"
)
print(client_ip(request), get_client_ip(request))
"""


def test_behind_the_proxy_sign_in_limits_count_the_address_the_proxy_added() -> None:
    """The sign-in limits per address (allauth) and the public forms' limit and the audit log
    (``client_ip``) read one address: the one the proxy appended, never one the caller sent
    and never the proxy's own (which would lock everybody out together)."""
    behind = manage("shell", "-c", ADDRESSES, env=production_env(PSP_TRUST_X_FORWARDED_FOR="true"))
    assert behind.returncode == 0, behind.stderr
    assert behind.stdout.splitlines()[-1].split() == ["203.0.113.9", "203.0.113.9"]
    direct = manage("shell", "-c", ADDRESSES, env=production_env())
    assert direct.stdout.splitlines()[-1].split() == ["10.0.0.2", "10.0.0.2"]
