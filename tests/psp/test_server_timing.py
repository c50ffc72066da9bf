"""Every answer says how long the app took to make it (``Server-Timing: app;dur=…``), as
browsers' developer tools and ``make bench`` read it; it counts the database queries only
when ``PSP_COUNT_QUERIES`` is on, and says nothing else."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

APP_ONLY = re.compile(r"app;dur=(\d+\.\d)")
WITH_QUERIES = re.compile(r'app;dur=(\d+\.\d), db;desc="(\d+) queries"')


def test_a_page_says_how_long_it_took(personas, client_for, door_referral):
    client = client_for(personas["door_coordinator"])
    response = client.get(f"/referrals/{door_referral.pk}/")
    assert response.status_code == 200
    timing = APP_ONLY.fullmatch(response["Server-Timing"])
    assert timing is not None, response["Server-Timing"]
    assert 0 < float(timing.group(1)) < 60_000


def test_queries_are_not_counted_by_default(personas, client_for):
    response = client_for(personas["door_coordinator"]).get("/referrals/")
    assert response.status_code == 200
    assert "db" not in response["Server-Timing"]
    assert APP_ONLY.fullmatch(response["Server-Timing"])


def test_queries_are_counted_when_turned_on(settings, personas, client_for):
    settings.PSP_COUNT_QUERIES = True
    client = client_for(personas["door_coordinator"])
    with CaptureQueriesContext(connection) as made:
        response = client.get("/referrals/")
    assert response.status_code == 200
    timing = WITH_QUERIES.fullmatch(response["Server-Timing"])
    assert timing is not None, response["Server-Timing"]
    assert int(timing.group(2)) == len(made) > 0


def test_anonymous_answers_are_timed_too_and_say_nothing_else():
    for path in ("/healthz", "/referrals/", "/accounts/login/"):
        response = Client().get(path)
        assert APP_ONLY.fullmatch(response["Server-Timing"]), (path, response["Server-Timing"])
