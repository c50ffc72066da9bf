"""What a person who zooms, uses a keyboard or a finger sees: a focus ring they can find
(WCAG 2.4.7, 1.4.11), pages that reflow at 320 px and at 200% text (1.4.4, 1.4.10), and
targets of 44x44 px on the Parent Partner's tablet pages (2.5.5)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import BrowserContext, Locator, Page, ViewportSize

from councils.models import Council, CouncilMember, Meeting, OutreachEvent, Recommendation
from mentoring.models import (
    Activity,
    Case,
    CaseStatus,
    ClaimStatus,
    ExpenseClaim,
    FollowUp,
    Hearing,
    ParentPartner,
    Participation,
    Resource,
    ReviewStatus,
    TrainingRecord,
)
from psp.models import School, SchoolDistrict
from referrals.models import Child, Referral, ReferralRequest, RequestStatus, Status
from reporting.models import ComparisonExtract, ExtractStatus, Report, ReportStatus
from reporting.quarters import Quarter
from tests.browser.conftest import sign_in
from tests.test_bench_pages import BENCH  # every page each role opens

pytestmark = pytest.mark.browser

# Downloads and fragments are not pages a person reads in the browser.
NOT_A_PAGE = re.compile(
    r"(\.csv|\.zip|/pdf/|/csv/|/status/|/healthz|/service-worker\.js|/manifest\.webmanifest)(\?|$)"
)
ROLES = [
    "door_coordinator",
    "door_pp_coordinator",
    "door_parent_partner",
    "door_clinical",
    "door_social_worker",
    "state",
    "admin",
]


def _pk(row: Any) -> int | None:
    return row.pk if row is not None else None


def pages_of(role: str) -> list[str]:
    """The role's pages, filled in with the demo's records (Door's, or the person's own)."""
    partner = ParentPartner.objects.get(user__username="door-parent-partner")
    council = Council.objects.filter(program__slug="door").first()
    referral = Referral.objects.filter(program__slug="door").order_by("-pk").first()
    child = Child.objects.filter(family__program__slug="door", episodes__placements__isnull=False)
    child_row = child.order_by("-pk").first()
    episode = child_row.episodes.filter(placements__isnull=False).first() if child_row else None
    cases = Case.objects.filter(program__slug="door", status=CaseStatus.OPEN).order_by("-pk")
    waiting = Activity.objects.filter(review_status=ReviewStatus.WAITING).order_by("-pk")
    done = Report.objects.filter(status=ReportStatus.DONE).order_by("-pk")
    quarter = Quarter.last_completed()
    values: dict[str, Any] = {
        "referral": _pk(referral),
        "family": referral.family_id if referral else None,
        "parent": _pk(referral.family.parents.first()) if referral else None,
        "child": _pk(child_row),
        "episode": _pk(episode),
        "placement": _pk(episode.placements.first()) if episode else None,
        "case": _pk(cases.first()),
        "activity": _pk(waiting.filter(program__slug="door").first()),
        "hearing": _pk(Hearing.objects.filter(case__in=cases).order_by("-pk").first()),
        "follow_up": _pk(
            FollowUp.objects.filter(case__in=cases, done_at__isnull=True).order_by("-pk").first()
        ),
        "partner": partner.pk,
        "accepted": _pk(
            Referral.objects.filter(
                program__slug="door", status=Status.ACCEPTED, case__isnull=True
            ).first()
        ),
        "resource": _pk(Resource.objects.filter(program__slug="door").first()),
        "council": _pk(council),
        "member": _pk(CouncilMember.objects.filter(council=council).first()),
        "meeting": _pk(
            Meeting.objects.filter(council=council, held_on__lte=timezone.localdate())
            .order_by("-held_on")
            .first()
        ),
        "recommendation": _pk(Recommendation.objects.filter(council=council).first()),
        "stipend": None,
        "participation": _pk(
            Participation.objects.filter(parent_partner__program__slug="door").first()
        ),
        "training": _pk(
            TrainingRecord.objects.filter(parent_partner__program__slug="door").first()
        ),
        "school": _pk(School.objects.filter(district__program__slug="wausau").first()),
        "district": _pk(SchoolDistrict.objects.filter(program__slug="wausau").first()),
        "document": None,  # the demo keeps no family documents: their pages are left out
        **{
            f"{status}_claim": _pk(
                ExpenseClaim.objects.filter(parent_partner=partner, status=status).first()
            )
            for status in (ClaimStatus.SUBMITTED, ClaimStatus.SENT_BACK, ClaimStatus.APPROVED)
        },
        "event": _pk(OutreachEvent.objects.filter(program__slug="door").first()),
        "public_request": _pk(
            ReferralRequest.objects.filter(
                program__slug="door", status=RequestStatus.WAITING
            ).first()
        ),
        "report": _pk(done.filter(program__slug="door", suppressed=True).first()),
        "private": _pk(done.filter(program__slug="door", suppressed=False).first()),
        "statewide": _pk(done.filter(program=None).first()),
        "extract": _pk(ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).first()),
        "month": timezone.localdate().strftime("%Y-%m"),
        "quarter": f"{quarter.year}-{quarter.number}",
    }
    if role == "door_parent_partner":
        own = cases.filter(assignments__parent_partner=partner, assignments__ended_on__isnull=True)
        values["case"] = _pk(own.first())
        values["activity"] = _pk(waiting.filter(parent_partner=partner).first())
        values["hearing"] = _pk(Hearing.objects.filter(case__in=own).order_by("-pk").first())
        values["follow_up"] = _pk(
            FollowUp.objects.filter(case__in=own, done_at__isnull=True).order_by("-pk").first()
        )
    if role == "door_social_worker":
        mine = Referral.objects.filter(referred_by__username="door-social-worker")
        values["referral"] = _pk(mine.order_by("-pk").first())
    paths = []
    for _name, template in BENCH.PAGES[role]:
        if NOT_A_PAGE.search(template):
            continue
        needed = re.findall(r"{(\w+)}", template)
        if all(values[name] is not None for name in needed):
            paths.append(template.format(**values))
    return paths


def opens(page: Page, url: str) -> bool:
    """Whether the page is the person's to read (the demo's Parent Partner sits on no
    council: the councils' pages answer 403 or 404)."""
    response = page.goto(url)
    return response is not None and response.status == 200


DESKTOP: ViewportSize = {"width": 1280, "height": 900}
TABLET: ViewportSize = {"width": 768, "height": 1024}


def open_as(page: Page, base: str, account: str, size: ViewportSize, path: str = "") -> None:
    """Sign ``account`` in with the window at ``size``, then open ``path`` if given."""
    page.set_viewport_size(size)
    sign_in(page, base, account)
    if path:
        page.goto(f"{base}{path}")


def username(role: str) -> str:
    name = BENCH.ACCOUNTS[role]
    assert isinstance(name, str)
    return name


# --- No sideways scrolling ----------------------------------------------------------------

OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
ZOOM_TEXT = "() => { document.documentElement.style.fontSize = '200%'; }"
# A date in a table on more than one line ("Dec 1," / "2026"): more than one line box.
BROKEN = """() => [...document.querySelectorAll('table time')]
    .filter(date => date.getClientRects().length > 1).map(date => date.textContent)"""


def test_pages_reflow_at_320_px_and_at_200_percent_text(
    context: BrowserContext, live_server, demo
) -> None:
    """Every role in turn (the demo is seeded once for all of them); every page too wide,
    and every date in a table broken over two lines at 320 px."""
    wide = []
    for role in ROLES:
        context.clear_cookies()
        page = context.new_page()
        wide += [f"{role}: {problem}" for problem in too_wide(page, live_server.url, role)]
        page.close()
    assert wide == [], "\n".join(wide)


def too_wide(page: Page, base: str, role: str) -> list[str]:
    sign_in(page, base, username(role))
    paths = pages_of(role)
    assert len(paths) >= 3, role
    wide = []
    for path in paths:
        page.set_viewport_size({"width": 320, "height": 800})
        if not opens(page, f"{base}{path}"):
            continue
        if (overflow := page.evaluate(OVERFLOW)) > 0:
            wide.append(f"{path} at 320 px: {overflow} px too wide")
        wide += [f"{path} at 320 px: a date breaks: {date!r}" for date in page.evaluate(BROKEN)]
        # Text-only zoom: Bootstrap sizes text and spacing in rem.
        page.set_viewport_size({"width": 1280, "height": 800})
        page.evaluate(ZOOM_TEXT)
        if (overflow := page.evaluate(OVERFLOW)) > 0:
            wide.append(f"{path} at 200% text: {overflow} px too wide")
    return wide


# --- Focus you can see --------------------------------------------------------------------

INDICATOR = """element => {
    element.getAnimations().forEach(animation => animation.finish());  // Bootstrap's fades
    const style = getComputedStyle(element);
    const behind = node => {
        for (; node; node = node.parentElement) {
            const colour = getComputedStyle(node).backgroundColor;
            if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== 'transparent') return colour;
        }
        return 'rgb(255, 255, 255)';
    };
    return {
        focusVisible: element.matches(':focus-visible'),
        outlineStyle: style.outlineStyle,
        outlineWidth: parseFloat(style.outlineWidth),
        outlineOffset: parseFloat(style.outlineOffset),
        outlineColor: style.outlineColor,
        background: style.backgroundColor,
        boxShadow: style.boxShadow,
        own: behind(element),
        around: behind(element.parentElement),
    };
}"""

COLOUR = re.compile(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)")


def _rgba(text: str) -> tuple[float, float, float, float]:
    found = COLOUR.search(text)
    assert found, text
    red, green, blue, alpha = found.groups()
    return float(red), float(green), float(blue), float(alpha) if alpha is not None else 1.0


def _over(colour: str, background: str) -> tuple[float, float, float]:
    """The colour a person sees: ``colour`` laid over an opaque ``background``."""
    red, green, blue, alpha = _rgba(colour)
    under = _rgba(background)[:3]
    return tuple(
        alpha * c + (1 - alpha) * u for c, u in zip((red, green, blue), under, strict=True)
    )  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    lighter, darker = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


SHADOW = re.compile(
    r"(rgba?\([^)]*\))\s+(-?[\d.]+)px\s+(-?[\d.]+)px\s+([\d.]+)px(?:\s+(-?[\d.]+)px)?(\s+inset)?"
)


def focus_ring_contrast(locator: Locator) -> float:
    """The best contrast, against the colour it sits on, of any part of the focus
    indicator at least 2 px thick: the outline, a box shadow's ring or bar, or the
    element's own background when focus changes it."""
    page = locator.page
    page.keyboard.press("Tab")  # a keyboard user: the browser shows :focus-visible
    locator.evaluate("element => element.blur()")
    unfocused = locator.evaluate(INDICATOR)
    locator.focus()
    found = locator.evaluate(INDICATOR)
    assert found["focusVisible"], (
        f"not keyboard-focused: {locator.evaluate('e => e.outerHTML')[:200]}"
    )
    rings: list[float] = []
    if found["background"] != unfocused["background"]:
        filled = _over(found["background"], found["around"])
        rings.append(contrast(filled, _over(found["around"], "rgb(255,255,255)")))
    if found["outlineStyle"] != "none" and found["outlineWidth"] >= 2:
        # An outline drawn apart from the element sits on what is around it; touching it,
        # it is also next to the element's own colour: the weaker of the two counts.
        seen = _over(found["outlineColor"], found["around"])
        next_to = [found["around"]] + ([found["own"]] if found["outlineOffset"] <= 0 else [])
        rings.append(min(contrast(seen, _over(colour, "rgb(255,255,255)")) for colour in next_to))
    for colour, x, y, _blur, spread, inset in SHADOW.findall(found["boxShadow"]):
        thickness = max(abs(float(x)), abs(float(y)), float(spread or 0))
        if thickness < 2:
            continue
        under = found["own"] if inset else found["around"]
        rings.append(contrast(_over(colour, under), _over(under, "rgb(255,255,255)")))
    return max(rings, default=1.0)


BUTTON_STYLES = [
    "btn-primary",
    "btn-secondary",
    "btn-success",
    "btn-danger",
    "btn-warning",
    "btn-link",
    "btn-outline-primary",
    "btn-outline-secondary",
    "btn-outline-danger",
    "btn-outline-warning",
]


def test_every_kind_of_control_shows_a_focus_ring_of_three_to_one(
    page: Page, live_server, demo
) -> None:
    open_as(page, live_server.url, "door-coordinator", DESKTOP)
    case = Case.objects.filter(program__slug="door", status=CaseStatus.OPEN).first()
    referral = Referral.objects.filter(program__slug="door").first()
    assert case is not None and referral is not None
    ratios: dict[str, float] = {}
    for path in [
        "/mentoring/review/",
        "/mentoring/cases/",
        f"/mentoring/cases/{case.pk}/",
        f"/mentoring/cases/{case.pk}/close/",
        f"/referrals/{referral.pk}/",
        "/mentoring/parent-partners/",
        "/referrals/",
        "/programs/door/settings/",
        "/reports/",
        "/dashboard/",
    ]:
        page.goto(f"{live_server.url}{path}")
        # Each kind of control once, where it first shows (open menus are covered below).
        kinds = {
            "link in the dark menu": ".navbar .nav-link",
            "account menu": "#account-menu",
            "link": "main a:not(.btn)",
            "text field": "main input.form-control",
            "drop-down list": "main select",
            "checkbox": "main input[type=checkbox]",
            "pagination": "a.page-link",
            "details toggle": "main summary",
            **{style: f".btn.{style}" for style in BUTTON_STYLES},
        }
        for name, selector in kinds.items():
            visible = page.locator(f"{selector} >> visible=true")
            if name not in ratios and visible.count():
                ratios[name] = focus_ring_contrast(visible.first)
    page.goto(f"{live_server.url}/mentoring/review/")
    page.locator("summary.btn", has_text="Send back").first.click()  # opens its form
    ratios["btn-warning"] = focus_ring_contrast(page.locator(".btn-warning >> visible=true").first)
    page.locator("#account-menu").click()
    ratios["menu item"] = focus_ring_contrast(page.locator(".dropdown-item").first)
    missing = set(BUTTON_STYLES) | {"link in the dark menu", "link", "text field", "pagination"}
    assert missing - set(ratios) == set(), ratios
    weak = [f"{name}: {ratio:.1f}:1" for name, ratio in ratios.items() if ratio < 3]
    assert weak == [], weak


def test_form_fields_and_choices_show_a_focus_ring_of_three_to_one(
    page: Page, live_server, demo
) -> None:
    open_as(page, live_server.url, "door-parent-partner", TABLET, "/mentoring/log/")
    weak = []
    for name, locator in [
        ("radio", page.locator("main input[type=radio]").first),
        ("textarea", page.locator("main textarea").first),
        ("summary", page.locator("main summary").first),
        ("skip link", page.locator(".skip-link")),
        ("menu button", page.locator(".navbar-toggler")),
        ("language button", page.locator(".language-switcher button").first),
    ]:
        if not locator.count():
            weak.append(f"{name}: not on the page")
        elif (ratio := focus_ring_contrast(locator)) < 3:
            weak.append(f"{name}: {ratio:.1f}:1")
    assert weak == [], weak


# --- Targets a finger can hit -------------------------------------------------------------

TARGETS = """() => {
    const visible = element => {
        const box = element.getBoundingClientRect();
        const style = getComputedStyle(element);
        return box.width > 2 && box.height > 2 && style.visibility !== 'hidden';
    };
    const union = boxes => {
        const edge = (side, pick) => pick(...boxes.map(box => box[side]));
        return {
            width: edge('right', Math.max) - edge('left', Math.min),
            height: edge('bottom', Math.max) - edge('top', Math.min),
        };
    };
    const small = [];
    const controls = document.querySelectorAll(
        'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
    for (const element of controls) {
        if (!visible(element) && !['radio', 'checkbox'].includes(element.type)) continue;
        // Out of everyone's reach: off the page, out of the tab order and hidden from screen
        // readers (a public form's box for robots, psp/public.py).
        if (element.closest('[aria-hidden=true]') && element.tabIndex < 0) continue;
        // A link in running text is exempt (WCAG 2.5.5): its sentence sets its size.
        if (element.matches('a') && element.closest('p')) continue;
        let boxes = [element.getBoundingClientRect()];
        if (['radio', 'checkbox'].includes(element.type)) {
            // The label is part of the target: a tap on it checks the box.
            boxes = boxes.concat([...element.labels].map(label => label.getBoundingClientRect()));
            boxes = boxes.filter(box => box.width > 0 && box.height > 0);
            if (!boxes.length) continue;
        }
        const size = union(boxes);
        if (size.width < 43.5 || size.height < 43.5) {
            const name = (element.innerText || element.value || element.name || element.id)
                .trim().slice(0, 40);
            const tag = element.tagName.toLowerCase();
            small.push(`${tag} "${name}" ${Math.round(size.width)}x${Math.round(size.height)}`);
        }
    }
    return small;
}"""


def test_every_target_on_parent_partner_pages_is_44_px(page: Page, live_server, demo) -> None:
    open_as(page, live_server.url, "door-parent-partner", TABLET)
    small = []
    for path in pages_of("door_parent_partner"):
        if not opens(page, f"{live_server.url}{path}"):
            continue
        small += [f"{path}: {target}" for target in page.evaluate(TARGETS)]
    assert small == [], "\n".join(small)


# --- Contrast of the warning buttons ------------------------------------------------------

COLOURS = """element => {
    const style = getComputedStyle(element);
    return {text: style.color, fill: style.backgroundColor, edge: style.borderTopColor};
}"""


def test_send_back_reads_at_four_and_a_half_to_one_and_shows_its_edge(
    page: Page, live_server, demo
) -> None:
    open_as(page, live_server.url, "door-pp-coordinator", DESKTOP, "/mentoring/review/")
    send_back = page.locator("summary.btn", has_text="Send back").first
    send_back.click()
    confirm = page.locator(".btn-warning >> visible=true").first
    white = "rgb(255, 255, 255)"
    for button in [send_back, confirm]:
        colours = button.evaluate(COLOURS)
        fill = _over(colours["fill"], white)
        assert contrast(_over(colours["text"], white), fill) >= 4.5
        assert contrast(_over(colours["edge"], white), _over(white, white)) >= 3
