"""Reads of referrals and families that the views, the CSV export and reports share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Model, OuterRef, Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from psp import hooks, policy
from psp.models import Program, Role, School, User
from psp.selectors import count_per_row
from referrals.models import (
    Child,
    Family,
    Parent,
    PlacementChange,
    Referral,
    ReferralRequest,
    RemovalEpisode,
    RequestStatus,
    Status,
    Transition,
    normalize_name,
)

M = TypeVar("M", bound=Model)


def referrals_for_user(user: User) -> QuerySet[Referral]:
    """The referrals a user may see, with what a list row shows, in a fixed number of queries."""
    return (
        policy.visible(user, Referral)
        .select_related("program", "family", "referred_by")
        .prefetch_related(Prefetch("family__parents", queryset=Parent.objects.order_by("id")))
        .annotate(child_count=child_count())
        .order_by("-received_on", "-id")
    )


def child_count() -> Coalesce:
    """Each referral's number of children, as a subquery per row rather than a count over a
    join: the database counts only the families of the rows it shows (a page of 25), after
    the filters, not every referral of every program before them."""
    return count_per_row(Child.objects.filter(family=OuterRef("family")), "family")


def referral_detail(user: User) -> QuerySet[Referral]:
    return (
        policy.visible(user, Referral)
        .select_related("program", "family", "referred_by", "entered_by")
        .prefetch_related(
            Prefetch("family__parents", queryset=Parent.objects.order_by("id")),
            Prefetch("family__children", queryset=Child.objects.order_by("birth_date", "id")),
            "family__children__episodes__placements",
            "transitions__actor",
            "program__role_labels",
        )
    )


def family_record(user: User) -> QuerySet[Family]:
    """Families with everything their whole-record download holds (``referrals.records``),
    loaded in a fixed number of queries however long the family's history. Other apps add
    what they hold on a family (hook ``family.record.prefetch``)."""
    more = [lookup for prefetch in hooks.get("family.record.prefetch") for lookup in prefetch()]
    return (
        policy.visible(user, Family)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "parents",
                queryset=Parent.objects.select_related("consent_recorded_by").order_by("id"),
            ),
            Prefetch("children", queryset=Child.objects.order_by("birth_date", "id")),
            Prefetch(
                "children__episodes", queryset=RemovalEpisode.objects.order_by("removed_on", "id")
            ),
            Prefetch(
                "children__episodes__placements",
                queryset=PlacementChange.objects.order_by("started_on", "id"),
            ),
            Prefetch(
                "referrals",
                queryset=Referral.objects.select_related("referred_by", "entered_by").order_by(
                    "received_on", "id"
                ),
            ),
            Prefetch(
                "referrals__transitions",
                queryset=Transition.objects.select_related("actor").order_by("at", "id"),
            ),
            *more,
        )
    )


def search(
    records: QuerySet[M], text: str, *, number: str = "number", family: str = "family"
) -> QuerySet[M]:
    """Parent or child name, accent- and case-insensitive, or the referral number: the whole
    text in a parent's name, or any of its words in a child's.

    ``records`` are referrals by default; for another model that leads to a referral and a
    family (a case, say), ``number`` and ``family`` are the lookups from it to them."""
    key = normalize_name(text)
    if not key:
        return records
    matches = Q(**{f"{number}__icontains": text.strip()}) | Q(
        **{f"{family}__parents__name_key__contains": key}
    )
    for word in key.split():
        matches |= Q(**{f"{family}__children__name_key__contains": word})
    ids = records.filter(matches).values("pk")
    return records.filter(pk__in=ids)


def find_families(user: User, text: str) -> QuerySet[Referral]:
    """The referrals the user may see whose family matches ``text`` (a parent's or child's
    name, accents and case ignored, or the referral number), newest first, each with its
    case, program, parents and children in a fixed number of queries."""
    return search(
        policy.visible(user, Referral)
        .select_related("program", "family", "case")
        .prefetch_related(
            Prefetch("family__parents", queryset=Parent.objects.order_by("id")),
            Prefetch("family__children", queryset=Child.objects.order_by("id")),
        )
        .order_by("-received_on", "-id"),
        text,
    )


def possible_duplicates(
    *, program_id: int, people: Iterable[tuple[str, str, datetime.date | None]]
) -> list[Parent]:
    """Parents already in the program with the same name (ignoring accents and case) and
    date of birth as any of ``people``."""
    conditions = Q()
    for first, last, birth_date in people:
        if birth_date is None:
            continue
        conditions |= Q(name_key=normalize_name(first, last), birth_date=birth_date)
    if not conditions:
        return []
    return list(
        Parent.objects.filter(conditions, family__program_id=program_id)
        .select_related("family")
        .prefetch_related("family__referrals")
        .order_by("id")
    )


def new_referral_count(user: User) -> int:
    """Referrals waiting for triage in the programs this user coordinates (navigation badge)."""
    programs = policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    if not programs:
        return 0
    return Referral.objects.filter(program_id__in=programs, status=Status.RECEIVED).count()


def public_requests(user: User, *, waiting: bool = True) -> QuerySet[ReferralRequest]:
    """The requests from the public pages of the user's programs: the waiting ones, oldest
    first (the longest wait comes first); or all of them, newest first."""
    requests = policy.visible(user, ReferralRequest).select_related("program", "referral")
    if waiting:
        return requests.filter(status=RequestStatus.WAITING).order_by("received_at", "id")
    return requests.order_by("-received_at", "-id")


def public_request_detail() -> QuerySet[ReferralRequest]:
    return ReferralRequest.objects.select_related("program", "referral", "handled_by")


def waiting_public_requests(user: User) -> int:
    """How many requests from the public pages wait for the user (a Program Coordinator)."""
    return policy.visible(user, ReferralRequest).filter(status=RequestStatus.WAITING).count()


def own_schools(user: User, program: Program | int) -> set[int] | None:
    """The schools a person refers from when they refer as school staff only (not also as
    the program's coordinator or a social worker): their memberships' schools, not retired.
    None: any school of the program."""
    roles = policy.roles_in(user, program)
    if Role.SCHOOL_STAFF not in roles or roles & {Role.PROGRAM_COORDINATOR, Role.SOCIAL_WORKER}:
        return None
    return set(policy.staff_schools(user, program))


def intake_schools(user: User, program_ids: list[int]) -> tuple[QuerySet[School], bool]:
    """The schools the intake form offers for a child of one of the programs
    ``program_ids``, and whether they are the person's own (then one must be chosen)."""
    schools = School.objects.filter(district__program__in=program_ids, is_active=True)
    schools = schools.order_by("name")
    owns = [own_schools(user, program_id) for program_id in program_ids]
    if not owns or any(own is None for own in owns):
        return schools, False
    return schools.filter(pk__in=set().union(*owns)), True  # type: ignore[arg-type]
