"""A Parent Partner changes contacts already saved while the tablet has no connection: each
change waits in the outbox, only what they changed is sent, and what happened meanwhile on
the server (the contact changed elsewhere, or signed off) is shown for them to settle."""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page, expect

from mentoring import services
from mentoring.models import Activity, ActivityType, Case, ContactMode
from psp.models import User
from tests.browser.conftest import axe_violations, sign_in
from tests.browser.test_offline import families_of, open_ready, outbox_rows, shoot

pytestmark = pytest.mark.browser


def logged(case: Case, username: str, notes: str) -> Activity:
    """A contact the Parent Partner logged this morning, as the contact form saves it."""
    user = User.objects.get(username=username)
    partner = case.assignments.get(ended_on__isnull=True).parent_partner
    activity, _created = services.activity_log(
        actor=user,
        partner=partner,
        case=case,
        data={
            "occurred_on": timezone.localdate(),
            "duration_minutes": 45,
            "activity_type": ActivityType.HOME_VISIT,
            "mode": ContactMode.IN_PERSON,
            "location": "Family home",
            "notes": notes,
            "present": [],
        },
        client_uuid=uuid.uuid4(),
    )
    return activity


def change_offline(page: Page, url: str, activity: Activity, notes: str) -> None:
    """From the family's page (kept on the tablet), the contact's change form: new notes."""
    page.goto(f"{url}/mentoring/cases/{activity.case_id}/")
    page.locator(f'a[href="/mentoring/contacts/{activity.pk}/edit/"]').click()
    expect(page.get_by_role("heading", name="Change a contact")).to_be_visible()
    page.get_by_label("Notes (optional)").fill(notes)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Your change is kept")).to_be_visible()


def test_changes_made_offline_are_sent_and_what_happened_meanwhile_is_shown_to_settle(
    page: Page, live_server, demo, context: BrowserContext
) -> None:
    username = "door-parent-partner"
    (case, family), *_rest = families_of(username)
    plain = logged(case, username, "Before: plain visit.")
    disputed = logged(case, username, "Before: disputed visit.")
    locked = logged(case, username, "Before: locked visit.")
    sign_in(page, live_server.url, username)
    open_ready(page, live_server.url)
    context.set_offline(True)

    change_offline(page, live_server.url, plain, "After: plain visit, corrected offline.")
    change_offline(page, live_server.url, disputed, "Mine: what I saw at the visit.")
    change_offline(page, live_server.url, locked, "Mine: a late correction.")
    # Opened again before it is sent, the form shows the change, not the old words.
    page.goto(f"{live_server.url}/mentoring/contacts/{plain.pk}/edit/")
    expect(page.get_by_label("Notes (optional)")).to_have_value(
        "After: plain visit, corrected offline."
    )
    expect(page.get_by_role("status").filter(has_text="has not been sent yet")).to_be_visible()
    assert Activity.objects.get(pk=plain.pk).notes == "Before: plain visit."

    # Meanwhile, on the server: the coordinator's office corrects the disputed contact (its
    # notes and its place) and signs the locked one off.
    coordinator = User.objects.get(username="door-pp-coordinator")
    partner = User.objects.get(username=username)
    services.activity_update(
        actor=partner,
        activity=Activity.objects.get(pk=disputed.pk),
        data={"notes": "Theirs: corrected from the office.", "location": "Library"},
        expected_version=disputed.version,
    )
    services.activity_review(
        actor=coordinator,
        activity=Activity.objects.get(pk=locked.pk),
        sign_off=True,
        comment="",
        expected_version=locked.version,
    )

    context.set_offline(False)
    page.goto(f"{live_server.url}/mentoring/")
    rows = outbox_rows(page)
    expect(rows).to_have_count(3)
    sent = rows.nth(0)
    expect(sent).to_contain_text(f"Your change to Home visit with {family}")
    expect(sent).to_contain_text("Sent", timeout=15000)

    conflict = rows.nth(1)
    expect(conflict).to_contain_text("Needs your attention")
    expect(conflict).to_contain_text("Someone changed this contact after you opened it.")
    expect(conflict).to_contain_text("Now: Theirs: corrected from the office.")
    expect(conflict).to_contain_text("Yours: Mine: what I saw at the visit.")
    expect(conflict.get_by_role("button", name="Keep mine")).to_be_visible()
    expect(conflict.get_by_role("button", name="Keep theirs")).to_be_visible()

    signed = rows.nth(2)
    expect(signed).to_contain_text("This contact was signed off. Ask your coordinator")
    expect(signed).to_contain_text("Yours: Mine: a late correction.")
    expect(signed.get_by_role("link", name="Edit and retry")).to_be_hidden()
    shoot(page, "outbox-conflict")
    assert axe_violations(page) == []

    # Nothing was overwritten silently: the server still has the office's version.
    stored = Activity.objects.get(pk=disputed.pk)
    assert (stored.notes, stored.location) == ("Theirs: corrected from the office.", "Library")
    assert Activity.objects.get(pk=locked.pk).notes == "Before: locked visit."
    # Only the notes were changed offline: the rest of the plain contact is as it was.
    corrected = Activity.objects.get(pk=plain.pk)
    assert corrected.notes == "After: plain visit, corrected offline."
    assert (corrected.duration_minutes, corrected.location) == (45, "Family home")

    # "Keep mine": the Parent Partner's notes, over the office's; the office's place stays.
    conflict.get_by_role("button", name="Keep mine").click()
    expect(conflict).to_contain_text("Sent", timeout=15000)
    stored = Activity.objects.get(pk=disputed.pk)
    assert (stored.notes, stored.location) == ("Mine: what I saw at the visit.", "Library")

    # The signed-off one: "no" keeps it; "yes" lets it go, and the server is untouched.
    page.once("dialog", lambda question: question.dismiss())
    signed.get_by_role("button", name="Discard").click()
    expect(rows).to_have_count(3)
    page.once("dialog", lambda question: question.accept())
    rows.nth(2).get_by_role("button", name="Discard").click()
    expect(rows).to_have_count(2)
    assert Activity.objects.get(pk=locked.pk).notes == "Before: locked visit."


def test_keep_theirs_drops_only_the_change_after_asking(
    page: Page, live_server, demo, context: BrowserContext
) -> None:
    username = "door-parent-partner"
    (case, _family), *_rest = families_of(username)
    contact = logged(case, username, "Before: a visit.")
    sign_in(page, live_server.url, username)
    open_ready(page, live_server.url)
    context.set_offline(True)
    change_offline(page, live_server.url, contact, "Mine: the visit as I remember it.")
    services.activity_update(
        actor=User.objects.get(username=username),
        activity=Activity.objects.get(pk=contact.pk),
        data={"notes": "Theirs: the visit as the office has it."},
        expected_version=contact.version,
    )
    context.set_offline(False)
    page.goto(f"{live_server.url}/mentoring/")
    row = outbox_rows(page).first
    expect(row).to_contain_text("Needs your attention", timeout=15000)
    page.once("dialog", lambda question: question.dismiss())
    row.get_by_role("button", name="Keep theirs").click()
    expect(row).to_contain_text("Needs your attention")
    page.once("dialog", lambda question: question.accept())
    row.get_by_role("button", name="Keep theirs").click()
    expect(outbox_rows(page)).to_have_count(0)
    assert Activity.objects.get(pk=contact.pk).notes == "Theirs: the visit as the office has it."
