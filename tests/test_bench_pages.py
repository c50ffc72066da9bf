"""``make bench`` times every page each role opens: its list (``scripts/bench_pages.py``)
and the role x view matrix name the same GET pages, so a new page cannot be left out. The
JSON API's routes (``api:``) are not pages and are not in the bench's lists."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

from tests.matrix import PERSONAS
from tests.test_access_matrix import CASES

ROOT = Path(__file__).resolve().parent.parent


def _bench_pages() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "bench_pages", ROOT / "scripts" / "bench_pages.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench_pages()


def _as_bench_lists_it(path: str) -> str:
    """The matrix's fixed month and quarter are the bench's ``{month}`` and ``{quarter}``."""
    path = re.sub(r"/\d{4}-\d{2}/", "/{month}/", path)
    return re.sub(r"quarter=\d{4}-\d", "quarter={quarter}", path)


def _opened_by(persona: str) -> set[tuple[str, str]]:
    return {
        (case.url_name, _as_bench_lists_it(case.path))
        for _module, case in CASES
        if case.method == "get"
        and case.answer_for(persona) == 200
        and not case.url_name.startswith("api:")
    }


def test_every_role_of_the_matrix_is_benched_or_has_a_stand_in() -> None:
    # Rock's coordinator opens what Door's does; a person with no role, what everyone does.
    assert set(BENCH.ACCOUNTS) == set(PERSONAS) - {"rock_coordinator", "no_role"}
    assert set(BENCH.PAGES) == set(BENCH.ACCOUNTS)
    stand_ins = _opened_by("door_coordinator") | _opened_by("state")
    assert _opened_by("rock_coordinator") <= stand_ins
    assert _opened_by("no_role") <= _opened_by("door_clinical")


def test_bench_times_every_page_each_role_opens() -> None:
    missing = {
        persona: sorted(_opened_by(persona) - set(BENCH.PAGES[persona]))
        for persona in BENCH.ACCOUNTS
    }
    assert {persona: pages for persona, pages in missing.items() if pages} == {}


def test_bench_times_no_page_the_role_cannot_open() -> None:
    extra = {
        persona: sorted(set(BENCH.PAGES[persona]) - _opened_by(persona))
        for persona in BENCH.ACCOUNTS
    }
    assert {persona: pages for persona, pages in extra.items() if pages} == {}
