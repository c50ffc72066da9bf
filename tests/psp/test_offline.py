"""The tablet app's manifest and service worker, and which pages the service worker may
keep: a Parent Partner's own plain pages, never a coordinator's, never one that carries a
query or a message."""

from __future__ import annotations

import json

import pytest
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import StaticFilesStorage

from mentoring.models import ReviewStatus
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.mentoring.factories import ActivityFactory, assign_case

pytestmark = pytest.mark.django_db

HEADER = "X-PSP-Offline-User"


def test_the_service_worker_is_served_from_the_root_for_everyone_and_asked_for_each_time(
    client,
) -> None:
    response = client.get("/service-worker.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/"
    script = response.content.decode()
    config = json.loads(script.split("self.PSP_OFFLINE = ", 1)[1].split(";\n", 1)[0])
    shell = [entry["url"] for entry in config["precache"]]
    assert "/static/css/psp.css" in shell
    assert "/static/icons/icons.woff2" in shell
    assert config["home"] == "/mentoring/"
    assert '"/static/vendor/workbox/workbox-strategies.prod.js"' in script
    assert '"/static/js/service-worker.js"' in script


def test_every_file_of_the_shell_is_there_to_keep(client) -> None:
    """Each entry's revision is its content's hash (file names carry none in development);
    a file that is not there would leave the tablet without its styles or scripts."""
    config = client.get("/service-worker.js").content.decode()
    assert '"revision": "missing"' not in config


def test_the_manifest_installs_the_parent_partners_app(client) -> None:
    response = client.get("/manifest.webmanifest")

    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == "/mentoring/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


@pytest.fixture
def partner_case(personas, door):
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    return assign_case(referral, personas["door_parent_partner"])


def test_a_parent_partners_own_pages_are_marked_theirs_to_keep(
    personas, client_for, partner_case
) -> None:
    partner = personas["door_parent_partner"]
    tablet = client_for(partner)

    for url in ("/mentoring/", f"/mentoring/cases/{partner_case.pk}/", "/mentoring/log/"):
        response = tablet.get(url)
        assert response.status_code == 200, url
        assert response[HEADER] == str(partner.pk), url
    # A page opened with a query (a family chosen) is not the plain page to keep.
    assert HEADER not in tablet.get(f"/mentoring/log/?case={partner_case.pk}")
    # Nor is a page that is not among those kept.
    assert HEADER not in tablet.get("/mentoring/contacts/")


def test_a_contact_still_open_to_change_is_kept_to_change_offline(
    personas, client_for, partner_case
) -> None:
    """The family's page marks the change forms the tablet keeps: not a signed-off one,
    which only the coordinator may change (its form answers 403 and is never kept)."""
    partner = personas["door_parent_partner"]
    tablet = client_for(partner)
    open_one = ActivityFactory(case=partner_case)
    locked = ActivityFactory(case=partner_case, review_status=ReviewStatus.SIGNED_OFF)

    page = tablet.get(f"/mentoring/cases/{partner_case.pk}/").content.decode()
    assert f'href="/mentoring/contacts/{open_one.pk}/edit/" data-psp-keep' in page
    assert f'href="/mentoring/contacts/{locked.pk}/edit/">' in page

    response = tablet.get(f"/mentoring/contacts/{open_one.pk}/edit/")
    assert response.status_code == 200
    assert response[HEADER] == str(partner.pk)
    assert f'data-psp-change="{open_one.pk}"' in response.content.decode()
    assert HEADER not in tablet.get(f"/mentoring/contacts/{locked.pk}/edit/")
    # The coordinator's view of the same form is theirs online only.
    coordinator = client_for(personas["door_coordinator"])
    assert HEADER not in coordinator.get(f"/mentoring/contacts/{open_one.pk}/edit/")


def test_a_page_with_a_message_is_not_kept(personas, client_for, partner_case) -> None:
    tablet = client_for(personas["door_parent_partner"])
    tablet.post(
        "/mentoring/log/",
        {
            "client_uuid": "5b0e7b8e-6a55-4a51-9a0e-0f1d1d2b6a11",
            "case": partner_case.pk,
            "date": partner_case.opened_on.isoformat(),
            "activity_type": "home_visit",
            "mode": "in_person",
            "duration": "30",
            "another": "1",
        },
    )
    # The next page shows "Saved: ..."; opened later from the tablet it would be wrong.
    response = tablet.get("/mentoring/")
    assert "Saved:" in response.content.decode()
    assert HEADER not in response


def test_a_coordinators_pages_are_not_kept(personas, client_for, partner_case) -> None:
    response = client_for(personas["door_coordinator"]).get(f"/mentoring/cases/{partner_case.pk}/")

    assert response.status_code == 200
    assert HEADER not in response


def test_a_hashed_shell_file_is_kept_under_its_own_name(client, settings) -> None:
    """In production each file's name carries its hash: Workbox needs no revision of its own
    (which would add a query and miss the browser's cache of the same file)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "tests.psp.test_offline.HashedNames"},
    }
    script = client.get("/service-worker.js").content.decode()
    config = json.loads(script.split("self.PSP_OFFLINE = ", 1)[1].split(";\n", 1)[0])

    assert {"url": "/static/css/psp.abc123.css", "revision": None} in config["precache"]


class HashedNames(StaticFilesStorage):
    def url(self, name: str | None) -> str:
        stem, _dot, extension = (name or "").rpartition(".")
        return super().url(f"{stem}.abc123.{extension}")
