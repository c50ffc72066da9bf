"""The data the API contract test calls the API over: Door with a Parent Partner who has two
cases and a few contacts, Rock with a case of its own (which Door's callers must never
reach), a state-staff account with a token, and a stored quarterly report."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.utils import timezone

from mentoring.models import ActivityType, ContactMode
from psp.api import hash_key, new_key
from psp.models import ApiToken, Program, StatewideRole, User
from reporting.models import Report, ReportStatus, ReportStep
from tests.factories import ProgramFactory, ReferralFactory, UserFactory
from tests.mentoring.factories import ActivityFactory, ParentPartnerFactory, assign_case

# The calls go to the app in-process, whose client does not undo gzip as an HTTP client does.
PLAIN = {"Accept-Encoding": "identity"}


@dataclass(frozen=True)
class Caller:
    """How one kind of client signs its calls: the headers and cookies each call carries."""

    name: str
    user: User
    headers: dict[str, str]
    cookies: dict[str, str]


def _stored_report(program: Program | None) -> Report:
    pdf, csv = b"%PDF-1.7\n% contract placeholder\n", b"section,metric,value\r\n"
    return Report.objects.create(
        program=program,
        year=2026,
        quarter=2,
        status=ReportStatus.DONE,
        progress=100,
        step=ReportStep.DONE,
        started_at=timezone.now(),
        finished_at=timezone.now(),
        pdf=default_storage.save("reports/contract.pdf", ContentFile(pdf)),
        csv=default_storage.save("reports/contract.csv", ContentFile(csv)),
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        csv_sha256=hashlib.sha256(csv).hexdigest(),
    )


@pytest.fixture
def api_data(db: None) -> dict[str, Any]:
    door = ProgramFactory(slug="door", county="Door", name="Door County PSP")
    rock = ProgramFactory(slug="rock", county="Rock", name="Rock County PSP")
    partner = ParentPartnerFactory(program=door)
    assert partner.user is not None
    cases = [assign_case(ReferralFactory(family__program=door), partner.user) for _ in range(2)]
    for days_ago, case in enumerate(cases * 2, start=1):
        ActivityFactory(
            case=case,
            occurred_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            activity_type=ActivityType.HOME_VISIT if days_ago % 2 else ActivityType.CHECK_IN,
            mode=ContactMode.IN_PERSON if days_ago % 2 else ContactMode.PHONE,
        )
    rock_partner = ParentPartnerFactory(program=rock)
    assert rock_partner.user is not None
    rock_case = assign_case(ReferralFactory(family__program=rock), rock_partner.user)
    ActivityFactory(case=rock_case)
    state = UserFactory(username="dcf-state", statewide_role=StatewideRole.STATE_STAFF)
    key = new_key()
    ApiToken.objects.create(
        user=state,
        name="DCF quarterly figures",
        prefix=key[:12],
        key_hash=hash_key(key),
        expires_at=timezone.now() + datetime.timedelta(days=90),
    )
    reports = [_stored_report(door), _stored_report(None)]
    return {
        "door": door,
        "rock": rock,
        "parent_partner": partner.user,
        "cases": cases,
        "rock_case": rock_case,
        "state": state,
        "state_key": key,
        "reports": reports,
    }


@pytest.fixture(params=["tablet", "state_token"])
def caller(request: pytest.FixtureRequest, api_data: dict[str, Any]) -> Caller:
    """The two clients the API serves: the Parent Partner's tablet (the browser session, with
    the CSRF token on writes, as the app's own pages send it) and a state system's token."""
    if request.param == "tablet":
        user: User = api_data["parent_partner"]
        signed_in = Client()
        signed_in.force_login(user)
        session = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
        csrf = _get_new_csrf_string()
        return Caller(
            name="tablet",
            user=user,
            headers={**PLAIN, "X-CSRFToken": csrf},
            cookies={settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: csrf},
        )
    return Caller(
        name="state_token",
        user=api_data["state"],
        headers={**PLAIN, "Authorization": f"Bearer {api_data['state_key']}"},
        cookies={},
    )


@pytest.fixture
def api_schema(api_data: dict[str, Any], caller: Caller) -> Iterator[Any]:
    """The schema as the app serves it at /api/v1/schema/, called in-process (the WSGI app),
    so every call sees this test's data in this test's transaction. It asks for ``caller``
    so the contract test runs once for each kind of client.

    Django closes the database connection at the end of each request; here that would end
    the test's transaction, so, as Django's own test client does, it is kept open."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
