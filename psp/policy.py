"""The one permission policy: who may do what, and which rows each user may see.

Every view asks here, through three calls:

- ``can(user, action, obj)`` -> bool: may this user do ``action`` (to ``obj``)?
- ``visible(user, Model)`` -> QuerySet: the rows of ``Model`` this user may see at all.
- ``get_for_user(user, Model, action, **lookup)``: one row, 404 if it is outside the user's
  scope (so another program's records are not even revealed to exist), 403 if it is visible
  but the action is not allowed. When the row is part of a family's record (``is_family_record``)
  and the request is a GET, the view is written to the audit log: a page that shows a family
  cannot forget to (``tests/psp/test_audit_every_view.py`` walks every page to make sure).

Deny by default: an action or a model with no rule is refused to everybody.
Rules read a user's active memberships once per request (``_memberships``).

This module is the machinery and the installation's own rules (programs, memberships, the
audit log). Each domain app declares its actions and row scopes in its own ``rules.py``
with the ``rule`` and ``scope`` decorators below, and names the model its family records
lead to with ``family_root``; the project's app config loads every app's ``rules`` module
when Django starts (``PspConfig.ready``). This module imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from psp import audit
from psp.models import (
    AuditAction,
    AuditEntry,
    Membership,
    Notification,
    Program,
    ProgramType,
    Role,
    User,
)

M = TypeVar("M", bound=models.Model)
AnyUser = User | AnonymousUser
Rule = Callable[[User, Any], bool]
Scope = Callable[[User], models.QuerySet[Any]]

_rules: dict[str, Rule] = {}
_scopes: dict[type[models.Model], Scope] = {}
_family_roots: list[type[models.Model]] = []
_family_records: dict[type[models.Model], bool] = {}

COORDINATORS = frozenset({Role.PROGRAM_COORDINATOR, Role.PARENT_PARTNER_COORDINATOR})
# Who refers families from outside the program: a county social worker, or school staff of a
# school-based program's school. Each sees the referrals they made.
REFERRERS = frozenset({Role.SOCIAL_WORKER, Role.SCHOOL_STAFF})


# --- Public API ---------------------------------------------------------------------------


def can(user: AnyUser, action: str, obj: Any = None) -> bool:
    """May ``user`` do ``action`` to ``obj`` (or in general, when ``obj`` is None)?"""
    if not _is_active_user(user):
        return False
    rule = _rules.get(action)
    if rule is None:
        return False
    return bool(rule(user, obj))  # type: ignore[arg-type]


def visible(user: AnyUser, model: type[M]) -> models.QuerySet[M]:
    """The rows of ``model`` that ``user`` may see. Empty for unknown models."""
    if not _is_active_user(user):
        return model._default_manager.none()
    scope = _scopes.get(model)
    if scope is None:
        return model._default_manager.none()
    return scope(user)  # type: ignore[arg-type]


def get_for_user(
    user: AnyUser,
    model_or_queryset: type[M] | models.QuerySet[M],
    action: str,
    *,
    audit_view: bool | None = None,
    **lookup: Any,
) -> M:
    """One object the user may act on, or 404 when it is outside their scope, 403 otherwise.

    Showing it is audited when ``audit_view`` is true; by default (None), when it is part of
    a family's record and the request is a GET (a page is shown, not a form sent).
    """
    if isinstance(model_or_queryset, models.QuerySet):
        model = model_or_queryset.model
        queryset = model_or_queryset & visible(user, model)
    else:
        queryset = visible(user, model_or_queryset)
    try:
        obj = queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if not can(user, action, obj):
        raise PermissionDenied
    if audit_view is None:
        audit_view = is_family_record(type(obj)) and audit.in_reading_request()
    if audit_view:
        audit.record(actor=user, action=AuditAction.VIEW, obj=obj)  # type: ignore[arg-type]
    return obj


def require(user: AnyUser, action: str, obj: Any = None) -> None:
    """Raise 403 unless ``can(user, action, obj)``."""
    if not can(user, action, obj):
        raise PermissionDenied


def roles_in(user: AnyUser, program: Program | int) -> frozenset[str]:
    """The active roles ``user`` holds in ``program``."""
    if not _is_active_user(user):
        return frozenset()
    program_id = program if isinstance(program, int) else program.pk
    return _memberships(user).get(program_id, frozenset())  # type: ignore[arg-type]


def program_ids_where(user: AnyUser, roles: Iterable[str] | None = None) -> list[int]:
    """Ids of the programs where ``user`` holds any of ``roles`` (any role if None)."""
    if not _is_active_user(user):
        return []
    wanted = frozenset(roles) if roles is not None else None
    return [
        program_id
        for program_id, held in _memberships(user).items()  # type: ignore[arg-type]
        if wanted is None or held & wanted
    ]


def requires_mfa(user: AnyUser) -> bool:
    """Coordinators, state staff and administrators must use a second factor when required."""
    if not _is_active_user(user):
        return False
    assert isinstance(user, User)
    return (
        user.is_state_staff or user.is_administrator or bool(program_ids_where(user, COORDINATORS))
    )


# --- Registration -------------------------------------------------------------------------


def rule(*actions: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for action in actions:
            if action in _rules:
                raise ValueError(f"A rule for {action!r} is already registered.")
            _rules[action] = fn
        return fn

    return register


def scope(model: type[models.Model]) -> Callable[[Scope], Scope]:
    def register(fn: Scope) -> Scope:
        _scopes[model] = fn
        return fn

    return register


def has_scope(model: type[models.Model]) -> bool:
    return model in _scopes


def family_root(model: type[M]) -> type[M]:
    """Declare ``model`` a family (a class decorator, or a call in an app's ``rules.py``):
    it and every record whose foreign keys lead to it are audited when shown."""
    if model not in _family_roots:
        _family_roots.append(model)
        _family_records.clear()
    return model


def is_family_record(model: type[models.Model]) -> bool:
    """A family, or a record whose foreign keys lead to one (a parent, a child, a referral, a
    case, its goals and contacts...): what the audit log must see every view of."""
    if model not in _family_records:
        _family_records[model] = _leads_to_family(model, depth=4)
    return _family_records[model]


def registered_actions() -> list[str]:
    return sorted(_rules)


# --- Internals ----------------------------------------------------------------------------


def _is_active_user(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _memberships(user: User) -> dict[int, frozenset[str]]:
    cached: dict[int, frozenset[str]] | None = getattr(user, "_psp_memberships", None)
    if cached is None:
        grouped: dict[int, set[str]] = {}
        school_based: set[int] = set()
        staff_schools: dict[int, set[int]] = {}
        rows = Membership.objects.filter(
            user=user, is_active=True, program__is_active=True
        ).values_list(
            "program_id", "role", "program__program_type", "school_id", "school__is_active"
        )
        for program_id, role, program_type, school_id, school_open in rows:
            grouped.setdefault(program_id, set()).add(role)
            if program_type == ProgramType.PARENT_PEER_SUPPORT:
                school_based.add(program_id)
            if role == Role.SCHOOL_STAFF and school_id is not None and school_open:
                staff_schools.setdefault(program_id, set()).add(school_id)
        cached = {program_id: frozenset(roles) for program_id, roles in grouped.items()}
        user._psp_memberships = cached  # type: ignore[attr-defined]
        user._psp_school_programs = frozenset(school_based)  # type: ignore[attr-defined]
        user._psp_staff_schools = {  # type: ignore[attr-defined]
            program_id: frozenset(ids) for program_id, ids in staff_schools.items()
        }
    return cached


def school_program_ids(user: AnyUser) -> frozenset[int]:
    """The school-based programs among ``user``'s (read with their roles, no query more)."""
    if not _is_active_user(user):
        return frozenset()
    _memberships(user)  # type: ignore[arg-type]
    return user._psp_school_programs  # type: ignore[union-attr]


def staff_schools(user: AnyUser, program: Program | int | None = None) -> frozenset[int]:
    """The schools ``user`` works at as school staff now (``Membership.school``, a school not
    retired) in ``program``, or in any of their programs (read with their roles, no query
    more). A school staff member follows the families of these schools only."""
    if not _is_active_user(user):
        return frozenset()
    _memberships(user)  # type: ignore[arg-type]
    schools: dict[int, frozenset[int]] = user._psp_staff_schools  # type: ignore[union-attr]
    if program is None:
        return frozenset().union(*schools.values())
    program_id = program if isinstance(program, int) else program.pk
    return schools.get(program_id, frozenset())


def has_role(user: User, program_id: int | None, roles: Iterable[str]) -> bool:
    """Whether ``user`` holds one of ``roles`` in the program ``program_id``."""
    return program_id is not None and bool(roles_in(user, program_id) & frozenset(roles))


def has_role_in(user: User, program: Program | None, roles: Iterable[str]) -> bool:
    """For rules asked in general (``program`` None: anywhere) or about one program."""
    if program is None:
        return bool(program_ids_where(user, roles))
    return has_role(user, program.pk, roles)


def _leads_to_family(model: type[models.Model], depth: int) -> bool:
    if any(issubclass(model, root) for root in _family_roots):
        return True
    if depth == 0:
        return False
    return any(
        _leads_to_family(field.related_model, depth - 1)
        for field in model._meta.concrete_fields
        if field.many_to_one or field.one_to_one
        if isinstance(field.related_model, type) and field.related_model is not model
    )


# --- Rules: the installation --------------------------------------------------------------


@rule("admin.access")
def _admin_access(user: User, obj: Any) -> bool:
    return user.is_administrator


@rule("dashboard.view")
def _dashboard(user: User, obj: Any) -> bool:
    return True


@rule("profile.change")
def _profile_change(user: User, profile: User | None) -> bool:
    """Everyone signed in keeps their own account page (their language), whatever their role;
    nobody another's: administrators change other people in the admin."""
    return profile is None or profile.pk == user.pk


# --- Rules: programs ----------------------------------------------------------------------


@scope(Program)
def _programs(user: User) -> models.QuerySet[Program]:
    if user.is_administrator or user.is_state_staff:
        return Program.objects.all()
    return Program.objects.filter(pk__in=program_ids_where(user), is_active=True)


@rule("program.view")
def _program_view(user: User, program: Program) -> bool:
    if user.is_administrator or user.is_state_staff:
        return True
    return bool(roles_in(user, program))


@rule("program.change")
def _program_change(user: User, program: Program) -> bool:
    if user.is_administrator:
        return True
    return has_role(user, program.pk, {Role.PROGRAM_COORDINATOR})


@scope(Membership)
def _memberships_scope(user: User) -> models.QuerySet[Membership]:
    if user.is_administrator or user.is_state_staff:
        return Membership.objects.all()
    return Membership.objects.filter(program_id__in=program_ids_where(user))


# --- Rules: the audit log -----------------------------------------------------------------


@scope(AuditEntry)
def _audit_scope(user: User) -> models.QuerySet[AuditEntry]:
    if user.is_administrator:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(
        program_id__in=program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    )


@rule("audit.view")
def _audit_view(user: User, entry: AuditEntry | None) -> bool:
    if user.is_administrator:
        return True
    if entry is None:
        return bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return has_role(user, entry.program_id, {Role.PROGRAM_COORDINATOR})


# --- Rules: notifications -----------------------------------------------------------------


@scope(Notification)
def _notifications_scope(user: User) -> models.QuerySet[Notification]:
    """Everybody's own notifications, nobody else's (administrators' included)."""
    return Notification.objects.filter(recipient=user)


@rule("notification.list", "notification.open")
def _notification_own(user: User, notification: Notification | None) -> bool:
    """Everyone signed in has the bell and their own list, whatever their role."""
    return notification is None or notification.recipient_id == user.pk


@rule("notification.preferences")
def _notification_preferences(user: User, person: User | None) -> bool:
    """Each person chooses how they are told; nobody chooses for another."""
    return person is None or person.pk == user.pk
