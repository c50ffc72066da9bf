"""Role x view matrix: every URL the project serves, every persona, the exact answer.

"Door" is the program whose records the URLs point at; ``rock_coordinator`` works in
another county and must get 404 for anything of Door's, so existence is not revealed.
Each app lists its URLs in ``tests/<app>/matrix_cases.py`` (see ``tests/matrix.py``).
Adding a URL without listing it fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import tests
from psp.models import Program, User
from tests.matrix import LOGIN, PERSONAS, Case


def _case_modules() -> list[ModuleType]:
    modules = []
    for package in pkgutil.iter_modules(tests.__path__):
        if package.ispkg:
            name = f"tests.{package.name}.matrix_cases"
            if importlib.util.find_spec(name) is not None:
                modules.append(importlib.import_module(name))
    return modules


MODULES = _case_modules()
CASES = [(module, case) for module in MODULES for case in module.CASES]

# Third-party pages: allauth's account pages (their access is allauth's, and the sign-in
# tests cover the ones we rely on), Django's admin (gated by ``admin.access``, tested in
# test_admin.py) and Django's language switch (tested in test_language.py).
EXCLUDED_PREFIXES = ("accounts/", "admin/", "i18n/")


def _named_patterns(resolvers: list[Any], prefix: str = "", namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if route.startswith(EXCLUDED_PREFIXES):
            continue
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _named_patterns(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL {route!r} has no name"
            names.add(namespace + entry.name)
    return names


def test_every_url_is_in_the_matrix() -> None:
    served = _named_patterns(get_resolver().url_patterns)
    covered = {case.url_name for _module, case in CASES}
    assert served - covered == set(), "URLs missing from the role x view matrix"
    assert covered - served == set(), "the matrix names URLs that no longer exist"


@pytest.mark.parametrize(("module", "case"), CASES, ids=lambda item: getattr(item, "url_name", ""))
@pytest.mark.parametrize("persona", PERSONAS)
def test_role_view_matrix(
    module: ModuleType,
    case: Case,
    persona: str,
    personas: dict[str, User | None],
    door: Program,
    client_for: Callable[[User | None], Client],
) -> None:
    make = getattr(module, "placeholders", None)
    values = make(personas, door) if make is not None else {}
    path = case.path.format(**values)
    client = client_for(personas[persona])
    response = getattr(client, case.method)(path, case.data or {})
    expected = case.answer_for(persona)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, (
            f"{persona} on {path}: got {response.status_code}, expected {expected}"
        )
    if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
        page = response.content.decode()
        # htmx is loaded only by the pages that name it (``{% block htmx %}``): a page with
        # htmx attributes and without it would do nothing when they fire.
        if "<html" in page and re.search(r"\shx-(get|post|trigger)=", page):
            assert "vendor/htmx/htmx" in page, f"{path} uses htmx but does not load it"
