"""A Parent Partner's tablet without a connection: the pages it keeps (through its service
worker), the contacts it holds in its outbox until the server has them, a contact the
server refuses, and a shared tablet after sign-out."""

from __future__ import annotations

import datetime
import os
import re
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from mentoring import services
from mentoring.models import Activity, Case, CaseStatus, ClosureOutcome
from psp.models import User
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser

# Where the outbox's screenshots go, when asked for (PSP_SCREENSHOTS=/some/folder).
SHOTS = os.environ.get("PSP_SCREENSHOTS")


def shoot(page: Page, name: str) -> None:
    """The page at the tablet's width and a phone's, for a person to look at."""
    if not SHOTS:
        return
    size = page.viewport_size
    for width, height in ((768, 1024), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def families_of(username: str) -> list[tuple[Case, str]]:
    """The Parent Partner's open families (the demo's, which depend on the day it is seeded),
    each with its name as the home page writes it."""
    cases = (
        Case.objects.filter(
            status=CaseStatus.OPEN,
            assignments__parent_partner__user__username=username,
            assignments__ended_on__isnull=True,
        )
        .distinct()
        .order_by("pk")
    )
    named = [
        (
            case,
            " & ".join(f"{p.first_name} {p.last_name}" for p in case.family.parents.order_by("id")),
        )
        for case in cases
    ]
    assert len(named) >= 3, "the demo gives a Parent Partner at least three families"
    return named


def open_ready(page: Page, url: str) -> None:
    """The Parent Partner's home, once the tablet says it keeps their pages."""
    page.goto(f"{url}/mentoring/")
    expect(page.get_by_text("This tablet keeps your families")).to_be_visible(timeout=20000)


def log_offline(page: Page, family: str, kind: str, note: str, day: str = "") -> None:
    page.get_by_role("radio", name=re.compile("^" + re.escape(family) + r" \(")).check()
    if day:
        page.locator("#id_date").fill(day)
    page.get_by_role("radio", name=kind).check()
    page.get_by_role("radio", name="In person").check()
    page.get_by_role("radio", name="30 min").check()
    page.get_by_label("Notes (optional)").fill(note)
    page.get_by_role("button", name="Save and log another").click()
    expect(page.get_by_role("status").filter(has_text="Kept on this tablet")).to_contain_text(
        family
    )


def open_sign_out(page: Page) -> None:
    """Taps Sign out in the account menu (behind "Show menu" on a tablet), once the page's
    scripts have run: before that the menu does not open and Sign out would not ask about
    the outbox, as a person tapping while the page still loads would find too. A menu the
    page closes as it redraws (the outbox refreshing when the connection returns) is opened
    again, as a person would, until the tap is answered: the question about the outbox, or
    the sign-in page."""
    page.wait_for_load_state("load")
    account = page.locator("#account-menu")
    sign_out = page.get_by_role("button", name="Sign out")
    answered = page.locator("#sign-out-dialog[open], #id_login")
    for _attempt in range(3):
        if not account.is_visible():
            page.get_by_role("button", name="Show menu").click()
        expect(account).to_be_visible()
        account.click()
        try:
            expect(sign_out).to_be_visible(timeout=5000)
            sign_out.click(timeout=5000)
            expect(answered).to_have_count(1, timeout=5000)
            return
        except (AssertionError, PlaywrightTimeoutError):
            page.wait_for_load_state("load")
    raise AssertionError("Sign out was never answered")


def outbox_rows(page: Page):
    return page.get_by_role("region", name="Contacts kept on this tablet").get_by_role("listitem")


def test_a_day_offline_five_contacts_for_three_families_each_saved_once_in_order(
    page: Page, live_server, demo, context: BrowserContext, browser: Browser
) -> None:
    sign_in(page, live_server.url, "door-parent-partner")
    open_ready(page, live_server.url)

    # No connection: the home page, a family's page and the contact form still open.
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="My families")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="No connection")).to_be_visible()
    (_a, first), (_b, second), (_c, third) = families_of("door-parent-partner")[:3]
    page.get_by_role("link", name=first, exact=True).click()
    expect(page.get_by_role("heading", name=first, exact=True)).to_be_visible()
    page.go_back()
    page.get_by_role("link", name="Log a contact").first.click()
    expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()

    notes = [
        (first, "Home visit", "Offline one: kitchen table plan."),
        (second, "Team meeting", "Offline two: called about Tuesday."),
        (first, "Team meeting", "Offline three: reminder for court."),
        (third, "Home visit", "Offline four: first visit."),
        (second, "Home visit", "Offline five: visit after school."),
    ]
    for family, kind, note in notes:
        log_offline(page, family, kind, note)
    expect(outbox_rows(page)).to_have_count(5)
    for row in outbox_rows(page).all():
        expect(row).to_contain_text("Waiting to send")
    expect(outbox_rows(page).first).to_contain_text(f"Home visit with {first}")
    assert not Activity.objects.filter(notes__startswith="Offline").exists()
    shoot(page, "outbox-waiting")

    # The page closes; the tablet is back online and the app opens again: all five go.
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{live_server.url}/mentoring/")
    rows = outbox_rows(again)
    expect(rows).to_have_count(5)
    for row in rows.all():
        expect(row).to_contain_text("Sent", timeout=15000)
    shoot(again, "outbox-sent")
    saved = list(Activity.objects.filter(notes__startswith="Offline").order_by("pk"))
    assert [activity.notes for activity in saved] == [note for _f, _k, note in notes]

    # Opening the app again sends nothing twice.
    again.reload()
    expect(outbox_rows(again)).to_have_count(5)
    again.get_by_role("button", name="Send now").click()
    expect(outbox_rows(again).last).to_contain_text("Sent")
    assert Activity.objects.filter(notes__startswith="Offline").count() == 5

    coordinator = browser.new_page()
    sign_in(coordinator, live_server.url, "door-pp-coordinator")
    coordinator.goto(f"{live_server.url}/mentoring/review/")
    for _family, _kind, note in notes:
        expect(coordinator.get_by_text(note)).to_be_visible()
    coordinator.close()


CACHED_FAMILY_PAGES = """async () => {
  const found = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      if (new URL(request.url).pathname.startsWith('/mentoring/')) found.push(request.url);
    }
  }
  return found;
}"""

OUTBOX = """() => new Promise((resolve, reject) => {
  const opening = indexedDB.open('psp-outbox');
  opening.onerror = reject;
  opening.onsuccess = () => {
    const reading = opening.result.transaction('items').objectStore('items').getAll();
    reading.onsuccess = () => resolve(
      reading.result.map((item) => [item.user, item.state, item.payload.notes])
    );
  };
})"""


def test_a_refused_contact_waits_for_its_person_and_signing_out_keeps_the_tablet_clean(
    page: Page, live_server, demo, context: BrowserContext
) -> None:
    partner = User.objects.get(username="door-parent-partner")
    sign_in(page, live_server.url, "door-parent-partner")
    open_ready(page, live_server.url)
    context.set_offline(True)
    page.goto(f"{live_server.url}/mentoring/log/")
    (closed, gone), (kept_case, kept) = families_of("door-parent-partner")[:2]
    log_offline(page, gone, "Home visit", "Refused: the case closed meanwhile.")
    log_offline(page, kept, "Team meeting", "Accepted: checked on the family.")
    # A day the tablet cannot check (the family's referral is not on it): the server refuses.
    too_early = (kept_case.referral.received_on - datetime.timedelta(days=30)).isoformat()
    log_offline(page, kept, "Home visit", "Retried: the day was wrong.", too_early)

    # Meanwhile the coordinator closes the first family's case.
    services.case_close(
        actor=User.objects.get(username="door-pp-coordinator"),
        case=closed,
        expected_version=closed.version,
        closed_on=timezone.localdate(),
        outcome=ClosureOutcome.REUNIFIED,
        note="",
        discharges=[],
    )

    # Back online, but the server cannot be reached yet: both still wait, and signing out
    # asks to send them first.
    page.route("**/api/v1/contacts/", lambda route: route.abort())
    context.set_offline(False)
    page.get_by_role("button", name="Send now").click()
    # Every row has settled: one still being sent redraws the list, which closes a menu
    # opened meanwhile (and Sign out is then never tapped).
    expect(outbox_rows(page)).to_have_count(3)
    for row in outbox_rows(page).all():
        expect(row).to_contain_text("Waiting to send")
    open_sign_out(page)
    dialog = page.get_by_role("dialog", name="Send your contacts before you sign out?")
    expect(dialog).to_contain_text("Contacts not yet sent: 3")
    assert axe_violations(page) == []
    shoot(page, "sign-out-prompt")

    page.unroute("**/api/v1/contacts/")
    dialog.get_by_role("button", name="Send them, then sign out").click()
    expect(dialog).to_contain_text("Contacts not yet sent: 2")
    dialog.get_by_role("button", name="Stay signed in").click()
    refused = outbox_rows(page).filter(has_text=gone)
    expect(refused).to_contain_text("Needs your attention")
    expect(refused).to_contain_text("This family is not on your caseload now")
    # Nothing in the form would change that: Discard, not Edit and retry.
    expect(refused.get_by_role("link", name="Edit and retry")).to_be_hidden()
    expect(refused.get_by_role("button", name="Discard")).to_be_visible()
    expect(outbox_rows(page).filter(has_text=f"Team meeting with {kept}")).to_contain_text("Sent")
    shoot(page, "outbox-attention")
    assert axe_violations(page) == []
    assert Activity.objects.filter(notes="Accepted: checked on the family.").count() == 1
    assert not Activity.objects.filter(notes__startswith="Refused").exists()

    # A contact refused for what it says comes back in the form to be put right.
    wrong_day = outbox_rows(page).nth(2)
    expect(wrong_day).to_contain_text("before the family was referred")
    wrong_day.get_by_role("link", name="Edit and retry").click()
    expect(
        page.get_by_role("status").filter(has_text="This contact was not accepted")
    ).to_contain_text("before the family was referred")
    expect(page.get_by_label("Notes (optional)")).to_have_value("Retried: the day was wrong.")
    page.get_by_role("button", name="Today").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Contact saved")).to_be_visible()
    assert Activity.objects.filter(notes="Retried: the day was wrong.").count() == 1
    page.goto(f"{live_server.url}/mentoring/")
    expect(outbox_rows(page)).to_have_count(2)  # the refused one, and the one sent
    refused = outbox_rows(page).filter(has_text=gone)

    # Nothing is dropped without the person's word: Discard asks, and "no" keeps it.
    page.once("dialog", lambda question: question.dismiss())
    refused.get_by_role("button", name="Discard").click()
    expect(refused).to_be_visible()

    open_sign_out(page)
    dialog.get_by_role("button", name="Sign out, keep them for me").click()
    expect(page.get_by_label("User name or e-mail address")).to_be_visible()
    assert page.evaluate(CACHED_FAMILY_PAGES) == []
    kept = page.evaluate(OUTBOX)
    assert kept == [[str(partner.pk), "attention", "Refused: the case closed meanwhile."]]

    # Another Parent Partner on the same tablet sees none of it, online or off.
    sign_in(page, live_server.url, "rock-parent-partner")
    open_ready(page, live_server.url)
    expect(page.get_by_role("region", name="Contacts kept on this tablet")).to_be_hidden()
    context.set_offline(True)
    page.reload()
    expect(page.get_by_role("heading", name="My families")).to_be_visible()
    expect(page.get_by_text(kept)).to_have_count(0)
    context.set_offline(False)

    # Its own person signs in again: the refused contact is still theirs to settle.
    open_sign_out(page)
    expect(page.get_by_label("User name or e-mail address")).to_be_visible()
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/")
    expect(outbox_rows(page)).to_have_count(1)
    expect(outbox_rows(page).first).to_contain_text("Needs your attention")


def test_a_session_that_ends_offline_keeps_the_outbox_for_its_person_only(
    page: Page, live_server, demo, context: BrowserContext
) -> None:
    """The session ends while the tablet is offline (timed out, or ended by an
    administrator): the contacts wait for the same person to sign in again, are never shown
    to or sent as anyone else, and then go, each once."""
    partner = User.objects.get(username="door-parent-partner")
    sign_in(page, live_server.url, "door-parent-partner")
    open_ready(page, live_server.url)
    context.set_offline(True)
    page.goto(f"{live_server.url}/mentoring/log/")
    (_one, first), (_two, second) = families_of("door-parent-partner")[:2]
    log_offline(page, first, "Home visit", "Expired one: porch conversation.")
    log_offline(page, second, "Team meeting", "Expired two: school meeting.")

    # Meanwhile the server ends the session.
    from django.contrib.sessions.models import Session

    for session in Session.objects.all():
        if session.get_decoded().get("_auth_user_id") == str(partner.pk):
            session.delete()

    # Back online: the next page asks to sign in; the outbox is still on the tablet.
    context.set_offline(False)
    page.goto(f"{live_server.url}/mentoring/")
    expect(page.get_by_label("User name or e-mail address")).to_be_visible()
    kept = page.evaluate(OUTBOX)
    assert sorted(note for _user, _state, note in kept) == [
        "Expired one: porch conversation.",
        "Expired two: school meeting.",
    ]
    assert {user for user, _state, _note in kept} == {str(partner.pk)}
    assert not Activity.objects.filter(notes__startswith="Expired").exists()

    # Another Parent Partner signs in on the same tablet: nothing of it shown or sent.
    sign_in(page, live_server.url, "rock-parent-partner")
    open_ready(page, live_server.url)
    expect(page.get_by_role("region", name="Contacts kept on this tablet")).to_be_hidden()
    expect(page.get_by_text("Expired one")).to_have_count(0)
    page.get_by_role("link", name="Log a contact").first.click()
    expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()
    expect(page.get_by_text("Expired two")).to_have_count(0)
    assert not Activity.objects.filter(notes__startswith="Expired").exists()
    page.goto(f"{live_server.url}/mentoring/")
    open_sign_out(page)
    expect(page.get_by_label("User name or e-mail address")).to_be_visible()

    # Its own person signs in again: both go, once each, in the order they were logged.
    sign_in(page, live_server.url, "door-parent-partner")
    page.goto(f"{live_server.url}/mentoring/")
    rows = outbox_rows(page)
    expect(rows).to_have_count(2)
    for row in rows.all():
        expect(row).to_contain_text("Sent", timeout=15000)
    saved = Activity.objects.filter(notes__startswith="Expired").order_by("pk")
    assert [a.notes for a in saved] == [
        "Expired one: porch conversation.",
        "Expired two: school meeting.",
    ]
    assert {a.parent_partner.user_id for a in saved} == {partner.pk}


def test_a_contact_made_offline_is_checked_as_the_server_would_before_it_is_kept(
    page: Page, live_server, demo, context: BrowserContext
) -> None:
    sign_in(page, live_server.url, "door-parent-partner")
    open_ready(page, live_server.url)
    (_case, family), *_others = families_of("door-parent-partner")
    context.set_offline(True)
    page.get_by_role("link", name="Log a contact").first.click()
    expect(page.get_by_role("heading", name="Log a contact")).to_be_visible()

    # Saved with nothing chosen: the problems are listed, as the server would list them,
    # and nothing is kept to be refused later.
    page.get_by_role("button", name="Save", exact=True).click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    for message in (
        "Choose the family.",
        "Choose what kind of contact it was.",
        "Choose how the contact happened.",
        "Choose how long the contact took.",
    ):
        expect(summary.get_by_role("link", name=message)).to_be_visible()
    expect(page.locator("#div_id_case").get_by_text("Choose the family.")).to_be_visible()
    expect(outbox_rows(page)).to_have_count(0)
    assert axe_violations(page) == []
    summary.get_by_role("link", name="Choose the family.").click()
    expect(page.locator("#id_case_0")).to_be_focused()

    # A day after today is refused too; what was fixed is no longer listed.
    page.get_by_role("radio", name=re.compile("^" + re.escape(family) + r" \(")).check()
    page.get_by_role("radio", name="Home visit").check()
    page.get_by_role("radio", name="In person").check()
    page.get_by_role("radio", name="30 min").check()
    page.get_by_label("Notes (optional)").fill("Checked before it was kept.")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page.locator("#id_date").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary.get_by_role("link", name="A contact cannot be in the future.")).to_be_visible()
    expect(outbox_rows(page)).to_have_count(0)

    # Corrected, it is kept, and the problems are gone.
    page.locator("#id_date").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Kept on this tablet")).to_contain_text(
        family
    )
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_have_count(0)
    expect(outbox_rows(page)).to_have_count(1)
