"""With the keyboard alone: a Parent Partner logs a contact and a coordinator triages a
referral and assigns it. After each action focus lands on what the page says about it (the
status message, or the error summary), not back at the top of the page; allauth's pages
(password change and reset, two-step sign-in) use the project's error summary."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mentoring.models import Activity, ActivityType, Case
from psp.models import User
from referrals.models import Referral, Status
from tests.browser.conftest import axe_violations
from tests.factories import ChildFactory, ParentFactory, ReferralFactory
from tests.mentoring.factories import assign_case, profile_for
from tests.mfa import enroll_totp

pytestmark = pytest.mark.browser

FOCUSED = """([selector, text]) => {
  const element = document.activeElement;
  if (!element || !element.matches(selector)) return false;
  const words = (element.labels && element.labels.length ? element.labels[0] : element)
    .textContent.replace(/\\s+/g, " ").trim();
  return !text || words.includes(text);
}"""


def tab_to(page: Page, selector: str, text: str = "", *, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector`` (and its label or text
    holds ``text``), as someone without a mouse moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED, [selector, text]):
            return
    raise AssertionError(f"Tab never reached {selector} {text!r}")


def choose(page: Page, name: str, label: str) -> None:
    """Tab into the radio group ``name`` and pick ``label`` with the arrow keys."""
    radio = f"input[type=radio][name={name}]"
    tab_to(page, radio)
    if page.evaluate(FOCUSED, [radio, label]):
        page.keyboard.press("Space")
    else:
        for _ in range(30):
            page.keyboard.press("ArrowDown")  # moves to the next option and checks it
            if page.evaluate(FOCUSED, [radio, label]):
                break
        else:
            raise AssertionError(f"no option {label!r} in {name}")
    expect(page.locator(":focus")).to_be_checked()


def sign_in_by_keyboard(page: Page, base_url: str, user: User, password: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    tab_to(page, "#id_login")
    page.keyboard.type(user.username)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


def status_message(page: Page, text: str):
    return page.get_by_role("status").filter(has_text=text)


@pytest.fixture
def partner_case(transactional_db, personas, door) -> Case:
    referral = ReferralFactory(family__program=door, members=False)
    ParentFactory(family=referral.family, first_name="Renata", last_name="Okafor")
    ChildFactory(family=referral.family)
    return assign_case(referral, personas["door_parent_partner"])


def test_parent_partner_logs_a_contact_with_the_keyboard_only(
    page: Page, live_server, partner_case, personas, password
) -> None:
    sign_in_by_keyboard(page, live_server.url, personas["door_parent_partner"], password)
    tab_to(page, "a", "Log a contact")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log a contact")

    choose(page, "case", "Renata Okafor")
    choose(page, "activity_type", "Home visit")
    choose(page, "mode", "Phone")
    choose(page, "duration", "1 hour")
    tab_to(page, "#id_notes")
    page.keyboard.type("Talked through the visit plan.")
    tab_to(page, "button[type=submit]:not([name])", "Save")
    page.keyboard.press("Enter")

    saved = status_message(page, "Contact saved")
    expect(saved).to_be_focused()
    activity = Activity.objects.get(case=partner_case)
    assert activity.activity_type == ActivityType.HOME_VISIT
    assert activity.mode == "phone"
    assert activity.duration_minutes == 60
    assert activity.notes == "Talked through the visit plan."
    expect(saved).to_contain_text("60 minutes")


def test_coordinator_triages_and_assigns_a_referral_with_the_keyboard_only(
    page: Page, live_server, door_referral, personas, password
) -> None:
    partner = profile_for(personas["door_parent_partner"], door_referral.program_id)
    sign_in_by_keyboard(page, live_server.url, personas["door_coordinator"], password)
    page.goto(f"{live_server.url}/referrals/{door_referral.pk}/")

    tab_to(page, "button", "Start screening")
    page.keyboard.press("Enter")
    screening = status_message(page, "is now “Screening”")
    expect(screening).to_be_focused()
    assert page.evaluate("window.scrollY") < 200  # the message is in sight too

    tab_to(page, "button", "Accept the referral")  # Tab goes on from the message
    page.keyboard.press("Enter")
    expect(status_message(page, "is now “Accepted”")).to_be_focused()
    door_referral.refresh_from_db()
    assert door_referral.status == Status.ACCEPTED

    tab_to(page, "a", "Assign a Parent Partner")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a Parent Partner")
    choose(page, "parent_partner", str(partner))
    tab_to(page, "button[type=submit]", "Assign")
    page.keyboard.press("Enter")

    assigned = status_message(page, f"{partner} is now the Parent Partner")
    expect(assigned).to_be_focused()
    referral = Referral.objects.get(pk=door_referral.pk)
    assert referral.status == Status.ASSIGNED
    assert referral.case.assignments.get().parent_partner == partner


def test_a_post_without_a_message_puts_focus_on_the_heading(
    page: Page, live_server, personas, password
) -> None:
    """Switching the language sends a form and comes back with no message."""
    sign_in_by_keyboard(page, live_server.url, personas["door_coordinator"], password)
    expect(status_message(page, "Successfully signed in")).to_be_focused()
    page.reload()
    expect(page.locator("main :focus")).to_have_count(0)  # a plain visit leaves focus alone
    tab_to(page, "button", "Español")
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Hola")
    expect(heading).to_be_focused()


def test_wrong_current_password_is_summarised_and_the_link_goes_to_the_field(
    page: Page, live_server, personas, password
) -> None:
    sign_in_by_keyboard(page, live_server.url, personas["door_coordinator"], password)
    page.goto(f"{live_server.url}/accounts/password/change/")
    page.get_by_label("Current password").fill("not my password")
    page.locator("#id_password1").fill("a-new-long-passphrase-42")
    page.locator("#id_password2").fill("a-new-long-passphrase-42")
    page.get_by_role("button", name="Change password").click()

    summary = page.locator("[data-psp-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(page).to_have_title(re.compile(r"^Error: "))
    page.keyboard.press("Tab")  # the summary's first link
    expect(page.locator(":focus")).to_have_attribute("href", "#id_oldpassword")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Current password")).to_be_focused()
    assert axe_violations(page) == []


def test_password_reset_and_the_authenticator_code_summarise_their_errors(
    page: Page, live_server, personas, password
) -> None:
    page.goto(f"{live_server.url}/accounts/password/reset/")
    page.get_by_role("button", name=re.compile("Reset|Send", re.I)).click()
    summary = page.locator("[data-psp-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_attribute("href", "#id_email")

    coordinator = personas["door_coordinator"]
    enroll_totp(coordinator)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("User name or e-mail address").fill(coordinator.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    code = page.get_by_label("Code")
    code.fill("000000")  # not the authenticator's code
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator("[data-psp-error-summary]")
    expect(summary).to_be_focused()
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link").click()
    expect(code).to_be_focused()
    assert axe_violations(page) == []


def test_a_person_chooses_their_language_on_their_account_page_by_keyboard(
    page: Page, live_server, personas, password
) -> None:
    """From the account menu to "Your account", Español chosen with the arrow keys and saved:
    the next page is Spanish and focus is on the message that says so."""
    sign_in_by_keyboard(page, live_server.url, personas["door_parent_partner"], password)
    page.reload()  # from the top of the page
    tab_to(page, ".navbar-toggler")  # a tablet's width: the menu is folded
    page.keyboard.press("Enter")
    tab_to(page, "#account-menu")
    page.keyboard.press("Enter")
    tab_to(page, ".dropdown-item", "Your account")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("/profile/$"))
    assert axe_violations(page) == []
    choose(page, "language", "Español")
    tab_to(page, "button[type=submit]", "Save language")
    page.keyboard.press("Enter")
    expect(status_message(page, "Su idioma está guardado.")).to_be_focused()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator('main label[for] [lang="es"]')).to_have_text("Español")
    assert axe_violations(page) == []
