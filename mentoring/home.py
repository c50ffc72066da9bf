"""The Parent Partner's home: what it shows, and keeping it made.

A Parent Partner opens their home many times a day, on the tablet, and most of those times
nothing on it has changed. Its content (families, reminders, follow-ups, contacts sent back)
is made from the casework of the person's programs, the person's roles and the day, so it is
kept, made, in the cache under a key of exactly those:

- the person, the language of the page and the day in Wisconsin (reminders, "overdue" and
  "due today" change with the day, and only with the day);
- the person's roles in each program, and which programs are school-based;
- each of their programs' casework version (``CaseworkVersion``), which the database moves
  in the same transaction as any write to the casework the home shows, however written.

The versions are read before the casework: a page made from casework newer than its key is
only made again sooner; a page older than its key cannot happen. Anything else moving the key
(a change in another program, a role) makes the page again; nothing makes it wrong. A page
kept is left after ``KEEP_SECONDS`` anyway, so a deployment's new markup is never far off.

The kept content never holds a CSRF token: it is made with a random stand-in, kept with the
content and replaced by this request's own token (masked afresh, as Django does for every
response) each time it is shown. Administrators see every program's cases, which no key of
versions would cover: their home is made each time.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from mentoring import selectors
from mentoring.models import Activity, CaseworkVersion, ParentPartner, ReviewStatus, Stage
from psp import policy
from psp.models import Role

if TYPE_CHECKING:
    from psp.models import User

CONTENT_TEMPLATE = "mentoring/includes/home_content.html"
KEEP_SECONDS = 10 * 60
KEY_PREFIX = "home:1:"


def content(request: HttpRequest, user: User, today: datetime.date) -> SafeString:
    """The home's content for ``user`` on ``today``, kept or made, with this request's CSRF
    token in its forms."""
    key = cache_key(user, today) if not request.GET else None
    kept: tuple[str, str] | None = cache.get(key) if key else None
    if kept is None:
        stand_in = secrets.token_hex(16)
        made = render_to_string(
            CONTENT_TEMPLATE, {**context(user, today), "request": request, "csrf_token": stand_in}
        )
        kept = (stand_in, str(made))
        if key:
            cache.set(key, kept, KEEP_SECONDS)
    stand_in, html = kept
    return mark_safe(html.replace(stand_in, get_token(request)))  # noqa: S308 (our own page)


def cache_key(user: User, today: datetime.date) -> str | None:
    """The key the content is kept under (see the module's docstring), or None for a person
    whose home no key can cover. Reads the versions: call it before the casework."""
    if user.is_administrator:
        return None
    programs = policy.program_ids_where(user)
    versions = dict(
        CaseworkVersion.objects.filter(program_id__in=programs).values_list("program_id", "number")
    )
    school = policy.school_program_ids(user)
    parts = [
        f"{program}:{','.join(sorted(policy.roles_in(user, program)))}"
        f":{int(program in school)}:{versions.get(program, 0)}"
        for program in sorted(programs)
    ]
    described = "|".join(
        [str(user.pk), translation.get_language() or "", today.isoformat(), *parts]
    )
    return KEY_PREFIX + hashlib.sha256(described.encode()).hexdigest()


def context(user: User, today: datetime.date) -> dict[str, Any]:
    """What the content shows, read through the policy: only the casework of the person's
    programs (so that the versions of those programs cover it)."""
    cases = selectors.home_cases(user)
    for case in cases:
        case.overdue = selectors.is_overdue(case, today)
        case.court_soon = bool(
            case.next_court_date
            and today <= case.next_court_date <= today + datetime.timedelta(days=7)
        )
    partnered = policy.program_ids_where(user, {Role.PARENT_PARTNER})
    sent_back = (
        policy.visible(user, Activity)
        .filter(review_status=ReviewStatus.SENT_BACK, parent_partner__user=user)
        .only("pk", "activity_type", "occurred_on", "review_comment")
        .order_by("-occurred_on", F("occurred_time").desc(nulls_last=True), "-id")
    )
    return {
        "cases": cases,
        "sent_back": list(sent_back),
        "can_log": policy.can(user, "activity.create"),
        # Their profile in a program they are a Parent Partner of (for "My month").
        "profile": ParentPartner.objects.filter(
            user=user, stage=Stage.ACTIVE, program_id__in=partnered
        )
        .only("pk")
        .order_by("id")
        .first(),
        "this_month": today,
        "attention": selectors.reminders_for_cases(cases, today)
        + selectors.transition_reminders(cases, today, policy.school_program_ids(user)),
        "follow_ups": selectors.follow_up_summary(
            user,
            today,
            known_names={case.family_id: case.parent_names for case in cases},  # type: ignore[attr-defined]
            open_cases=cases,
        ),
        "today": today,
    }
