"""Reads about people and programs that views share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from psp import policy
from psp.models import AuditEntry, Membership, Program, RoleLabel, User


@dataclass(frozen=True)
class ProgramRoles:
    program: Program
    roles: list[tuple[str, str]]  # (role value, the program's label for it)


def count_per_row(related: QuerySet[Any], link: str) -> Coalesce:
    """How many of ``related`` (filtered by ``link`` against ``OuterRef``) belong to each row,
    0 for none, as a subquery per row rather than a count over a join: the database counts
    only for the rows it shows (a page of 25), not for every row before the page is taken."""
    counted = related.order_by().values(link).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted), 0)


def programs_for_user(user: User) -> QuerySet[Program]:
    return policy.visible(user, Program).prefetch_related(
        "contract_periods", Prefetch("role_labels", queryset=RoleLabel.objects.all())
    )


def my_program_roles(user: User) -> list[ProgramRoles]:
    """Each program the user works in, with the roles they hold there, by its own labels."""
    memberships = (
        Membership.objects.filter(user=user, is_active=True, program__is_active=True)
        .select_related("program")
        .prefetch_related("program__role_labels", "program__contract_periods")
        .order_by("program__name", "role")
    )
    grouped: dict[int, ProgramRoles] = {}
    for membership in memberships:
        program = membership.program
        entry = grouped.setdefault(program.pk, ProgramRoles(program=program, roles=[]))
        entry.roles.append((membership.role, program.role_label(membership.role)))
    return list(grouped.values())


def program_team(program: Program) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(program=program, is_active=True)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name")
    )


def audit_entries_for_user(user: User, filters: dict[str, Any]) -> QuerySet[AuditEntry]:
    entries = policy.visible(user, AuditEntry)
    if filters.get("program"):
        entries = entries.filter(program_id=filters["program"].pk)
    if filters.get("action"):
        entries = entries.filter(action=filters["action"])
    if filters.get("actor"):
        entries = entries.filter(actor_username__icontains=filters["actor"])
    if filters.get("date_from"):
        entries = entries.filter(occurred_at__date__gte=filters["date_from"])
    if filters.get("date_to"):
        entries = entries.filter(occurred_at__date__lte=filters["date_to"])
    return entries.order_by("-occurred_at", "-id")


def people_with_roles(program: Program | int, roles: Iterable[str]) -> QuerySet[User]:
    """The active people holding one of ``roles`` (actively) in ``program``, each once."""
    program_id = program if isinstance(program, int) else program.pk
    return User.objects.filter(
        is_active=True,
        memberships__program_id=program_id,
        memberships__role__in=list(roles),
        memberships__is_active=True,
    ).distinct()
