"""Generated hostile input in every form of the project, through the real pages.

For each page in ``tests/hostile_cases.py``, hypothesis starts from what a person would
plausibly send and replaces a few values with hostile ones (empty, huge, negative, unicode,
NUL bytes, lists where one value is expected, impossible dates, markup). Whatever it sends:

* the server never fails (no 5xx, no exception);
* a form that comes back (refused) has saved nothing, and shows again what the user typed;
* a refusal said in a message after a redirect has saved nothing either;
* a page a saved submission leads to still opens.

Filters (GET forms) get the same values in the query string and must still show the list.
Each example runs in a savepoint that is rolled back, so every one starts from the same
records. ``test_every_form_is_covered`` fails, naming the class, when a form, formset or
filter defined in the project's apps is on no page here.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.contrib.messages import ERROR, get_messages
from django.db import connection, transaction
from django.db.models import Model
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from psycopg2 import sql

from psp.models import AuditAction, AuditEntry, Membership, Program, User
from tests.factories import ProgramFactory
from tests.hostile import HtmlForm, find_form, hostile, plausible, sweep
from tests.hostile_cases import BASES, CASES, QUERY_PAGES, FormCase, QueryPage
from tests.test_access_matrix import CASES as MATRIX_CASES

PROJECT_APPS = ["psp", "referrals", "mentoring", "councils", "reporting"]
EXAMPLES = 25
HOSTILE_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,  # examples are not replayed from a local file: every run is the same
    derandomize=True,
    # No shrinking: a page is slow to ask compared with a function, and the failing
    # example changes at most three values, so it reads well as it is.
    phases=[Phase.explicit, Phase.generate],
)
WRITES = [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]


@pytest.fixture(autouse=True)
def _public_forms_take_every_example(settings: Any) -> None:
    """The public forms' limit per address and their robot timer would answer most examples
    before validation (both have their own tests): here every example reaches the form."""
    settings.PSP_PUBLIC_FORMS_PER_HOUR = 1_000_000
    settings.PSP_PUBLIC_FORM_MIN_SECONDS = 0


def _project_models() -> list[type[Model]]:
    return [
        model
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model is not AuditEntry
    ]


@functools.cache
def _fingerprint_sql() -> str:
    """On PostgreSQL, one statement: for each project table, a digest of all its rows (as
    text, in order), and the number of audit entries about changes."""
    table = sql.SQL(
        "SELECT {label}, (SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
        " FROM {table} AS t)"
    )
    parts = [
        table.format(
            label=sql.Literal(model._meta.label), table=sql.Identifier(model._meta.db_table)
        )
        for model in _project_models()
    ]
    parts.append(
        sql.SQL(
            "SELECT 'audit', (SELECT count(*)::text FROM {table} WHERE action IN ({writes}))"
        ).format(
            table=sql.Identifier(AuditEntry._meta.db_table),
            writes=sql.SQL(", ").join(sql.Literal(str(action.value)) for action in WRITES),
        )
    )
    with connection.cursor() as cursor:
        return sql.SQL(" UNION ALL ").join(parts).as_string(cursor.cursor)


def snapshot() -> dict[str, Any]:
    """Every row of the project's tables (the audit log: its entries about changes): on
    PostgreSQL a digest of each table's rows, read in one statement, since a page is sent
    hundreds of times here and each is compared before and after."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_fingerprint_sql())
            return dict(cursor.fetchall())
    rows: dict[str, Any] = {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in _project_models()
    }
    rows["audit"] = AuditEntry.objects.filter(action__in=WRITES).count()
    return rows


def _normal(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Rollback(Exception):
    pass


def in_savepoint(run: Callable[[], None]) -> None:
    """Run ``run`` and undo whatever it wrote."""
    try:
        with transaction.atomic():
            run()
            raise Rollback
    except Rollback:
        pass


def _client(personas: dict[str, User | None], persona: str) -> Client:
    client = Client()
    user = personas[persona]
    if user is not None:
        client.force_login(user)
    return client


def _error_messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= ERROR]


def check_post(
    client: Client,
    case: FormCase,
    form: HtmlForm,
    path: str,
    data: dict[str, list[str]],
    tampered: bool = False,
) -> None:
    before = snapshot()
    response = client.post(path, data)
    assert response.status_code < 500, f"{case.name}: {response.status_code} for {data!r}"
    if response.status_code in (301, 302):
        if _error_messages(response):
            assert snapshot() == before, f"{case.name}: refused, yet something was saved"
        followed = client.get(response["Location"])
        assert followed.status_code < 500, f"{case.name}: the next page failed for {data!r}"
        return
    # The form came back: nothing saved, and what the user typed is on the page again.
    assert snapshot() == before, f"{case.name}: the form came back, yet something was saved"
    if tampered or response.status_code not in (200, 400):
        return
    if "text/html" not in response["Content-Type"]:
        return
    page = _normal(response.content.decode())
    for name, values in data.items():
        item = form.fields.get(name)
        if item is None or not item.keeps_typing or not values:
            continue
        typed = values[-1]  # of several values, a form reads the last
        if typed.strip():
            assert _normal(escape(typed)) in page, f"{case.name}: {name}={typed!r} was lost"


def _fill(path: str, values: dict[str, Any]) -> str:
    return path.format(**values)


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c.method == "post"], ids=lambda c: c.name)
def test_hostile_input_in_forms(case: FormCase, personas: dict[str, User | None], door: Program):
    values = case.setup(personas, door)
    client = _client(personas, case.persona)
    page, target = _fill(case.page, values), _fill(case.target, values)
    shown = client.get(page)
    assert shown.status_code == 200, f"{case.name}: {page} gave {shown.status_code}"
    form = find_form(shown.content.decode(), target, page, "post")
    base = plausible(form)
    for name, value in case.valid.items():
        base[name] = value if isinstance(value, list) else [value]
    names = sorted(form.fields)
    for data in sweep(form, base):
        in_savepoint(functools.partial(check_post, client, case, form, target, data))

    @HOSTILE_SETTINGS
    @given(
        changes=st.dictionaries(
            st.sampled_from(names) | st.sampled_from(["unexpected", "page", "id"]),
            hostile,
            min_size=1,
            max_size=3,
        )
    )
    def submit(changes: dict[str, list[str] | None]) -> None:
        data = dict(base)
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        # A browser always sends a formset's counts as the page gave them; without them
        # Django cannot tell which rows there were, so it cannot show them again.
        tampered = any(name.endswith("_FORMS") for name in changes)
        in_savepoint(lambda: check_post(client, case, form, target, data, tampered))

    submit()


@pytest.mark.django_db
@pytest.mark.parametrize("case", [c for c in CASES if c.method == "get"], ids=lambda c: c.name)
def test_hostile_input_in_filters(case: FormCase, personas: dict[str, User | None], door: Program):
    values = case.setup(personas, door)
    client = _client(personas, case.persona)
    path = _fill(case.page, values)
    (filter_class,) = case.forms
    names = sorted(
        getattr(filter_class, "base_filters", None) or filter_class.base_fields  # type: ignore[attr-defined]
    )

    @HOSTILE_SETTINGS
    @given(
        query=st.dictionaries(
            st.sampled_from([*names, "page", "sort", "status", "program", "year"]),
            hostile.filter(lambda value: value is not None),
            min_size=1,
            max_size=4,
        )
    )
    def search(query: dict[str, list[str]]) -> None:
        response = client.get(path, query)
        assert response.status_code == 200, f"{case.name}: {response.status_code} for {query!r}"
        if "text/html" in response["Content-Type"]:
            assert b"</html>" in response.content

    search()


# --- Every form is on a page above ---------------------------------------------------------


def project_form_classes() -> dict[type, str]:
    """Every form, formset and filter class defined in a module of the project's apps, with
    where it is defined. A formset made by ``formset_factory`` counts where it is named."""
    found: dict[type, str] = {}
    kinds = (forms.BaseForm, forms.BaseFormSet, django_filters.FilterSet)
    for label in PROJECT_APPS:
        package = importlib.import_module(label)
        for info in pkgutil.walk_packages(package.__path__, f"{label}."):
            if ".migrations" in info.name or info.name.endswith(("wsgi", "asgi")):
                continue
            module = importlib.import_module(info.name)
            for name, value in inspect.getmembers(module, inspect.isclass):
                if not issubclass(value, kinds):
                    continue
                made_here = value.__module__ == module.__name__
                factory_made = (
                    issubclass(value, forms.BaseFormSet)
                    and value.__module__.startswith("django.")
                    and getattr(value, "form", object).__module__ == module.__name__
                )
                if made_here or factory_made:
                    found.setdefault(value, f"{module.__name__}.{name}")
    return found


@pytest.mark.django_db
def test_the_snapshot_sees_any_write_to_a_project_table(
    personas: dict[str, User | None], door: Program
) -> None:
    """The check that nothing was saved is only as good as the snapshot: a changed value, a
    row added, a row deleted and an audit entry about a change each show."""
    before = snapshot()
    assert snapshot() == before
    changes: list[Callable[[], object]] = [
        lambda: Program.objects.filter(pk=door.pk).update(county="Kewaunee"),
        lambda: ProgramFactory(slug="another"),
        lambda: Membership.objects.filter(program=door).delete(),
        lambda: AuditEntry.objects.create(action=AuditAction.UPDATE, object_repr="x"),
    ]
    for change in changes:

        def changed(change: Callable[[], object] = change) -> None:
            change()
            assert snapshot() != before

        in_savepoint(changed)
        assert snapshot() == before


def test_every_form_is_covered() -> None:
    covered = {form_class for case in CASES for form_class in case.forms}
    found = project_form_classes()
    missing = sorted(where for cls, where in found.items() if cls not in covered | set(BASES))
    assert not missing, "forms on no page of tests/hostile_cases.py: " + ", ".join(missing)
    for base in BASES:
        assert any(issubclass(cls, base) for cls in covered), f"{base.__qualname__}: no case"


def test_the_discovery_finds_forms_defined_anywhere() -> None:
    """Formsets made by ``formset_factory`` and the shared bases count too."""
    names = set(project_form_classes().values())
    assert {
        "referrals.forms.ParentFormSet",
        "councils.forms.AttendanceFormSet",
        "psp.forms.LoginForm",
        "psp.filters.FilterSet",
    } <= names


# --- Values read from the query string and from the path -----------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("query_page", QUERY_PAGES, ids=lambda p: p.name)
def test_hostile_query_strings(
    query_page: QueryPage, personas: dict[str, User | None], door: Program
) -> None:
    path = _fill(query_page.path, query_page.setup(personas, door))
    client = _client(personas, query_page.persona)

    @settings(HOSTILE_SETTINGS, max_examples=15)
    @given(
        query=st.dictionaries(
            st.sampled_from(query_page.params),
            hostile.filter(lambda value: value is not None),
            min_size=1,
        )
    )
    def visit(query: dict[str, list[str]]) -> None:
        response = client.get(path, query)
        # A NUL byte is refused before any view (psp.middleware.RequestLimitsMiddleware).
        nul = any("\x00" in value for values in query.values() for value in values)
        expected = 400 if nul else 200
        assert response.status_code == expected, f"{path}: {response.status_code} for {query!r}"

    visit()


HUGE_IDS = ["99999999999999999999", "9223372036854775808", "2147483648", "0"]


@pytest.mark.django_db
@pytest.mark.parametrize("huge", HUGE_IDS)
def test_huge_numbers_in_paths_are_not_found(
    huge: str, personas: dict[str, User | None], door: Program
) -> None:
    """Every URL with a number in its path, with a number no record has: 404, never 500."""
    client = _client(personas, "admin")
    coordinator = _client(personas, "door_coordinator")
    for _module, case in MATRIX_CASES:
        if "{" not in case.path:
            continue
        path = re.sub(r"\{\w+\}", huge, case.path).replace("2026-10", f"{huge}-{huge}")
        for who in (client, coordinator):
            response = getattr(who, case.method)(path, case.data or {})
            assert response.status_code in (403, 404), f"{path}: {response.status_code}"
