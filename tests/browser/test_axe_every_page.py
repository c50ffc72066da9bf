"""axe-core (WCAG 2.0/2.1 A and AA, every impact) on every page every role reaches.

The pages come from the role x view matrix (``tests/<app>/matrix_cases.py``): each role opens
each page the matrix says it reads (answer 200), with the matrix's own records added to the
demo data, and the account pages below. Each page is checked at a desktop, tablet and phone
width; then, for each role, its menus opened, and for the first role that reaches each form,
the form sent empty (the page with its errors). Pages that change with htmx are checked once
the new content has settled. The administrators also open the Django admin: its index, each
app's page and, for every registered ModelAdmin, the list, the add form, a record's change
form (and that form sent with a required field emptied), its history and its delete
confirmation. The steps of a two-step sign-in, and the pages of an authenticator, are
checked as a person with one goes through them. A URL added to the project must be checked
here or excluded below with its reason (``test_every_url_is_checked_or_excluded``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.conf import settings
from django.contrib import admin
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import BrowserContext, Page

from councils.models import Council, OutreachEvent, Stipend
from mentoring.models import (
    Case,
    ClaimStatus,
    ExpenseClaim,
    FollowUp,
    Hearing,
    ParentPartner,
    Participation,
    Resource,
    TrainingRecord,
)
from psp.models import Program, School, SchoolDistrict, User
from referrals.models import Referral, ReferralRequest, RequestStatus, Status
from reporting.models import Report, ReportStatus, ReportStep
from tests.browser.conftest import axe_report, inject_axe
from tests.factories import TEST_PASSWORD, ReferralFactory, UserFactory
from tests.matrix import PERSONAS
from tests.mentoring.factories import add_document
from tests.mfa import enroll_totp, totp_code
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
    "school_staff": "wausau-school-staff",
    "rock_coordinator": "rock-coordinator",
    "state": "dcf-state",
    "admin": "admin",
    "no_role": "no-role",
}

# Answers that are not HTML pages, so there is nothing for axe to read.
NOT_PAGES = {
    "healthz": "plain-text health check for the load balancer",
    "service_worker": "the tablet app's service worker (JavaScript)",
    "manifest": "the tablet app's web app manifest (JSON)",
    "referrals:export": "CSV download",
    "referrals:family_record": "ZIP download",
    "mentoring:case_export": "CSV download",
    "mentoring:activity_export": "CSV download",
    "mentoring:claim_export": "CSV download",
    "councils:recommendation_export": "CSV download",
    "councils:stipend_export": "CSV download",
    "councils:outreach_export": "CSV download",
    "reporting:pdf": "PDF download (its own accessibility is checked on the PDF)",
    "reporting:csv": "CSV download",
    "reporting:equity_export": "CSV download",
    "calendar_feed_ics": "iCalendar download (read with icalendar in tests/reporting)",
    "mentoring:document_download": "a family's document, downloaded as it was uploaded",
    "reporting:status": "HTML fragment polled into the report page (checked there)",
    "reporting:outcomes_status": "HTML fragment polled into the outcomes page (checked there)",
    "reporting:comparison_status": "HTML fragment polled into the extract's page (checked there)",
    "referrals:source_events": "HTML fragment of the referral form's event search (checked there)",
    "mfa_download_recovery_codes": "plain-text download",
    "admin:jsi18n": "the admin's JavaScript catalogue",
    "admin:autocomplete": "JSON for the admin's autocomplete fields",
    "admin:view_on_site": "a redirect to the record's page in the app",
    "notification_open": "a redirect to the notification's page (marking it read)",
}
# Addresses that answer only a POST (their pages are the forms that send them).
POST_ONLY = {
    "admin:psp_apitoken_revoke": "POST-only: the API token page's Revoke button",
    "referrals:transition": "POST-only: the referral page's status buttons",
    "mentoring:goal_add": "POST-only: the case page's goal form",
    "mentoring:goal_progress": "POST-only: the case page's goal form",
    "mentoring:activity_review": "POST-only: the review queue's buttons",
    "mentoring:review_sign_off": "POST-only: its confirmation is checked in test_review_queue",
    "mentoring:partner_stage": "POST-only: the Parent Partner page's stage form",
    "mentoring:claim_decide": "POST-only: the claim page's approval form",
    "mentoring:claim_pay": "POST-only: the claim page's payment form",
    "mentoring:follow_up_done": "POST-only: each follow-up's Done button",
    "councils:recommendation_status": "POST-only: the recommendation page's buttons",
    "reporting:generate": "POST-only: the report list's form",
    "reporting:close": "POST-only: the data-quality panel's form",
    "reporting:comparison_use": "POST-only: the extract page's Use button",
    "reporting:comparison_discard": "POST-only: the extract page's Discard button",
    "set_language": "POST-only: the language switcher",
    "referrals:request_close": "POST-only: the public request page's form",
    "notification_mark_all_read": "POST-only: the notification list's button",
    "account_logout": "signs out on POST; GET shows the same page as the account menu's form",
    "admin_logout": "signs out",
    "admin:logout": "the address of admin_logout, which answers first",
    "admin:login": "the address of admin_login, which answers first (checked)",
}
# Pages that need a state made only by an earlier step of a flow.
FLOW_STEPS = {
    "admin:psp_apitoken_key": "shown once, right after an administrator makes an API token",
    "account_set_password": "every account has a password (redirects to change it)",
    "account_confirm_login_code": "sign-in by e-mailed code is switched off",
    "account_request_reauthentication_code": "code re-authentication is switched off",
    "account_confirm_reauthentication_code": "code re-authentication is switched off",
}
# The JSON API answers JSON, not pages. Its docs page (Swagger UI, the same for everybody)
# has its own sweep of its states: tests/browser/test_api_docs.py.
API_ROUTES = dict.fromkeys(
    (
        "api:schema",
        "api:me",
        "api:programs",
        "api:languages",
        "api:caseload",
        "api:contacts",
        "api:contact_detail",
        "api:activity_types",
        "api:resources",
        "api:figures",
        "api:program_figures",
        "api:reports",
        "api:report",
    ),
    "the JSON API (JSON answers, not pages)",
)
API_ROUTES["api:docs"] = "Swagger UI, the same for everybody: test_api_docs.py checks its states"
EXCLUDED = {**NOT_PAGES, **POST_ONLY, **FLOW_STEPS, **API_ROUTES}


@dataclass(frozen=True)
class Target:
    url_name: str
    path: str
    readers: frozenset[str]  # personas that open it


def account_pages(reset_path: str) -> list[Target]:
    anonymous = frozenset({"anonymous"})
    signed_in = frozenset(PERSONAS) - anonymous
    return [
        # A school-based program's public door, worded for its families.
        Target("public_program", "/public/wausau/", anonymous),
        Target("public_request", "/public/wausau/ask-for-help/", anonymous),
        Target("public_interest", "/public/wausau/become-a-parent-partner/", anonymous),
        Target("account_login", "/accounts/login/", anonymous),
        Target("admin_login", "/admin/login/", anonymous),
        Target("account_reset_password", "/accounts/password/reset/", anonymous),
        Target("account_reset_password_done", "/accounts/password/reset/done/", anonymous),
        Target("account_reset_password_from_key", reset_path, anonymous),
        Target(
            "account_reset_password_from_key",
            "/accounts/password/reset/key/0-used-or-expired/",
            anonymous,
        ),
        Target(
            "account_reset_password_from_key_done", "/accounts/password/reset/key/done/", anonymous
        ),
        # Pages met only in a flow, each opened as its flow's last step leaves it.
        Target("account_inactive", "/accounts/inactive/", anonymous),
        Target("account_signup", "/accounts/signup/", anonymous),  # says sign-up is closed
        Target("account_email_verification_sent", "/accounts/confirm-email/", anonymous),
        Target("account_confirm_email", "/accounts/confirm-email/no-such-key/", anonymous),
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
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _served(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(namespace + entry.name)
    return names


def test_every_url_is_checked_or_excluded() -> None:
    checked = {case.url_name for _m, case in CASES if case.method == "get"} - set(EXCLUDED)
    checked |= {target.url_name for target in account_pages("")}
    checked |= set(TWO_STEP_PAGES.values()) | admin_url_names()
    served = _served(get_resolver().url_patterns)
    assert served - checked - set(EXCLUDED) == set(), "pages neither checked by axe nor excluded"
    assert set(EXCLUDED) - served == set(), "exclusions name URLs that no longer exist"
    assert checked & set(EXCLUDED) == set()


# --- The Django admin -----------------------------------------------------------------------

# The admin's own pages; each app's page (admin:app_list) is added for each registered app.
ADMIN_SITE_PAGES = {
    "admin:index": "/admin/",
    "admin:password_change": "/admin/password_change/",
    "admin:password_change_done": "/admin/password_change/done/",
}
# Each registered ModelAdmin's list, add form (where it allows adding) and a record's change
# form; the change forms of these models are also sent with their required fields emptied.
ADMIN_MODEL_VIEWS = ("changelist", "add", "change")
ADMIN_ERROR_MODELS = {
    "psp.user",
    "psp.program",
    "psp.membership",
    "referrals.referral",
    "referrals.family",
}
# A record's history and delete confirmation are Django's same two templates for every
# model: they are checked on one family (whose delete page lists the records going with it).
ADMIN_RECORD_VIEWS = ("history", "delete")
ADMIN_ONE_RECORD = "referrals.family"
# Pages a ModelAdmin adds to Django's, opened for the same record as its change form (and
# sent with an error too). A ModelAdmin's new page must be added here.
ADMIN_OWN_PAGES = {"auth_user_password_change"}


@dataclass(frozen=True)
class AdminPage:
    url_name: str
    path: str
    send_with_error: bool = False  # sent again with its required fields emptied


def admin_url_names() -> set[str]:
    names = set(ADMIN_SITE_PAGES) | {"admin:app_list"}
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        names |= {f"admin:{info}_{view}" for view in ADMIN_MODEL_VIEWS + ADMIN_RECORD_VIEWS}
        own = {pattern.name for pattern in model_admin.get_urls() if pattern.name}
        names |= {f"admin:{name}" for name in own & ADMIN_OWN_PAGES}
    return names


def admin_pages(user: User) -> list[AdminPage]:
    """The admin's pages, from ``admin.site``: a ModelAdmin registered is checked with the
    rest, on the pages its permissions give the administrator (a ModelAdmin with nothing
    to show has no change form to check: its add form has the same fields)."""
    request = RequestFactory().get("/admin/")
    request.user = user
    pages = [
        AdminPage(name, path, send_with_error=name == "admin:password_change")
        for name, path in ADMIN_SITE_PAGES.items()
    ]
    apps = sorted({model._meta.app_label for model in admin.site._registry})
    pages += [AdminPage("admin:app_list", f"/admin/{app}/") for app in apps]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(AdminPage(f"{info}_changelist", reverse(f"{info}_changelist")))
        if model_admin.has_add_permission(request):
            pages.append(AdminPage(f"{info}_add", reverse(f"{info}_add")))
        record = model_admin.get_queryset(request).order_by("-pk").first()
        if record is None:
            continue
        label = model._meta.label_lower
        send = label in ADMIN_ERROR_MODELS and model_admin.has_change_permission(request, record)
        pages.append(AdminPage(f"{info}_change", reverse(f"{info}_change", args=[record.pk]), send))
        if label == ADMIN_ONE_RECORD:
            assert model_admin.has_delete_permission(request, record)
            pages += [
                AdminPage(f"{info}_{view}", reverse(f"{info}_{view}", args=[record.pk]))
                for view in ADMIN_RECORD_VIEWS
            ]
        own = {pattern.name for pattern in model_admin.get_urls() if pattern.name}
        pages += [
            AdminPage(f"admin:{name}", reverse(f"admin:{name}", args=[record.pk]), True)
            for name in sorted(own & ADMIN_OWN_PAGES)
        ]
    names = {page.url_name.rsplit("_", 1)[0] for page in pages if page.send_with_error}
    assert all(f"admin:{label.replace('.', '_')}" in names for label in ADMIN_ERROR_MODELS)
    return pages


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
        "hearing": case.hearings.first()
        or Hearing.objects.create(case=case, day=case.opened_on, court="Door County Circuit Court"),
        "follow_up": case.follow_ups.filter(done_at__isnull=True).first()
        or FollowUp.objects.create(
            case=case,
            what="Call the landlord",
            due_on=case.opened_on,
            owner=personas["door_parent_partner"],
        ),
        "activity": case.activities.filter(parent_partner=partner).first(),
        "document": case.documents.first()
        or add_document(case, personas["door_coordinator"], name="Release of information.pdf"),
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
        "participation": Participation.objects.filter(parent_partner=partner).first(),
        "training": TrainingRecord.objects.filter(parent_partner=partner).first(),
        "school": School.objects.filter(district__program__slug="wausau").first(),
        "district": SchoolDistrict.objects.filter(program__slug="wausau").first(),
        "event": OutreachEvent.objects.filter(program=door).first(),
        "public_request": ReferralRequest.objects.filter(
            program=door, status=RequestStatus.WAITING
        ).first(),
        **{
            f"{status}_claim": ExpenseClaim.objects.filter(
                parent_partner=partner, status=status
            ).first()
            for status in (ClaimStatus.SUBMITTED, ClaimStatus.SENT_BACK, ClaimStatus.APPROVED)
        },
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
    admin: list[AdminPage]  # what the administrators open in the Django admin
    two_step: User  # someone who signs in with an authenticator


@pytest.fixture
def site(demo: None, monkeypatch: pytest.MonkeyPatch) -> Site:
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS.values())}
    if "no-role" not in users:
        users["no-role"] = UserFactory(username="no-role")
    personas: dict[str, User | None] = {"anonymous": None}
    personas |= {persona: users[name] for persona, name in DEMO_USERS.items()}
    values = demo_records(personas, Program.objects.get(slug="door"))
    someone = users["door-parent-partner"]
    key = default_token_generator.make_token(someone)
    reset = f"/accounts/password/reset/key/{user_pk_to_url_str(someone)}-{key}/"
    two_step = UserFactory(username="two-step")
    enroll_totp(two_step)
    RecoveryCodes.activate(two_step)
    administrator = personas["admin"]
    assert administrator is not None and administrator.is_staff
    # The admin's lists show ten rows, not a hundred: the rows are alike, and axe's time
    # grows with them (the whole sweep runs twice in CI).
    for model_admin in admin.site._registry.values():
        monkeypatch.setattr(model_admin, "list_per_page", 10)
    return Site(
        personas,
        matrix_pages(values) + account_pages(reset),
        admin_pages(administrator),
        two_step,
    )


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


# The next htmx answer put in place. Waited for with Playwright's timeout (an evaluated
# promise that never settles would wait for ever: a page whose htmx never ran).
SETTLED = (
    "() => { window.settled = false; document.body.addEventListener("
    "'htmx:afterSettle', () => { window.settled = true; }, {once: true}); }"
)
HAS_SETTLED = "() => window.settled === true"


def check_event_search(page: Page, base_url: str, findings: Findings) -> None:
    if not opened(page, f"{base_url}/referrals/new/"):
        return
    search = page.locator("[data-psp-event-search-input]")
    if not search.count():
        return
    for text in ("a", "no such event anywhere"):
        page.evaluate(SETTLED)
        search.fill(text)
        page.wait_for_function(HAS_SETTLED)
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
    page.wait_for_function(HAS_SETTLED)
    findings.check(page, f"/reports/{report.pk}/ (progress brought in)")


# The Django admin's form (a record's, a password's), sent with its required fields emptied.
ADMIN_FORM = "document.querySelector('#content-main form[method=post]')"
EMPTY_ADMIN_FORM = f"""() => {{
  const form = {ADMIN_FORM};
  form.noValidate = true;
  const typed = ['text', 'email', 'number', 'date', 'time', 'url', 'tel', 'password'];
  const fields = [...form.querySelectorAll('input, textarea, select')].filter(field =>
    field.tagName === 'TEXTAREA' || typed.includes(field.type)
    || (field.tagName === 'SELECT' && [...field.options].some(o => o.value === '')));
  const required = fields.filter(field => field.required);
  // A form without a required field (a password's, with "no password" as a choice) is
  // sent with every field emptied.
  for (const field of required.length ? required : fields) field.value = '';
}}"""
SEND_ADMIN_FORM = f"""() => {{
  const form = {ADMIN_FORM};
  (form.querySelector('[type=submit][name=_save]') || form.querySelector('[type=submit]')).click();
}}"""


def check_admin(page: Page, base: str, pages: list[AdminPage], findings: Findings) -> None:
    """The administrators' Django admin at every width (its menus are Django's own, and
    not opened); forms are sent with an error once, never a delete confirmation."""
    for target in pages:
        assert opened(page, base + target.path), target.path
        findings.check(page, target.path)
        if not target.send_with_error:
            continue
        page.evaluate(EMPTY_ADMIN_FORM)
        with page.expect_navigation():
            page.evaluate(SEND_ADMIN_FORM)
        assert page.locator(".errornote").count(), f"{target.path}: no error shown"
        findings.check(page, f"{target.path} (sent with an error)")


# The pages of someone with an authenticator, each to its name in the URLs.
TWO_STEP_PAGES = {
    "/accounts/2fa/authenticate/": "mfa_authenticate",
    "/accounts/2fa/": "mfa_index",
    "/accounts/2fa/totp/deactivate/": "mfa_deactivate_totp",
    "/accounts/2fa/recovery-codes/": "mfa_view_recovery_codes",
    "/accounts/2fa/recovery-codes/generate/": "mfa_generate_recovery_codes",
    "/accounts/2fa/reauthenticate/": "mfa_reauthenticate",
}


def send_code(page: Page, code: str) -> None:
    page.locator("main input[name=code]").fill(code)
    with page.expect_navigation():
        page.locator("main input[name=code]").press("Enter")


def check_two_step(page: Page, base: str, user: User, findings: Findings) -> None:
    """Signing in with an authenticator: the code asked after the password (and a wrong
    code's error), the authenticator's pages, and the code asked to re-authenticate."""
    authenticate, *pages, reauthenticate = TWO_STEP_PAGES
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("User name or e-mail address").fill(user.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    with page.expect_navigation():
        page.get_by_label("Password").press("Enter")
    assert page.url == base + authenticate, page.url
    findings.check(page, authenticate)
    send_code(page, "000000")
    findings.check(page, f"{authenticate} (a wrong code)")
    send_code(page, totp_code())
    assert page.url != base + authenticate, "the right code did not sign in"
    for path in pages:
        assert opened(page, base + path), path
        findings.check(page, path)
    assert opened(page, base + reauthenticate)
    findings.check(page, reauthenticate)
    send_code(page, "000000")
    findings.check(page, f"{reauthenticate} (a wrong code)")


# The sweep in parts, so test processes share it: each persona, the Django admin in two
# halves, and the two-step sign-in. Each part starts from the demo as seeded.
ADMIN_HALVES = 2
PARTS = [*PERSONAS, *(f"django_admin_{half + 1}" for half in range(ADMIN_HALVES)), "two_step"]


@pytest.mark.parametrize("part", PARTS)
def test_no_axe_violations(
    part: str, site: Site, context: BrowserContext, live_server: Any
) -> None:
    """Every problem of the part is listed, not only the first."""
    base = live_server.url
    findings = Findings()
    if part == "two_step":
        check_two_step(context.new_page(), base, site.two_step, findings)
    elif part.startswith("django_admin_"):
        half = int(part.rsplit("_", 1)[1]) - 1
        pages = site.admin[half::ADMIN_HALVES]
        check_admin(signed_in(context, base, site.personas["admin"]), base, pages, findings)
        print(f"{part}: {len(pages)} Django admin pages")
    else:
        check_persona(part, site, context, base, findings)
    print(f"{part}: {findings.checked} checks")
    assert findings.problems == [], "\n".join(findings.problems or [])


def check_persona(
    persona: str, site: Site, context: BrowserContext, base: str, findings: Findings
) -> None:
    page = signed_in(context, base, site.personas[persona])
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
    print(f"{persona}: {len(seen)} pages")
