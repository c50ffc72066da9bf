"""On a tablet, in the demo's school-based program: a school staff member refers a family
with a fifth grader on an IEP; the coordinator accepts it and assigns a Parent Peer
Specialist, who logs the IEP meeting she went to with the mother. The case page shows the
child's school and plan and the meeting, and nothing of court or out-of-home care."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentoring.models import Activity, ActivityType
from referrals.models import Referral, Status
from tests.browser.conftest import axe_violations, sign_in

pytestmark = pytest.mark.browser


def test_school_staff_referral_becomes_a_case_with_an_iep_meeting(
    page: Page, live_server, demo, browser
) -> None:
    sign_in(page, live_server.url, "wausau-school-staff")
    page.goto(f"{live_server.url}/referrals/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Refer a family")
    assert axe_violations(page) == []

    page.get_by_label("First name").first.fill("Yer")
    page.get_by_label("Last name").first.fill("Chang")
    page.locator("#id_parents-0-birth_date_day").fill("2")
    page.locator("#id_parents-0-birth_date_month").fill("11")
    page.locator("#id_parents-0-birth_date_year").fill("1988")
    page.get_by_role("radio", name="Hmong").first.check()
    page.get_by_label("The parent agrees to be contacted by the program").first.check()
    page.get_by_role("radio", name="Said so (verbal)").first.check()
    page.locator("#id_children-0-first_name").fill("Tou")
    page.locator("#id_children-0-birth_date_day").fill("15")
    page.locator("#id_children-0-birth_date_month").fill("3")
    page.locator("#id_children-0-birth_date_year").fill("2016")
    # Her own school is the only one offered, chosen already.
    expect(page.locator("#id_children-0-school option:checked")).to_have_text(
        "Riverview Elementary School"
    )
    page.locator("#id_children-0-grade").select_option(label="Grade 5")
    page.get_by_role("radio", name="IEP (Individualized Education Program)").check()
    page.get_by_label("The child has mental-health needs").check()
    page.get_by_role("checkbox", name="School and IEP meetings").check()
    page.get_by_role("button", name="Send the referral").click()

    expect(page.get_by_role("status").first).to_contain_text("sent")
    referral = Referral.objects.get(family__parents__last_name="Chang")
    assert referral.program.slug == "wausau"
    child = referral.family.children.get()
    assert (child.grade, child.education_plan, str(child.school)) == (
        5,
        "iep",
        "Riverview Elementary School",
    )
    expect(page.get_by_role("main")).to_contain_text("Grade 5, Riverview Elementary School")

    coordinator = browser.new_page(viewport={"width": 768, "height": 1024})
    sign_in(coordinator, live_server.url, "wausau-coordinator")
    coordinator.goto(f"{live_server.url}/referrals/{referral.pk}/")
    coordinator.get_by_role("button", name="Start screening").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Screening")
    coordinator.get_by_role("button", name="Accept the referral").click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Accepted")
    coordinator.get_by_role("link", name="Assign a Parent Partner").click()
    coordinator.get_by_role("radio", name="Pa Yang", exact=False).first.check()
    coordinator.get_by_role("button", name="Assign", exact=True).click()
    expect(coordinator.get_by_role("status").first).to_contain_text("Pa Yang")
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED
    coordinator.close()

    specialist = browser.new_page(viewport={"width": 768, "height": 1024})
    sign_in(specialist, live_server.url, "wausau-parent-partner")
    specialist.goto(f"{live_server.url}/mentoring/log/?case={referral.case.pk}")
    specialist.get_by_role("radio", name="Yer Chang").check()
    specialist.get_by_role("radio", name="IEP meeting at school").check()
    specialist.get_by_role("radio", name="In person").check()
    specialist.get_by_role("radio", name="1 hour").check()
    specialist.get_by_label("Notes (optional)").fill("Went with Yer to Tou's IEP meeting.")
    # A school-based program logs school work: court is not on its list.
    expect(
        specialist.get_by_role("radio", name="Court hearing (attended or supported)")
    ).to_have_count(0)
    assert axe_violations(specialist) == []
    specialist.get_by_role("button", name="Save", exact=True).click()
    expect(specialist.get_by_role("heading", name="Contact saved")).to_be_visible()
    activity = Activity.objects.get(case=referral.case)
    assert activity.activity_type == ActivityType.IEP_MEETING

    specialist.goto(f"{live_server.url}/mentoring/cases/{referral.case.pk}/")
    main = specialist.get_by_role("main")
    expect(main).to_contain_text("IEP meeting at school")
    expect(main).to_contain_text("Riverview Elementary School")
    expect(main).not_to_contain_text("Permanency goal")
    expect(main).not_to_contain_text("Court hearings")
    assert axe_violations(specialist) == []
    specialist.close()
