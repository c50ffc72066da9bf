"""The people of the load run (``scripts/load.py`` starts this with the accounts it made).

Each simulated person signs in as people do (the sign-in form, then the authenticator code
for the roles that need one), then works in a loop with a pause between pages:

* Parent Partners (half of everyone): their families, the contact log (they save a contact
  about one in three rounds), their contacts, a family's case page;
* program coordinators: the dashboard, the referral and case lists with and without filters,
  a referral's and a case's page, and now and then a new referral;
* Parent Partner coordinators: the review queue (signing off a contact), Parent Partners;
* state staff: the statewide dashboard, the reports, and now and then a quarterly report,
  which a Celery worker makes while the page asks for its progress every two seconds, as
  the browser does, and which they then download.

Requests are named by page (``/mentoring/cases/[id]/``) so the statistics are per page. A
request fails when a page answers anything but its expected status: a form saved must
redirect, a page must answer 200, nobody may be signed out.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

from load import totp_code  # locust runs this file with scripts/ on the path
from locust import HttpUser, between, events, task
from requests.adapters import HTTPAdapter

PROGRAM_ZONE = ZoneInfo("America/Chicago")
ACCOUNTS = json.loads(open(os.environ["PSP_LOAD_ACCOUNTS"]).read())  # noqa: SIM115
_taken: dict[str, itertools.count[int]] = {}
_addresses = itertools.count()
_lock = threading.Lock()
# The same choices in the same order each run (which person makes them varies with timing).
rng = random.Random(2026)


def next_account(kind: str) -> dict[str, str]:
    """Each simulated person gets an account of their own (accounts are reused only when
    there are more people than accounts)."""
    with _lock:
        number = next(_taken.setdefault(kind, itertools.count()))
        serial = next(_addresses)
        address = f"127.0.{serial // 250}.{serial % 250 + 2}"
    accounts = ACCOUNTS["accounts"][kind]
    return {**accounts[number % len(accounts)], "address": address}


def today() -> datetime.date:
    return datetime.datetime.now(PROGRAM_ZONE).date()


_environment: list[Any] = []


@events.init.add_listener
def keep_environment(environment: Any, **_kwargs: Any) -> None:
    _environment.append(environment)


@events.quit.add_listener
def save_results(**_kwargs: Any) -> None:
    """The final figures, once every person has stopped, for the driver to print."""
    path = os.environ.get("PSP_LOAD_RESULTS")
    if not path or not _environment:
        return
    environment = _environment[0]
    stats = environment.stats

    def figures(entry: Any) -> dict[str, Any]:
        return {
            "method": entry.method or "",
            "name": entry.name,
            "requests": entry.num_requests,
            "failures": entry.num_failures,
            "median": entry.median_response_time,
            "p95": entry.get_response_time_percentile(0.95),
            "max": entry.max_response_time,
        }

    results = {
        "pages": [figures(entry) for entry in stats.entries.values()],
        "total": figures(stats.total),
        "seconds": stats.last_request_timestamp - stats.start_time
        if stats.last_request_timestamp
        else 0,
        "failures": [
            {
                "method": error.method,
                "name": error.name,
                "error": str(error.error),
                "occurrences": error.occurrences,
            }
            for error in stats.errors.values()
        ],
        "exceptions": [
            {"count": row["count"], "msg": row["msg"], "traceback": row["traceback"]}
            for row in environment.runner.exceptions.values()
        ],
    }
    with open(path, "w") as handle:
        json.dump(results, handle, indent=2)


class FromAddress(HTTPAdapter):
    """Connections from one loopback address: each person comes from their own address, as
    people at different desks and homes do, so the sign-in limit per address counts them
    apart as it does in production."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class Form:
    def __init__(self, action: str) -> None:
        self.action = action
        self.values: dict[str, list[str]] = {}  # what the browser would send as it stands
        self.choices: dict[str, list[str]] = {}  # radio, checkbox and select options


class Forms(HTMLParser):
    """The forms of a page, enough to fill them in as a browser would."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(attributes.get("action", "")))
            return
        if not self.forms:
            return
        form = self.forms[-1]
        name = attributes.get("name", "")
        if tag == "input" and name:
            kind = attributes.get("type", "text")
            if kind in {"radio", "checkbox"}:
                form.choices.setdefault(name, []).append(attributes.get("value", "on"))
                if "checked" in attributes:
                    form.values.setdefault(name, []).append(attributes.get("value", "on"))
            elif kind not in {"submit", "button"}:
                form.values.setdefault(name, []).append(attributes.get("value", ""))
        elif tag == "select" and name:
            self._select = name
            form.choices.setdefault(name, [])
        elif tag == "option" and self._select:
            value = attributes.get("value", "")
            form.choices[self._select].append(value)
            if "selected" in attributes:
                form.values[self._select] = [value]
        elif tag == "textarea" and name:
            self._textarea = name
            form.values[name] = [""]

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1].values[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select and self.forms:
            form = self.forms[-1]
            options = [value for value in form.choices[self._select] if value]
            if self._select not in form.values and form.choices[self._select]:
                form.values[self._select] = [form.choices[self._select][0]]
            form.choices[self._select] = options
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def find(self, action: str | re.Pattern[str] = "") -> Form:
        for form in self.forms:
            if isinstance(action, re.Pattern):
                if action.search(form.action):
                    return form
            elif form.action == action or (not action and "csrfmiddlewaretoken" in form.values):
                return form
        raise LookupError(f"no form {action!r}")


def answer(response: Any) -> str:
    """What went wrong, in a few words: the error, the redirect, or the form's complaints."""
    if response.status_code == 0:
        return f"no answer: {response.error!r}"[:300]
    summary = re.search(r'class="[^"]*error-summary.*?</ul>', response.text or "", re.DOTALL)
    errors = re.findall(r"<li>(?:<a [^>]*>)?\s*([^<]+)", summary.group(0) if summary else "")
    detail = response.headers.get("Location", "") or "; ".join(errors)
    return f"{response.status_code} {detail}"[:300]


class Person(HttpUser):
    abstract = True
    kind = ""
    # Reading a page and filling in a form takes people longer; the pause is short to make
    # 50 simulated people as busy as many more real ones.
    wait_time = between(3, 10)

    def on_start(self) -> None:
        self.account = next_account(self.kind)
        self.client.mount("http://", FromAddress(self.account["address"]))
        self.sign_in()

    def sign_in(self) -> None:
        page = self.get("/accounts/login/")
        form = Forms(page).find()
        form.values.update(login=[self.account["username"]], password=[ACCOUNTS["password"]])
        where = self.post("/accounts/login/", form.values)
        if self.account["totp"]:
            if where != "/accounts/2fa/authenticate/":
                raise RuntimeError(f"{self.account['username']}: no code asked, sent to {where}")
            page = self.get(where)
            form = Forms(page).find()
            # As a person does when the app's countdown is nearly over: wait for a fresh code.
            remaining = 30 - time.time() % 30
            if remaining < 10:
                time.sleep(remaining + 0.5)
            form.values["code"] = [totp_code(self.account["totp"])]
            where = self.post(where, form.values)
        if where != "/":
            raise RuntimeError(f"{self.account['username']}: not signed in, sent to {where}")

    def get(self, path: str, name: str | None = None) -> str:
        """A page that must answer 200 (not a redirect to the sign-in page)."""
        with self.client.get(
            path, name=name or path, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(answer(response))
                return ""
            if not response.headers.get("Content-Type", "").startswith("text/"):
                return ""  # a download
            return response.text

    def post(self, path: str, data: dict[str, list[str]], name: str | None = None) -> str:
        """A form that must be accepted: the answer is a redirect, whose address is returned."""
        data = {**data, "csrfmiddlewaretoken": [self.client.cookies.get("csrftoken") or ""]}
        with self.client.post(
            path, data=data, name=name or path, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302:
                response.failure(answer(response))
                return ""
            return str(response.headers["Location"])

    def ids(self, html: str, pattern: str) -> list[str]:
        return sorted(set(re.findall(pattern, html)))


class ParentPartner(Person):
    weight = 5
    kind = "parent_partner"

    @task(3)
    def families(self) -> None:
        page = self.get("/mentoring/")
        cases = self.ids(page, r'href="/mentoring/cases/(\d+)/"')
        if cases:
            self.get(f"/mentoring/cases/{rng.choice(cases)}/", "/mentoring/cases/[id]/")

    @task(3)
    def log_contact(self) -> None:
        page = self.get("/mentoring/log/")
        if not page:
            return
        form = Forms(page).find(re.compile(r"^(/mentoring/log/)?$"))
        form.values["case"] = [rng.choice(form.choices["case"])]
        kinds = [kind for kind in form.choices["activity_type"] if kind != "resource_linkage"]
        form.values.update(
            activity_type=[rng.choice(kinds)],
            mode=[rng.choice(form.choices["mode"])],
            duration=[rng.choice(form.choices["duration"])],
            date=[(today() - datetime.timedelta(days=rng.randint(0, 3))).isoformat()],
            notes=["Talked through the week; the parent is keeping up with visits."],
            client_uuid=[str(uuid.uuid4())],
        )
        if form.values["activity_type"] == ["court_hearing"]:
            hearing = today() + datetime.timedelta(days=rng.randint(14, 60))
            form.values["next_court_date"] = [hearing.isoformat()]
        saved = self.post("/mentoring/log/", form.values)
        if saved:
            self.get(saved, "/mentoring/contacts/[id]/saved/")

    @task(1)
    def contacts(self) -> None:
        self.get("/mentoring/contacts/")


class Coordinator(Person):
    weight = 3
    kind = "coordinator"

    @task(3)
    def dashboard(self) -> None:
        self.get("/dashboard/")

    @task(3)
    def referrals(self) -> None:
        page = self.get("/referrals/")
        self.get("/referrals/?status=new&sort=-received_on", "/referrals/?[filters]")
        referrals = self.ids(page, r'href="/referrals/(\d+)/"')
        if referrals:
            self.get(f"/referrals/{rng.choice(referrals)}/", "/referrals/[id]/")

    @task(3)
    def cases(self) -> None:
        page = self.get("/mentoring/cases/")
        self.get("/mentoring/cases/?status=open&q=a", "/mentoring/cases/?[filters]")
        cases = self.ids(page, r'href="/mentoring/cases/(\d+)/"')
        if cases:
            self.get(f"/mentoring/cases/{rng.choice(cases)}/", "/mentoring/cases/[id]/")

    @task(1)
    def new_referral(self) -> None:
        page = self.get("/referrals/new/")
        if not page:
            return
        form = Forms(page).find(re.compile(r"^(/referrals/new/)?$"))
        born = today() - datetime.timedelta(days=rng.randint(20 * 365, 40 * 365))
        child = today() - datetime.timedelta(days=rng.randint(365, 15 * 365))
        form.values.update(
            {
                "referrer_name": ["Load Run Social Worker"],
                "reason": ["Mother asked for support after her children were placed."],
                "parents-0-first_name": [rng.choice(["Maria", "Ashley", "Jessica", "Tanya"])],
                "parents-0-last_name": [f"Load{rng.randint(1, 10**9)}"],
                "parents-0-birth_date_day": [str(born.day)],
                "parents-0-birth_date_month": [str(born.month)],
                "parents-0-birth_date_year": [str(born.year)],
                "parents-0-consent_to_contact": ["on"],
                "parents-0-consent_method": ["verbal"],
                "children-0-first_name": [rng.choice(["Sofia", "Liam", "Ava", "Noah"])],
                "children-0-birth_date_day": [str(child.day)],
                "children-0-birth_date_month": [str(child.month)],
                "children-0-birth_date_year": [str(child.year)],
            }
        )
        saved = self.post("/referrals/new/", form.values)
        if saved:
            self.get(saved, "/referrals/[id]/")


class ParentPartnerCoordinator(Person):
    weight = 1
    kind = "pp_coordinator"

    @task(3)
    def review(self) -> None:
        page = self.get("/mentoring/review/")
        forms = [form for form in Forms(page).forms if "/review/" in form.action]
        if forms:
            form = rng.choice(forms)
            form.values["decision"] = ["sign_off"]
            self.post(form.action, form.values, "/mentoring/contacts/[id]/review/")

    @task(1)
    def partners(self) -> None:
        self.get("/mentoring/parent-partners/")

    @task(1)
    def dashboard(self) -> None:
        self.get("/dashboard/")


class StateStaff(Person):
    weight = 1
    kind = "state"

    def on_start(self) -> None:
        super().on_start()
        self.request_report()  # what they came for; even a one-minute run makes reports

    @task(2)
    def dashboard(self) -> None:
        self.get("/dashboard/")

    @task(1)
    def reports(self) -> None:
        page = self.get("/reports/")
        reports = self.ids(page, r'href="/reports/(\d+)/"')
        if reports:
            self.get(f"/reports/{rng.choice(reports)}/", "/reports/[id]/")

    @task(2)
    def request_report(self) -> None:
        page = self.get("/reports/")
        if not page:
            return
        form = Forms(page).find(re.compile(r"/reports/generate/$"))
        form.values["quarter"] = [form.choices["quarter"][0]]
        form.values["program"] = [rng.choice(form.choices["program"])]
        where = self.post("/reports/generate/", form.values)
        if not where:
            return
        report = where.rstrip("/").rsplit("/", 1)[-1]
        self.get(where, "/reports/[id]/")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            time.sleep(2)
            status = self.get(f"/reports/{report}/status/", "/reports/[id]/status/")
            if not status or 'data-report-status="failed"' in status:
                return  # counted: a failed request here, a failed report in the summary
            if 'data-report-status="done"' in status:
                self.get(f"/reports/{report}/pdf/", "/reports/[id]/pdf/")
                return
