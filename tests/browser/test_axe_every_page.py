"""axe-core (WCAG 2.0/2.1 A and AA, every impact) on every page every role reaches.

The pages come from the role x view matrix (``tests/<app>/matrix_cases.py``): each role opens
each page the matrix says it reads (answer 200), with the matrix's own records added to the
demo data, and the account pages below. Each page is checked at a desktop, tablet and phone
width; then, for each role, its menus opened, and for the first role that reaches each form,
the form sent empty (the page with its errors). Pages that change with htmx are checked once
the new content has settled. A URL added to the project must be checked here or excluded
below with its reason (``test_every_url_is_checked_or_excluded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from councils.models import Council, OutreachEvent, Stipend
from mentoring.models import Case, ParentPartner, Resource
from psp.models import Program, User
from referrals.models import Referral, Status
from reporting.models import Report, ReportStatus, ReportStep
from tests.browser.conftest import axe_report, inject_axe
from tests.factories import ReferralFactory, UserFactory
from tests.matrix import PERSONAS
from tests.reporting.matrix_cases import placeholders as report_placeholders
from tests.test_access_matrix import CASES

pytestmark = pytest.mark.browser

WIDTHS = (1280, 768, 390)
HEIGHT = 900

# The demo's user for each persona of the matrix (the demo has nobody without a role).
DEMO_USERS = {
    "door_coordinator": "door-coordinator",
    "door_pp_coordinator": "door-pp-coordinator",
    "door_parent_partner": "door-parent-partner",
    "door_clinical": "door-clinical",
    "door_social_worker": "door-social-worker",
    "rock_coordinator": "rock-coordinator",
    "state": "dcf-state",
    "admin": "admin",
    "no_role": "no-role",
}

# Answers that are not HTML pages, so there is nothing for axe to read.
NOT_PAGES = {
    "healthz": "plain-text health check for the load balancer",
    "referrals:export": "CSV download",
    "referrals:family_record": "ZIP download",
    "mentoring:case_export": "CSV download",
    "mentoring:activity_export": "CSV download",
    "councils:recommendation_export": "CSV download",
    "councils:stipend_export": "CSV download",
    "councils:outreach_export": "CSV download",
    "reporting:pdf": "PDF download (its own accessibility is checked on the PDF)",
    "reporting:csv": "CSV download",
    "reporting:status": "HTML fragment polled into the report page (checked there)",
    "referrals:source_events": "HTML fragment of the referral form's event search (checked there)",
    "mfa_download_recovery_codes": "plain-text download",
}
# Addresses that answer only a POST (their pages are the forms that send them).
POST_ONLY = {
    "referrals:transition": "POST-only: the referral page's status buttons",
    "mentoring:goal_add": "POST-only: the case page's goal form",
    "mentoring:goal_progress": "POST-only: the case page's goal form",
    "mentoring:activity_review": "POST-only: the review queue's buttons",
    "mentoring:partner_stage": "POST-only: the Parent Partner page's stage form",
    "councils:recommendation_status": "POST-only: the recommendation page's buttons",
    "reporting:generate": "POST-only: the report list's form",
    "reporting:close": "POST-only: the data-quality panel's form",
    "set_language": "POST-only: the language switcher",
    "account_logout": "signs out on POST; GET shows the same page as the account menu's form",
    "admin_logout": "signs out",
}
# Pages that need a state made only by an earlier step of a flow.
FLOW_STEPS = {
    "account_confirm_email": "needs an e-mail confirmation key; addresses are set by admins",
    "account_email_verification_sent": "shown only after sign-up, which is closed",
    "account_signup": "sign-up is closed: accounts are made by administrators",
    "account_set_password": "every account has a password (redirects to change it)",
    "account_inactive": "shown only to an account switched off while signing in",
    "account_confirm_login_code": "sign-in by e-mailed code is switched off",
    "account_request_reauthentication_code": "code re-authentication is switched off",
    "account_confirm_reauthentication_code": "code re-authentication is switched off",
    "mfa_authenticate": "the second step of a sign-in with an authenticator",
    "mfa_reauthenticate": "asked only of someone with an authenticator",
    "mfa_deactivate_totp": "needs an authenticator set up",
    "mfa_view_recovery_codes": "needs an authenticator set up",
    "mfa_generate_recovery_codes": "needs an authenticator set up",
}
EXCLUDED = {**NOT_PAGES, **POST_ONLY, **FLOW_STEPS}
# Django's admin is Django's own templates, for administrators only; not the app's pages.
EXCLUDED_NAMESPACES = {
    "admin": "Django's admin site (Django's own templates)",
    "api": "the JSON API: answers are JSON; its docs page is Swagger UI, for developers",
}


@dataclass(frozen=True)
class Target:
    url_name: str
    path: str
    readers: frozenset[str]  # personas that open it


def account_pages(reset_path: str) -> list[Target]:
    anonymous = frozenset({"anonymous"})
    signed_in = frozenset(PERSONAS) - anonymous
    return [
        Target("account_login", "/accounts/login/", anonymous),
        Target("admin_login", "/admin/login/", anonymous),
        Target("account_reset_password", "/accounts/password/reset/", anonymous),
        Target("account_reset_password_done", "/accounts/password/reset/done/", anonymous),
        Target("account_reset_password_from_key", reset_path, anonymous),
        Target(
            "account_reset_password_from_key_done", "/accounts/password/reset/key/done/", anonymous
        ),
        Target("account_change_password", "/accounts/password/change/", signed_in),
        Target("account_reauthenticate", "/accounts/reauthenticate/", signed_in),
        Target("mfa_index", "/accounts/2fa/", signed_in),
        Target("mfa_activate_totp", "/accounts/2fa/totp/activate/", signed_in),
        Target("psp_mfa_activate_totp", "/accounts/2fa/totp/activate/", signed_in),
        Target("account_email", "/accounts/email/", frozenset({"admin"})),
    ]


def matrix_pages(values: dict[str, Any]) -> list[Target]:
    pages = []
    for _module, case in CASES:
        if case.method != "get" or case.url_name in EXCLUDED:
            continue
        readers = frozenset(p for p in PERSONAS if case.answer_for(p) == 200)
        if readers:
            pages.append(Target(case.url_name, case.path.format(**values), readers))
    return pages


def _served(resolvers: list[Any], namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _served(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_url_is_checked_or_excluded() -> None:
    checked = {case.url_name for _m, case in CASES if case.method == "get"} - set(EXCLUDED)
    checked |= {target.url_name for target in account_pages("")}
    served = _served(get_resolver().url_patterns)
    assert served - checked - set(EXCLUDED) == set(), "pages neither checked by axe nor excluded"
    assert set(EXCLUDED) - served == set(), "exclusions name URLs that no longer exist"
    assert checked & set(EXCLUDED) == set()


# --- The demo data, with the matrix's records ---------------------------------------------


def demo_records(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    """The demo's own Door records for the ``{names}`` of the matrix's paths: the Parent
    Partner's case, a referral the social worker made, and so on (a name missing here
    fails the test, so a new kind of page gets its record)."""
    partner = ParentPartner.objects.get(program=door, user=personas["door_parent_partner"])
    case = Case.objects.filter(program=door, assignments__parent_partner=partner).first()
    referral = Referral.objects.filter(
        program=door, referred_by=personas["door_social_worker"], family__children__isnull=False
    ).first()
    council = Council.objects.get(program=door)
    assert case is not None and referral is not None
    child = referral.family.children.filter(episodes__placements__isnull=False).first()
    child = child or referral.family.children.first()
    assert child is not None
    episode = child.episodes.first()
    records = {
        "case": case,
        "goal": case.goals.first(),
        "activity": case.activities.filter(parent_partner=partner).first(),
        "partner": partner,
        # The demo assigns every accepted referral: one more waits for a Parent Partner.
        "accepted": Referral.objects.filter(
            program=door, status=Status.ACCEPTED, case__isnull=True
        ).first()
        or ReferralFactory(family__program=door, status=Status.ACCEPTED),
        "resource": Resource.objects.filter(program=door).first(),
        "referral": referral,
        "family": referral.family,
        "parent": referral.family.parents.first(),
        "child": child,
        "episode": episode,
        "placement": episode.placements.first() if episode else None,
        "council": council,
        "member": council.members.filter(user=personas["door_parent_partner"]).first()
        or council.members.first(),
        "meeting": council.meetings.first(),
        "recommendation": council.recommendations.first(),
        "stipend": Stipend.objects.filter(member__council=council).first(),
        "event": OutreachEvent.objects.filter(program=door).first(),
    }
    missing = [name for name, record in records.items() if record is None]
    assert missing == [], f"the demo has no Door record for {missing}"
    values: dict[str, Any] = {name: getattr(record, "pk", None) for name, record in records.items()}
    # Reports: the demo's are the scheduler's; the matrix adds one with small counts shown.
    return values | report_placeholders(personas, door)


@dataclass
class Site:
    personas: dict[str, User | None]
    pages: list[Target]


@pytest.fixture
def site(demo: None) -> Site:
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS.values())}
    if "no-role" not in users:
        users["no-role"] = UserFactory(username="no-role")
    personas: dict[str, User | None] = {"anonymous": None}
    personas |= {persona: users[name] for persona, name in DEMO_USERS.items()}
    values = demo_records(personas, Program.objects.get(slug="door"))
    someone = users["door-parent-partner"]
    key = default_token_generator.make_token(someone)
    reset = f"/accounts/password/reset/key/{user_pk_to_url_str(someone)}-{key}/"
    return Site(personas, matrix_pages(values) + account_pages(reset))


# --- Checking ------------------------------------------------------------------------------


@dataclass
class Findings:
    checked: int = 0
    problems: list[str] | None = None

    def __post_init__(self) -> None:
        self.problems = []

    def check(self, page: Page, where: str, widths: tuple[int, ...] = WIDTHS) -> None:
        inject_axe(page)
        for width in widths:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            self.checked += 1
            for problem in axe_report(page):
                assert self.problems is not None
                self.problems.append(f"{where} at {width} px: {problem}")


def signed_in(context: BrowserContext, base_url: str, user: User | None) -> Page:
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context.new_page()


def opened(page: Page, url: str) -> bool:
    """Opens ``url``; False when this person may not (403, 404, sent to sign in)."""
    response = page.goto(url)
    assert response is not None
    sent_to_sign_in = "/accounts/login/" in page.url and "/login/" not in url
    if response.status in (403, 404) or sent_to_sign_in:
        return False
    assert response.status == 200, f"{url}: {response.status}"
    return True


def check_menus(page: Page, findings: Findings, where: str) -> None:
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
            page.locator("#main-nav.show").wait_for()
            findings.check(page, f"{where} (menu shown)", (width,))
        page.locator("#account-menu").click()
        page.locator(".dropdown-menu.show").wait_for()
        findings.check(page, f"{where} (account menu open)", (width,))
        page.reload()


def first_readers(pages: list[Target]) -> dict[str, str]:
    """Each form's page, to the first persona (in the matrix's order) that opens it."""
    first: dict[str, str] = {}
    for target in pages:
        for persona in PERSONAS:
            if persona in target.readers:
                first.setdefault(target.path, persona)
                break
    return first


FORM = """[...document.querySelectorAll('main form')].find(f =>
  f.method === 'post' && f.querySelector('input:not([type=hidden]), textarea, select'))"""
HAS_FORM = f"() => Boolean({FORM})"
SEND_EMPTY = f"""() => {{
  const form = {FORM};
  form.noValidate = true;
  for (const field of form.querySelectorAll('input, textarea')) {{
    if (['text', 'email', 'number', 'date', 'tel', 'url', 'search', 'password', 'time']
        .includes(field.type) || field.tagName === 'TEXTAREA') field.value = '';
  }}
  for (const select of form.querySelectorAll('select')) {{
    if ([...select.options].some(o => o.value === '')) select.value = '';
  }}
  const button = form.querySelector('button[type=submit], button:not([type]), input[type=submit]');
  if (button) button.click(); else form.requestSubmit();
}}"""


def check_empty_forms(
    page: Page, base_url: str, persona: str, pages: list[Target], findings: Findings
) -> None:
    first = first_readers(pages)
    for target in pages:
        if first.get(target.path) != persona or not opened(page, base_url + target.path):
            continue
        if not page.evaluate(HAS_FORM):
            continue
        with page.expect_navigation():
            page.evaluate(SEND_EMPTY)
        findings.check(page, f"{target.path} (sent empty)")


SETTLED = (
    "() => { window.settled = new Promise(done => document.body.addEventListener("
    "'htmx:afterSettle', done, {once: true})); }"
)


def check_event_search(page: Page, base_url: str, findings: Findings) -> None:
    if not opened(page, f"{base_url}/referrals/new/"):
        return
    search = page.locator("[data-psp-event-search-input]")
    if not search.count():
        return
    for text in ("a", "no such event anywhere"):
        page.evaluate(SETTLED)
        search.fill(text)
        page.evaluate("() => window.settled")
        findings.check(page, f"/referrals/new/ (events found for {text!r})")


def check_report_progress(page: Page, base_url: str, findings: Findings) -> None:
    """A report being made: its progress, as the page's polling brings it in."""
    report = Report.objects.create(
        program=Program.objects.get(slug="door"),
        year=2026,
        quarter=1,
        status=ReportStatus.RUNNING,
        step=ReportStep.CHARTS,
        progress=40,
        started_at=timezone.now(),
    )
    assert opened(page, f"{base_url}/reports/{report.pk}/")
    page.evaluate(SETTLED)
    page.evaluate("() => window.settled")
    findings.check(page, f"/reports/{report.pk}/ (progress brought in)")


def test_no_axe_violations(site: Site, context: BrowserContext, live_server: Any) -> None:
    """Every persona in turn, each with cookies of its own: the demo is seeded once for all of
    them (seeding is most of the time), and every problem of every persona is listed."""
    problems: list[str] = []
    for persona in PERSONAS:
        context.clear_cookies()
        found = check_persona(persona, site, context, live_server.url)
        problems += [f"{persona}: {problem}" for problem in found]
        for page in context.pages:
            page.close()
    assert problems == [], "\n".join(problems)


def check_persona(persona: str, site: Site, context: BrowserContext, base: str) -> list[str]:
    page = signed_in(context, base, site.personas[persona])
    findings = Findings()
    seen: set[str] = set()
    for target in site.pages:
        if persona not in target.readers or not opened(page, base + target.path):
            continue
        if page.url in seen:
            continue
        seen.add(page.url)
        findings.check(page, target.path)
    if site.personas[persona] is not None:
        assert opened(page, f"{base}/dashboard/")
        check_menus(page, findings, "/dashboard/")
    check_event_search(page, base, findings)
    if persona == "door_coordinator":
        check_report_progress(page, base, findings)
    check_empty_forms(page, base, persona, site.pages, findings)
    print(f"{persona}: {len(seen)} pages, {findings.checked} checks")
    return findings.problems or []
