"""The test clock itself: what ``--clock`` accepts, and that a moved clock is the same in
every thread and in the program's time zone."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.utils import timezone

from tests.clock import CHICAGO, describe, local, parse_clock

TODAY = datetime.date(2026, 12, 1)


def test_an_hour_alone_is_that_local_time_tomorrow() -> None:
    moment = parse_clock("00:30", today=TODAY)
    assert moment == datetime.datetime(2026, 12, 2, 0, 30, tzinfo=CHICAGO)
    assert moment.astimezone(datetime.UTC).isoformat() == "2026-12-02T06:30:00+00:00"


def test_a_date_and_time_is_local_unless_it_carries_an_offset() -> None:
    assert parse_clock("2027-01-01T00:30", today=TODAY) == local(2027, 1, 1, 0, 30)
    second = parse_clock("2026-11-01T01:30-06:00", today=TODAY)
    assert describe(second) == "2026-11-01 01:30 CST"
    assert describe(parse_clock("2026-11-01T01:30", today=TODAY)) == "2026-11-01 01:30 CDT"


@pytest.mark.parametrize("value", ["noon", "25:00", "2026-13-01T00:30", ""])
def test_a_clock_that_is_not_a_time_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        parse_clock(value, today=TODAY)


def test_the_hour_that_does_not_exist_reads_as_the_hour_after() -> None:
    assert describe(local(2026, 3, 8, 2, 30)) == "2026-03-08 03:30 CDT"


def test_every_thread_reads_the_moved_clock(at_local: datetime.datetime) -> None:
    """The live server answers from its own thread: it must see the same day and hour."""
    seen: list[datetime.datetime] = []
    thread = threading.Thread(target=lambda: seen.append(timezone.localtime()))
    thread.start()
    thread.join()
    [moment] = seen
    assert moment.date() == at_local.date() == timezone.localdate()
    # Python subtracts two times of one time zone as wall times: compare them in UTC.
    elapsed = moment.astimezone(datetime.UTC) - at_local.astimezone(datetime.UTC)
    assert datetime.timedelta(0) <= elapsed < datetime.timedelta(minutes=1)
