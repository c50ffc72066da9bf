"""The clock tests run at: a whole session's starting time and the hours and dates that break
things.

``pytest --clock=00:30`` (or ``PSP_TEST_CLOCK=00:30``) starts the clock for the whole run at
00:30 America/Chicago tomorrow; ``--clock=2026-11-01T01:30`` picks the day too, and a UTC
offset (``2026-11-01T01:30-06:00``) picks which of a repeated hour. The clock keeps ticking
from there, in the test process, its live-server threads and the browser pages.

``CLOCK_MATRIX`` is the list of local moments a time-sensitive test runs at, through the
``at_local`` fixture in ``tests/conftest.py``.

Processes a test starts (a real Celery worker) read the real clock: ``real_clock()`` lets the
test process read it too where it compares times with theirs (the worker's heartbeat).
"""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import pytest
import time_machine

CHICAGO = ZoneInfo("America/Chicago")
CLOCK_ENV = "PSP_TEST_CLOCK"


def real_time() -> float:
    """Seconds since the epoch on the real clock, whatever clock the session runs on."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return time.time()


@contextmanager
def real_clock() -> Iterator[None]:
    """Inside, this process reads the real clock (still ticking), as its subprocesses do."""
    if not time_machine.escape_hatch.is_travelling():
        yield
        return
    with time_machine.travel(real_time(), tick=True):
        yield


_HOUR = re.compile(r"^(?P<hour>\d{1,2}):(?P<minute>\d{2})$")


def local(
    year: int, month: int, day: int, hour: int, minute: int, *, fold: int = 0
) -> datetime.datetime:
    """An aware moment in the program's time zone; ``fold=1`` is the second of a repeated hour."""
    return datetime.datetime(year, month, day, hour, minute, fold=fold, tzinfo=CHICAGO)


def parse_clock(value: str, *, today: datetime.date) -> datetime.datetime:
    """The moment ``--clock`` names: ``HH:MM`` is that local time on the day after ``today``;
    ``YYYY-MM-DDTHH:MM`` is local unless it carries its own UTC offset."""
    text = value.strip()
    hour = _HOUR.match(text)
    if hour:
        tomorrow = today + datetime.timedelta(days=1)
        moment = datetime.datetime.combine(
            tomorrow, datetime.time(int(hour["hour"]), int(hour["minute"]))
        )
    else:
        try:
            moment = datetime.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"--clock={value!r}: expected HH:MM or YYYY-MM-DDTHH:MM (local time)."
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHICAGO)
    return moment


def on_the_wall(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` as a clock in the program's time zone shows it: 02:30 on the day clocks
    spring forward shows as 03:30 CDT. (Through UTC: Python leaves a datetime already in the
    same time zone as it is.)"""
    return moment.astimezone(datetime.UTC).astimezone(CHICAGO)


def describe(moment: datetime.datetime) -> str:
    """How a moment reads on the clock on the wall, e.g. ``2026-11-01 01:30 CST``."""
    return on_the_wall(moment).strftime("%Y-%m-%d %H:%M %Z")


# Each moment: what it tests, and when. The dates are fixed so a failure can be repeated.
CLOCK_MATRIX = [
    pytest.param(local(2027, 5, 12, 0, 30), id="after-midnight"),
    pytest.param(local(2027, 5, 12, 11, 59), id="before-noon"),
    pytest.param(local(2027, 5, 12, 12, 1), id="after-noon"),
    pytest.param(local(2027, 5, 12, 23, 30), id="late-evening"),
    # 02:30 does not exist the day clocks spring forward: it reads as 03:30 CDT.
    pytest.param(local(2026, 3, 8, 2, 30), id="dst-starts-2026-0230"),
    pytest.param(local(2027, 3, 14, 23, 30), id="dst-starts-2027-2330"),
    # 01:30 happens twice the day clocks fall back: once in CDT, once in CST.
    pytest.param(local(2026, 11, 1, 1, 30), id="dst-ends-2026-0130-first"),
    pytest.param(local(2026, 11, 1, 1, 30, fold=1), id="dst-ends-2026-0130-second"),
    pytest.param(local(2027, 11, 7, 0, 30), id="dst-ends-2027-0030"),
    pytest.param(local(2027, 4, 1, 0, 30), id="quarter-first-day"),
    pytest.param(local(2027, 6, 30, 23, 30), id="quarter-last-day"),
    pytest.param(local(2026, 12, 31, 23, 30), id="new-years-eve"),
    pytest.param(local(2027, 1, 1, 0, 30), id="new-years-day"),
]
