"""Browser tests: real headless Chromium against a live server with the demo data."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection
from django.test.client import AsyncClientHandler, ClientHandler
from playwright.sync_api import BrowserContext, Page
from pytest_django import Settings

from tests.demo_snapshot import DemoSnapshot

AXE = Path(__file__).with_name("axe.min.js")


class _RequestsInFlight:
    """How many requests the live server is answering now, counted from Django's own
    signals in the server's threads: a request counts from before its first query, which
    the database's own list of sessions cannot see.

    The test client sends the same signals from the test's own thread, and a streamed
    response it was given (a download) finishes only when its content is read, which a test
    need not do: those requests are not the live server's, and are not counted, or one
    unread download would hold every later browser test at its teardown for the whole wait."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def started(self, sender: object = None, **_kwargs: object) -> None:
        if _from_test_client(sender):
            return
        with self._lock:
            self._count += 1

    def finished(self, sender: object = None, **_kwargs: object) -> None:
        if _from_test_client(sender):
            return
        with self._lock:
            self._count = max(0, self._count - 1)

    @property
    def count(self) -> int:
        with self._lock:
            return self._count


def _from_test_client(sender: object) -> bool:
    """A request the test client answered: its handler's class starts it, and its response,
    made without a WSGI handler, finishes it with no sender."""
    return sender is None or (
        isinstance(sender, type) and issubclass(sender, (ClientHandler, AsyncClientHandler))
    )


_IN_FLIGHT = _RequestsInFlight()
request_started.connect(_IN_FLIGHT.started, dispatch_uid="browser-tests-in-flight")
request_finished.connect(_IN_FLIGHT.finished, dispatch_uid="browser-tests-in-flight")


@pytest.fixture
def _quiet_database(transactional_db: None) -> Iterator[None]:
    """After the browser is closed and before the test's database is emptied, the live
    server's last requests finish: a page left open (a form, a list refreshing itself, the
    service worker keeping case pages for offline use) could otherwise still be reading or
    writing while the tables are truncated, which PostgreSQL answers with a deadlock, or
    writes rows that outlive the test. A request is waited for from the moment Django
    starts answering it, and the database's sessions after that."""
    yield
    deadline = time.monotonic() + 10
    quiet_since: float | None = None
    while time.monotonic() < deadline:
        if _IN_FLIGHT.count:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since >= 0.2:
            break
        time.sleep(0.02)
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                " AND state IN ('active', 'idle in transaction')"
            )
            (busy,) = cursor.fetchone()
            if not busy:
                return
            time.sleep(0.05)


@pytest.fixture
def context(_quiet_database: None, context: BrowserContext) -> BrowserContext:
    """The pages' clock starts at the server's (moved by ``--clock``, if given) and ticks on:
    the browser's "Today" is the server's today. The database (with ``_quiet_database``) is
    set up before the browser and so emptied only after the browser is closed, whatever
    order a test names its fixtures in."""
    context.clock.install(time=time.time())
    return context


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> DemoSnapshot:
    return DemoSnapshot(tmp_path_factory.mktemp("demo") / "media")


@pytest.fixture
def demo(transactional_db: None, settings: Settings, demo_snapshot: DemoSnapshot) -> None:
    """What ``seed_demo`` makes, in the database the live server reads."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    demo_snapshot.put_back(Path(settings.MEDIA_ROOT))


def inject_axe(page: Page) -> None:
    """Loads axe-core into the current page (again after each navigation)."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern:
    # the CSP itself stays on, so the test also proves the pages need no inline script.
    page.evaluate(AXE.read_text(encoding="utf-8"))


def axe_report(page: Page, *, impacts: tuple[str, ...] | None = None) -> list[str]:
    """WCAG 2.0/2.1 A and AA problems axe-core finds on the page as it is now (axe already
    loaded), of the given impacts (all when None)."""
    results = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})"
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(str(node["target"]) for node in violation["nodes"])
        for violation in results["violations"]
        if impacts is None or violation["impact"] in impacts
    ]


def axe_violations(page: Page, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """WCAG 2.1 A/AA problems axe-core finds on the current page."""
    inject_axe(page)
    return axe_report(page, impacts=impacts)


DEMO_PASSWORD = "psp-demo-2026"


def sign_in(page: Page, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("User name or e-mail address").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
