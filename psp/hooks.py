"""Hooks: how an app adds to pages it does not own, without those pages importing it.

An app registers functions in its ``hooks.py`` (``PspConfig.ready`` loads every app's), and
the page that owns the hook calls them (as Wagtail's ``wagtail_hooks.py`` do). The hooks:

``navigation``
    ``fn(user) -> list[Item]``: the navigation bar's items that user may open (asking
    ``psp.policy``), each a dict with ``label``, ``url``, ``name`` and optionally ``badge``
    and ``badge_label``; shown in ``order``.
``referral.sections``
    ``fn(user, referral) -> Section | None``: a box on a referral's page (mentoring adds the
    progress the case team shared with the referrer).
``referral.source_events``
    ``fn(program_ids, text="") -> QuerySet``: the outreach events a new referral may name as
    where the family heard of the program, newest first, those matching ``text`` when it is
    given (councils gives its events of the last year).
``referral.created``
    ``fn(*, actor, referral, answers) -> None``: called by ``referrals.services.referral_create``
    inside its transaction, once the referral is saved and audited; ``answers`` is the form's
    cleaned data. An app keeps what it asked for (councils: the event named in
    ``answers["source_event"]``, as a ``councils.ReferralSource``), through its own audited
    service; a ``ValidationError`` it raises, keyed by the form's field, undoes the referral
    and is shown on the form.
``family.record.prefetch`` and ``family.record.tables``
    ``fn() -> list[Prefetch]`` and ``fn(family) -> list[referrals.records.Table]``: what an
    app holds on a family, for the whole-record download (mentoring: cases, goals,
    contacts, surveys).
``family.retention.still_open``, ``family.anonymise``, ``family.retention.counts``
    The retention rule (``referrals.retention``): ``fn(cutoff)`` gives the ids of families
    an app still works with or closed on or after ``cutoff``; ``fn(family, result)`` clears
    what identifies the family in the app's records and adds it to ``result``;
    ``fn(families) -> dict[str, int]`` counts an app's records for a dry run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from psp import policy
from psp.models import User

Item = dict[str, Any]
F = TypeVar("F", bound=Callable[..., Any])

_hooks: dict[str, list[tuple[int, Callable[..., Any]]]] = {}


@dataclass(frozen=True)
class Section:
    """A box another app adds to a page: its template and that template's context."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


def register(name: str, order: int = 50) -> Callable[[F], F]:
    """Add ``fn`` to the hook ``name``; a hook's functions are called in ``order``."""

    def add(fn: F) -> F:
        found = _hooks.setdefault(name, [])
        found.append((order, fn))
        found.sort(key=lambda entry: entry[0])
        return fn

    return add


def get(name: str) -> list[Callable[..., Any]]:
    return [fn for _order, fn in _hooks.get(name, [])]


def navigation_for(user: User) -> list[Item]:
    return [item for fn in get("navigation") for item in fn(user)]


# --- The installation's own items ---------------------------------------------------------


@register("navigation", order=0)
def _start(user: User) -> list[Item]:
    return [
        {"label": _("Dashboard"), "url": reverse("dashboard"), "name": "dashboard"},
        {"label": _("Programs"), "url": reverse("program_list"), "name": "program_list"},
    ]


@register("navigation", order=90)
def _oversight(user: User) -> list[Item]:
    found: list[Item] = []
    if policy.can(user, "audit.view"):
        found.append({"label": _("Audit log"), "url": reverse("audit_log"), "name": "audit_log"})
    if policy.can(user, "admin.access"):
        found.append({"label": _("Administration"), "url": reverse("admin:index"), "name": "admin"})
    return found
