"""Shared personas: two county programs and one user per role, plus statewide users.

``personas["door_coordinator"]`` and so on; Door is "our" program in most tests and Rock is
"the other county" whose records must stay invisible.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from pytest_django import Settings

from psp.models import Program, ProgramType, Role, StatewideRole, User
from referrals.models import Referral
from tests.clock import CHICAGO, CLOCK_ENV, CLOCK_MATRIX, describe, on_the_wall, parse_clock
from tests.factories import (
    NAMES,
    TEST_PASSWORD,
    MembershipFactory,
    ProgramFactory,
    ReferralFactory,
    SchoolFactory,
    UserFactory,
)

ROLE_PERSONAS = {
    "coordinator": Role.PROGRAM_COORDINATOR,
    "pp_coordinator": Role.PARENT_PARTNER_COORDINATOR,
    "parent_partner": Role.PARENT_PARTNER,
    "clinical": Role.CLINICAL_SUPPORT,
    "social_worker": Role.SOCIAL_WORKER,
}


# Two test runs sharing one Redis (two checkouts on one machine) must not empty each
# other's cache: each may name its own database. With several test processes (pytest -n,
# pytest-xdist) the first takes that database and each next one the database below it.
def _worker_number() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") else 0


TEST_CACHE_REDIS_DB = int(os.environ.get("PSP_TEST_REDIS_DB", "15")) - _worker_number()


_SESSION_CLOCK = pytest.StashKey[tuple[datetime.datetime, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get(CLOCK_ENV) or None,
        metavar="HH:MM|YYYY-MM-DDTHH:MM",
        help=(
            "Start the clock for the whole run at this America/Chicago time (tomorrow unless a "
            f"date is given); it keeps ticking. Default: ${CLOCK_ENV}, else the real clock."
        ),
    )


def pytest_configure(config: pytest.Config) -> None:
    start_session_clock(config)
    # Tests empty the cache before each test (login rate limits would otherwise leak from
    # one test into the next); on Redis they get a database of their own to empty.
    if settings.REDIS_URL:
        base = (
            settings.REDIS_URL.rsplit("/", 1)[0]
            if settings.REDIS_URL.count("/") > 2
            else settings.REDIS_URL
        )
        if TEST_CACHE_REDIS_DB < 0 or f"{base}/{TEST_CACHE_REDIS_DB}" == settings.REDIS_URL:
            raise pytest.UsageError(
                f"Redis database {TEST_CACHE_REDIS_DB} is not free for the tests' cache: set "
                "PSP_TEST_REDIS_DB to a database above REDIS_URL's and the number of workers."
            )
        settings.CACHES["default"]["LOCATION"] = f"{base}/{TEST_CACHE_REDIS_DB}"
    else:
        # Without Redis the app shares its cache through the database (the processes of
        # ``make run``); a test process is one, so its cache is kept in its memory instead,
        # and the query ceilings count the pages' own queries, as they do with Redis.
        settings.CACHES["default"] = {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "psp-tests",
        }


def start_session_clock(config: pytest.Config) -> None:
    """time-machine moves the clock for the whole process: every thread (the live server's
    too) reads it. PostgreSQL's own now() is not moved; the app never asks for it."""
    value = config.getoption("--clock")
    if not value:
        return
    try:
        moment = parse_clock(value, today=datetime.datetime.now(CHICAGO).date())
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    traveller = time_machine.travel(moment, tick=True)
    traveller.start()
    config.stash[_SESSION_CLOCK] = (moment, traveller)


def pytest_unconfigure(config: pytest.Config) -> None:
    clock = config.stash.get(_SESSION_CLOCK, None)
    if clock is not None:
        clock[1].stop()


def pytest_report_header(config: pytest.Config) -> str | None:
    clock = config.stash.get(_SESSION_CLOCK, None)
    return f"clock: started at {describe(clock[0])}" if clock else None


@pytest.fixture(params=CLOCK_MATRIX)
def at_local(request: pytest.FixtureRequest) -> Iterator[datetime.datetime]:
    """Runs the test once at each moment of ``CLOCK_MATRIX``, given as the wall clock shows it
    (the clock ticks on from there). Ask for it before the fixtures that make records, so they
    are dated by the moved clock."""
    with time_machine.travel(request.param, tick=True):
        yield on_the_wall(request.param)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # The database cache is only reachable in tests that use the database.
    with contextlib.suppress(RuntimeError):
        cache.clear()


@pytest.fixture(autouse=True)
def _audit_log_emptied_after_transactional_tests(
    request: pytest.FixtureRequest, django_db_blocker: Any
) -> Iterator[None]:
    """The audit table is append-only and not Django's to manage, so the database's emptying
    after a transactional test (the browser tests, the live server) leaves its rows, and
    later tests in the process would read them as their own. Emptied here, in the test
    database only, its guard lifted for the moment by the database's owner."""
    yield
    if not {"transactional_db", "live_server"} & set(request.fixturenames):
        return
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE psp_auditentry DISABLE TRIGGER psp_auditentry_no_truncate")
            cursor.execute("TRUNCATE psp_auditentry")
            cursor.execute("ALTER TABLE psp_auditentry ENABLE TRIGGER psp_auditentry_no_truncate")


def forget_broker_connections() -> None:
    """The next message opens a new broker connection, to the broker configured then."""
    from kombu import pools

    from psp.celery import app as celery_app

    pools.reset()  # kombu's producer pools, shared by URL: closed and forgotten
    # Celery's own pools are private attributes, absent from its type stubs.
    celery_app._pool = None  # type: ignore[attr-defined]
    celery_app.amqp._producer_pool = None  # type: ignore[attr-defined]


@pytest.fixture
def redis_at(settings: Settings) -> Iterator[Callable[[str], None]]:
    """Points the cache, the Celery broker and ``/healthz`` at ``url``, as ``REDIS_URL`` does,
    with tasks sent to a broker instead of run in-process (the fault tests)."""
    from psp import cache as failsafe_cache
    from psp.celery import app as celery_app

    broker, eager = celery_app.conf.broker_url, celery_app.conf.task_always_eager

    def point(url: str) -> None:
        settings.REDIS_URL = url
        settings.CACHES = {
            "default": {
                "BACKEND": "psp.cache.FailSafeRedisCache",
                "LOCATION": url,
                "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
            }
        }
        # What ``conf.broker_url = url`` does; the stubs know only broker_url's getter.
        celery_app.conf["broker_url"] = url
        celery_app.conf.task_always_eager = False
        forget_broker_connections()
        failsafe_cache._down_until.clear()

    yield point
    celery_app.conf["broker_url"], celery_app.conf.task_always_eager = broker, eager
    forget_broker_connections()
    failsafe_cache._down_until.clear()


@pytest.fixture(autouse=True)
def _fresh_names() -> None:
    NAMES.unique.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's language, whatever an earlier test switched to."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Settings, tmp_path: Path) -> None:
    """Files a test stores (generated reports, documents) go to a temporary folder, never
    the repo."""
    settings.MEDIA_ROOT = tmp_path / "media"
    documents = settings.STORAGES["documents"]
    if documents["BACKEND"] == "django.core.files.storage.FileSystemStorage":
        options = {**documents["OPTIONS"], "location": str(tmp_path / "media" / "documents")}
        settings.STORAGES = {**settings.STORAGES, "documents": {**documents, "OPTIONS": options}}


@pytest.fixture
def door(db: None) -> Program:
    return ProgramFactory(slug="door", county="Door", name="Door County PSP")


@pytest.fixture
def rock(db: None) -> Program:
    return ProgramFactory(slug="rock", county="Rock", name="Rock County PSP")


@pytest.fixture
def make_member(db: None) -> Callable[..., User]:
    def make(program: Program, role: str, **user_fields: Any) -> User:
        user = UserFactory(**user_fields)
        MembershipFactory(user=user, program=program, role=role)
        return user

    return make


@pytest.fixture
def personas(
    door: Program, rock: Program, make_member: Callable[..., User]
) -> dict[str, User | None]:
    people: dict[str, User | None] = {"anonymous": None}
    for name, role in ROLE_PERSONAS.items():
        people[f"door_{name}"] = make_member(door, role, username=f"door-{name}")
    people["rock_coordinator"] = make_member(
        rock, Role.PROGRAM_COORDINATOR, username="rock-coordinator"
    )
    people["state"] = UserFactory(username="dcf-state", statewide_role=StatewideRole.STATE_STAFF)
    people["admin"] = UserFactory(
        username="admin", statewide_role=StatewideRole.ADMINISTRATOR, is_staff=True
    )
    people["no_role"] = UserFactory(username="no-role")
    return Personas(people)


class Personas(dict[str, User | None]):
    """The personas by name. ``school_staff`` (with the school-based program it works in,
    "wausau") is made the first time a test asks for it: the other tests see two programs,
    Door and Rock."""

    def __missing__(self, name: str) -> User | None:
        if name != "school_staff":
            raise KeyError(name)
        # School staff of a school-based program's school: they refer as a social worker
        # does, see only the referrals they made, and nothing of Door's.
        school_program = ProgramFactory(
            county="Marathon",
            name="Wausau Parent Peer Support",
            slug="wausau",
            program_type=ProgramType.PARENT_PEER_SUPPORT,
        )
        staff = UserFactory(username="wausau-school-staff")
        MembershipFactory(
            user=staff,
            program=school_program,
            role=Role.SCHOOL_STAFF,
            school=SchoolFactory(district__program=school_program, name="Riverview Elementary"),
        )
        self[name] = staff
        return staff


@pytest.fixture
def door_referral(personas: dict[str, User | None], door: Program) -> Referral:
    """A Door referral made by door_social_worker, with one parent and one child."""
    social_worker = personas["door_social_worker"]
    return ReferralFactory(
        family__program=door,
        referred_by=social_worker,
        referrer_email=social_worker.email,  # type: ignore[union-attr]
    )


@pytest.fixture
def client_for(client: Client) -> Callable[[User | None], Client]:
    def sign_in(user: User | None) -> Client:
        fresh = Client()
        if user is not None:
            fresh.force_login(user)
        return fresh

    return sign_in


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


# --- Browser tests ------------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail(
                "Chromium is not installed: browser tests must run in CI (make test installs it)."
            )
        pytest.skip("Chromium is not installed (make test installs it).")
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_context_args,
        "viewport": {"width": 768, "height": 1024},
        "locale": "en-US",
        # The tablet's "Today" is the program's today.
        "timezone_id": settings.TIME_ZONE,
    }
