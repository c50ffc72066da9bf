"""Run by ``test_database_restart.py`` in a process of its own, against a throwaway cluster.

It serves requests through Django's real WSGI handler (the path gunicorn takes, with its
request-start connection checks, which the test client skips), writes rows, says ``ready``,
waits for the test to restart PostgreSQL, then serves the same pages again and prints what
it saw as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from io import BytesIO
from typing import TYPE_CHECKING

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import Client  # noqa: E402

from psp.models import Program, StatewideRole, User  # noqa: E402

if TYPE_CHECKING:
    from _typeshed import OptExcInfo

handler = WSGIHandler()


def discard(data: bytes) -> None:
    pass


def get(path: str, cookie: str) -> tuple[int, bytes]:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "HTTP_COOKIE": cookie,
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []

    def start_response(
        line: str, headers: list[tuple[str, str]], exc_info: OptExcInfo | None = None
    ) -> Callable[[bytes], object]:
        status.append(line)
        return discard  # WSGI's write(), which Django never calls

    response = handler(environ, start_response)
    try:
        body = b"".join(response)
    finally:
        response.close()  # request_finished: where a persistent connection is kept
    return int(status[0].split()[0]), body


def main() -> None:
    admin = User.objects.create_user(
        "restart-admin", password="x" * 20, statewide_role=StatewideRole.ADMINISTRATOR
    )
    browser = Client()
    browser.force_login(admin)
    cookie = f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
    before = [get("/programs/", cookie)[0], get("/healthz", cookie)[0]]
    for number in range(50):
        Program.objects.create(slug=f"before-{number}", county=f"C{number}", name=f"P {number}")
    print("ready", flush=True)
    sys.stdin.readline()  # the test restarts PostgreSQL here
    after_status, body = get("/programs/", cookie)
    result = {
        "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
        "before": before,
        "after": after_status,
        "lists_programs": b"P 49" in body,
        "healthz": json.loads(get("/healthz", cookie)[1]),
        "programs": Program.objects.filter(slug__startswith="before-").count(),
    }
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
