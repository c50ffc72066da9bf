"""The one permission policy: who may do what, and which rows each user may see.

Every view asks here, through three calls:

- ``can(user, action, obj)`` -> bool: may this user do ``action`` (to ``obj``)?
- ``visible(user, Model)`` -> QuerySet: the rows of ``Model`` this user may see at all.
- ``get_for_user(user, Model, action, **lookup)``: one row, 404 if it is outside the user's
  scope (so another program's records are not even revealed to exist), 403 if it is visible
  but the action is not allowed. When the row is part of a family's record (``is_family_record``)
  and the request is a GET, the view is written to the audit log: a page that shows a family
  cannot forget to (``tests/psp/test_audit_every_view.py`` walks every page to make sure).

Deny by default: an action or a model with no rule here is refused to everybody.
Rules read a user's active memberships once per request (``_memberships``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import Http404

from psp import audit
from psp.models import AuditAction, AuditEntry, Membership, Program, Role, User

M = TypeVar("M", bound=models.Model)
AnyUser = User | AnonymousUser
Rule = Callable[[User, Any], bool]
Scope = Callable[[User], models.QuerySet[Any]]

_rules: dict[str, Rule] = {}
_scopes: dict[type[models.Model], Scope] = {}

COORDINATORS = frozenset({Role.PROGRAM_COORDINATOR, Role.PARENT_PARTNER_COORDINATOR})


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


def registered_actions() -> list[str]:
    return sorted(_rules)


# --- Internals ----------------------------------------------------------------------------


def _is_active_user(user: AnyUser | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _memberships(user: User) -> dict[int, frozenset[str]]:
    cached: dict[int, frozenset[str]] | None = getattr(user, "_psp_memberships", None)
    if cached is None:
        grouped: dict[int, set[str]] = {}
        rows = Membership.objects.filter(
            user=user, is_active=True, program__is_active=True
        ).values_list("program_id", "role")
        for program_id, role in rows:
            grouped.setdefault(program_id, set()).add(role)
        cached = {program_id: frozenset(roles) for program_id, roles in grouped.items()}
        user._psp_memberships = cached  # type: ignore[attr-defined]
    return cached


def _has_role(user: User, program_id: int | None, roles: Iterable[str]) -> bool:
    return program_id is not None and bool(roles_in(user, program_id) & frozenset(roles))


# --- Rules: the installation --------------------------------------------------------------


@rule("admin.access")
def _admin_access(user: User, obj: Any) -> bool:
    return user.is_administrator


@rule("dashboard.view")
def _dashboard(user: User, obj: Any) -> bool:
    return True


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
    return _has_role(user, program.pk, {Role.PROGRAM_COORDINATOR})


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
    return _has_role(user, entry.program_id, {Role.PROGRAM_COORDINATOR})


# --- Rules: referrals and families --------------------------------------------------------
# Imported here, not at the top: the referrals app's models import psp.models.
from referrals.models import (  # noqa: E402
    Child,
    Family,
    Parent,
    PlacementChange,
    Referral,
    RemovalEpisode,
)

_family_records: dict[type[models.Model], bool] = {}


def is_family_record(model: type[models.Model]) -> bool:
    """A family, or a record whose foreign keys lead to one (a parent, a child, a referral, a
    case, its goals and contacts...): what the audit log must see every view of."""
    if model not in _family_records:
        _family_records[model] = _leads_to_family(model, depth=4)
    return _family_records[model]


def _leads_to_family(model: type[models.Model], depth: int) -> bool:
    if issubclass(model, Family):
        return True
    if depth == 0:
        return False
    return any(
        _leads_to_family(field.related_model, depth - 1)
        for field in model._meta.concrete_fields
        if field.many_to_one or field.one_to_one
        if isinstance(field.related_model, type) and field.related_model is not model
    )


INTAKE_ROLES = frozenset({Role.PROGRAM_COORDINATOR, Role.SOCIAL_WORKER})
REFERRAL_READERS = frozenset(
    {
        Role.PROGRAM_COORDINATOR,
        Role.PARENT_PARTNER_COORDINATOR,
        Role.SOCIAL_WORKER,
        Role.PARENT_PARTNER,
    }
)


def _referral_filter(user: User, prefix: str = "") -> models.Q:
    """Which referrals a user may see: their programs' (coordinators), the ones they made
    (referrers), or the families they are assigned to now (Parent Partners)."""
    coordinator_programs = program_ids_where(user, COORDINATORS)
    referrer_programs = program_ids_where(user, {Role.SOCIAL_WORKER})
    partner_programs = program_ids_where(user, {Role.PARENT_PARTNER})
    return (
        models.Q(**{f"{prefix}program_id__in": coordinator_programs})
        | models.Q(**{f"{prefix}program_id__in": referrer_programs, f"{prefix}referred_by": user})
        | models.Q(
            **{
                f"{prefix}program_id__in": partner_programs,
                f"{prefix}case__assignments__parent_partner__user": user,
                f"{prefix}case__assignments__ended_on__isnull": True,
            }
        )
    )


@scope(Referral)
def _referrals(user: User) -> models.QuerySet[Referral]:
    if user.is_administrator:
        return Referral.objects.all()
    # A subquery, so the joins through assignments never duplicate rows.
    return Referral.objects.filter(
        pk__in=Referral.objects.filter(_referral_filter(user)).values("pk")
    )


@scope(Family)
def _families(user: User) -> models.QuerySet[Family]:
    if user.is_administrator:
        return Family.objects.all()
    return Family.objects.filter(
        pk__in=Referral.objects.filter(_referral_filter(user)).values("family_id")
    )


@scope(Child)
def _children(user: User) -> models.QuerySet[Child]:
    return Child.objects.filter(family__in=_families(user))


@scope(RemovalEpisode)
def _episodes(user: User) -> models.QuerySet[RemovalEpisode]:
    return RemovalEpisode.objects.filter(child__family__in=_families(user))


@scope(PlacementChange)
def _placements(user: User) -> models.QuerySet[PlacementChange]:
    return PlacementChange.objects.filter(episode__child__family__in=_families(user))


@scope(Parent)
def _parents(user: User) -> models.QuerySet[Parent]:
    return Parent.objects.filter(family__in=_families(user))


@rule("referral.list")
def _referral_list(user: User, obj: Any) -> bool:
    return user.is_administrator or bool(program_ids_where(user, REFERRAL_READERS))


@rule("referral.create")
def _referral_create(user: User, program: Program | None) -> bool:
    if program is None:
        return bool(program_ids_where(user, INTAKE_ROLES))
    return _has_role(user, program.pk, INTAKE_ROLES)


@rule("referral.view")
def _referral_view(user: User, referral: Referral) -> bool:
    if user.is_administrator or _has_role(user, referral.program_id, COORDINATORS):
        return True
    if _has_role(user, referral.program_id, {Role.SOCIAL_WORKER}) and (
        referral.referred_by_id == user.pk
    ):
        return True
    return _has_role(user, referral.program_id, {Role.PARENT_PARTNER}) and (
        _referrals(user).filter(pk=referral.pk).exists()
    )


@rule("referral.triage")
def _referral_triage(user: User, referral: Referral) -> bool:
    return _has_role(user, referral.program_id, {Role.PROGRAM_COORDINATOR})


@rule("referral.withdraw")
def _referral_withdraw(user: User, referral: Referral) -> bool:
    if _has_role(user, referral.program_id, {Role.PROGRAM_COORDINATOR}):
        return True
    return (
        _has_role(user, referral.program_id, {Role.SOCIAL_WORKER})
        and referral.referred_by_id == user.pk
    )


@rule("referral.export")
def _referral_export(user: User, program: Program | None) -> bool:
    if program is None:
        return bool(program_ids_where(user, COORDINATORS))
    return _has_role(user, program.pk, COORDINATORS)


@rule("family.change")
def _family_change(user: User, family: Family) -> bool:
    """Correct a family's record and the children's outcome dates."""
    return user.is_administrator or _has_role(user, family.program_id, COORDINATORS)


@rule("child.change")
def _child_change(user: User, child: Child) -> bool:
    return _family_change(user, child.family)


@rule("child.view")
def _child_view(user: User, child: Child) -> bool:
    """A child's page, with their stays in care: the people who keep those dates."""
    return _family_change(user, child.family)


@rule("episode.change")
def _episode_change(user: User, episode: RemovalEpisode) -> bool:
    return _family_change(user, episode.child.family)


@rule("placement.change")
def _placement_change(user: User, placement: PlacementChange) -> bool:
    return _family_change(user, placement.episode.child.family)


@rule("parent.change")
def _parent_change(user: User, parent: Parent) -> bool:
    return _family_change(user, parent.family)


# --- Rules: mentoring ---------------------------------------------------------------------
from mentoring.models import (  # noqa: E402
    Activity,
    Case,
    ClinicalSupportSession,
    ParentPartner,
    Resource,
    ReviewStatus,
    SupervisionSession,
    TrainingRecord,
)

PARTNER_SUPPORT = COORDINATORS | {Role.CLINICAL_SUPPORT}


def _current_cases_of(user: User) -> models.Q:
    return models.Q(
        assignments__parent_partner__user=user,
        assignments__ended_on__isnull=True,
        program_id__in=program_ids_where(user, {Role.PARENT_PARTNER}),
    )


@scope(ParentPartner)
def _parent_partners(user: User) -> models.QuerySet[ParentPartner]:
    if user.is_administrator:
        return ParentPartner.objects.all()
    return ParentPartner.objects.filter(
        models.Q(program_id__in=program_ids_where(user, PARTNER_SUPPORT))
        | models.Q(user=user, program_id__in=program_ids_where(user, {Role.PARENT_PARTNER}))
    )


@rule("parent_partner.list")
def _parent_partner_list(user: User, program: Program | None) -> bool:
    if program is None:
        return user.is_administrator or bool(program_ids_where(user, COORDINATORS))
    return user.is_administrator or _has_role(user, program.pk, COORDINATORS)


@rule("parent_partner.view")
def _parent_partner_view(user: User, partner: ParentPartner) -> bool:
    return (
        user.is_administrator
        or _has_role(user, partner.program_id, COORDINATORS)
        or (
            partner.user_id == user.pk
            and _has_role(user, partner.program_id, {Role.PARENT_PARTNER})
        )
    )


@rule("parent_partner.change", "parent_partner.create")
def _parent_partner_change(user: User, obj: ParentPartner | Program | None) -> bool:
    if obj is None:
        return bool(program_ids_where(user, COORDINATORS))
    program_id = obj.pk if isinstance(obj, Program) else obj.program_id
    return _has_role(user, program_id, COORDINATORS)


@scope(Case)
def _cases(user: User) -> models.QuerySet[Case]:
    if user.is_administrator:
        return Case.objects.all()
    return Case.objects.filter(
        pk__in=Case.objects.filter(
            models.Q(program_id__in=program_ids_where(user, COORDINATORS)) | _current_cases_of(user)
        ).values("pk")
    )


@rule("case.list")
def _case_list(user: User, obj: Any) -> bool:
    return user.is_administrator or bool(
        program_ids_where(user, COORDINATORS | {Role.PARENT_PARTNER})
    )


@rule("case.view")
def _case_view(user: User, case: Case) -> bool:
    return user.is_administrator or _cases(user).filter(pk=case.pk).exists()


@rule("case.assign", "case.change", "case.close")
def _case_manage(user: User, obj: Case | Referral | None) -> bool:
    if obj is None:
        return bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return _has_role(user, obj.program_id, {Role.PROGRAM_COORDINATOR})


@rule("case.goal_progress", "case.survey")
def _case_input(user: User, case: Case) -> bool:
    """Progress on goals and the parent's survey: the assigned Parent Partner, or coordinators."""
    if _has_role(user, case.program_id, COORDINATORS):
        return True
    return _has_role(user, case.program_id, {Role.PARENT_PARTNER}) and (
        Case.objects.filter(_current_cases_of(user), pk=case.pk).exists()
    )


@rule("activity.create")
def _activity_create(user: User, case: Case | None) -> bool:
    """Only a case's current Parent Partner logs contacts on it."""
    if case is None:
        return bool(program_ids_where(user, {Role.PARENT_PARTNER}))
    return (
        case.status == "open"
        and _has_role(user, case.program_id, {Role.PARENT_PARTNER})
        and (Case.objects.filter(_current_cases_of(user), pk=case.pk).exists())
    )


@rule("case.export", "activity.export")
def _mentoring_export(user: User, program: Program | None) -> bool:
    """Cases and contacts as CSV: the program's coordinators, like the referral export."""
    if program is None:
        return bool(program_ids_where(user, COORDINATORS))
    return _has_role(user, program.pk, COORDINATORS)


@scope(Activity)
def _activities(user: User) -> models.QuerySet[Activity]:
    if user.is_administrator:
        return Activity.objects.all()
    return Activity.objects.filter(
        models.Q(program_id__in=program_ids_where(user, COORDINATORS))
        | models.Q(
            parent_partner__user=user,
            program_id__in=program_ids_where(user, {Role.PARENT_PARTNER}),
        )
    )


@rule("activity.view")
def _activity_view(user: User, activity: Activity) -> bool:
    return _activities(user).filter(pk=activity.pk).exists()


@rule("activity.change")
def _activity_change(user: User, activity: Activity) -> bool:
    """The Parent Partner until it is signed off; after that only a coordinator."""
    if _has_role(user, activity.program_id, COORDINATORS):
        return True
    return (
        activity.review_status != ReviewStatus.SIGNED_OFF
        and activity.parent_partner.user_id == user.pk
        and _has_role(user, activity.program_id, {Role.PARENT_PARTNER})
    )


@rule("activity.review")
def _activity_review(user: User, obj: Activity | None) -> bool:
    if obj is None:
        return bool(program_ids_where(user, COORDINATORS))
    return _has_role(user, obj.program_id, COORDINATORS)


@scope(SupervisionSession)
def _supervision(user: User) -> models.QuerySet[SupervisionSession]:
    return SupervisionSession.objects.filter(
        models.Q(program_id__in=program_ids_where(user, COORDINATORS))
        | models.Q(parent_partner__user=user)
    )


@scope(ClinicalSupportSession)
def _clinical_sessions(user: User) -> models.QuerySet[ClinicalSupportSession]:
    return ClinicalSupportSession.objects.filter(
        program_id__in=program_ids_where(user, PARTNER_SUPPORT | {Role.PARENT_PARTNER})
    )


@scope(TrainingRecord)
def _trainings(user: User) -> models.QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(
        models.Q(parent_partner__program_id__in=program_ids_where(user, COORDINATORS))
        | models.Q(parent_partner__user=user)
    )


@rule("support.view")
def _support_view(user: User, program: Program | None) -> bool:
    """Supervision, clinical support and training pages."""
    roles = PARTNER_SUPPORT | {Role.PARENT_PARTNER}
    if program is None:
        return bool(program_ids_where(user, roles))
    return _has_role(user, program.pk, roles)


@rule("supervision.record", "training.record")
def _support_record(user: User, program: Program | None) -> bool:
    if program is None:
        return bool(program_ids_where(user, COORDINATORS))
    return _has_role(user, program.pk, COORDINATORS)


@rule("training.require")
def _training_require(user: User, program: Program | None) -> bool:
    """Choose which core topics a program asks of its Parent Partners."""
    if program is None:
        return bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return _has_role(user, program.pk, {Role.PROGRAM_COORDINATOR})


@rule("clinical.record")
def _clinical_record(user: User, program: Program | None) -> bool:
    if program is None:
        return bool(program_ids_where(user, PARTNER_SUPPORT))
    return _has_role(user, program.pk, PARTNER_SUPPORT)


@scope(Resource)
def _resources(user: User) -> models.QuerySet[Resource]:
    if user.is_administrator:
        return Resource.objects.all()
    return Resource.objects.filter(program_id__in=program_ids_where(user))


@rule("resource.view")
def _resource_view(user: User, obj: Any) -> bool:
    return user.is_administrator or bool(program_ids_where(user))


@rule("resource.change")
def _resource_change(user: User, obj: Resource | Program | None) -> bool:
    if obj is None:
        return bool(program_ids_where(user, COORDINATORS))
    program_id = obj.pk if isinstance(obj, Program) else obj.program_id
    return _has_role(user, program_id, COORDINATORS)


# --- Rules: councils and outreach ---------------------------------------------------------
# Imported here, not at the top, like the referrals section. No family records live in
# councils: state staff may read every local council's meetings, recommendations and
# attendance, but not its stipends (finance data) or its members' contact details.
from councils.models import Attendance as CouncilAttendance  # noqa: E402
from councils.models import (  # noqa: E402
    Council,
    CouncilKind,
    CouncilMember,
    OutreachEvent,
    Recommendation,
    RecommendationStatusChange,
    Stipend,
)
from councils.models import Meeting as CouncilMeeting  # noqa: E402


def _council_seats(user: User) -> frozenset[int]:
    """Ids of the councils where ``user`` holds an active seat (read-only access)."""
    cached: frozenset[int] | None = getattr(user, "_psp_council_seats", None)
    if cached is None:
        cached = frozenset(
            CouncilMember.objects.filter(user=user, is_active=True).values_list(
                "council_id", flat=True
            )
        )
        user._psp_council_seats = cached  # type: ignore[attr-defined]
    return cached


def _leads_council(user: User, council: Council) -> bool:
    """Full edit: the Program Coordinator of a local council, state staff for the state's."""
    if council.kind == CouncilKind.STATE:
        return user.is_state_staff
    return _has_role(user, council.program_id, {Role.PROGRAM_COORDINATOR})


def _assists_council(user: User, council: Council) -> bool:
    """Meetings and attendance: the leads above and the Parent Partner Coordinator."""
    if council.kind == CouncilKind.STATE:
        return user.is_state_staff
    return _has_role(user, council.program_id, COORDINATORS)


def _sees_council(user: User, council: Council) -> bool:
    if user.is_administrator or user.is_state_staff or _assists_council(user, council):
        return True
    return council.pk in _council_seats(user)


def _council_filter(user: User, prefix: str = "") -> models.Q:
    return models.Q(
        **{
            f"{prefix}kind": CouncilKind.LOCAL,
            f"{prefix}program_id__in": program_ids_where(user, COORDINATORS),
        }
    ) | models.Q(**{f"{prefix}pk__in": _council_seats(user)})


@scope(Council)
def _councils(user: User) -> models.QuerySet[Council]:
    if user.is_administrator or user.is_state_staff:
        return Council.objects.all()
    return Council.objects.filter(_council_filter(user))


@scope(CouncilMember)
def _council_members(user: User) -> models.QuerySet[CouncilMember]:
    return CouncilMember.objects.filter(council__in=_councils(user))


@scope(CouncilMeeting)
def _council_meetings(user: User) -> models.QuerySet[CouncilMeeting]:
    return CouncilMeeting.objects.filter(council__in=_councils(user))


@scope(CouncilAttendance)
def _council_attendance(user: User) -> models.QuerySet[CouncilAttendance]:
    return CouncilAttendance.objects.filter(meeting__council__in=_councils(user))


@scope(Recommendation)
def _recommendations(user: User) -> models.QuerySet[Recommendation]:
    return Recommendation.objects.filter(council__in=_councils(user))


@scope(RecommendationStatusChange)
def _recommendation_changes(user: User) -> models.QuerySet[RecommendationStatusChange]:
    return RecommendationStatusChange.objects.filter(recommendation__council__in=_councils(user))


@scope(Stipend)
def _stipends(user: User) -> models.QuerySet[Stipend]:
    if user.is_administrator:
        return Stipend.objects.all()
    local = models.Q(
        member__council__kind=CouncilKind.LOCAL,
        member__council__program_id__in=program_ids_where(user, {Role.PROGRAM_COORDINATOR}),
    )
    if user.is_state_staff:
        local |= models.Q(member__council__kind=CouncilKind.STATE)
    return Stipend.objects.filter(local)


@scope(OutreachEvent)
def _outreach_events(user: User) -> models.QuerySet[OutreachEvent]:
    if user.is_administrator or user.is_state_staff:
        return OutreachEvent.objects.all()
    return OutreachEvent.objects.filter(program_id__in=program_ids_where(user, COORDINATORS))


@rule("council.list", "recommendation.list")
def _council_list(user: User, obj: Any) -> bool:
    if user.is_administrator or user.is_state_staff:
        return True
    return bool(program_ids_where(user, COORDINATORS)) or bool(_council_seats(user))


@rule("council.create")
def _council_create(user: User, program: Program | None) -> bool:
    """A Program Coordinator sets up their program's council; state staff the state's."""
    if program is None:
        return user.is_state_staff or bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
    return _has_role(user, program.pk, {Role.PROGRAM_COORDINATOR})


@rule("council.create_state")
def _council_create_state(user: User, obj: Any) -> bool:
    return user.is_state_staff


@rule("council.view")
def _council_view(user: User, council: Council) -> bool:
    return _sees_council(user, council)


@rule("council.change", "recommendation.create")
def _council_change(user: User, council: Council) -> bool:
    """Members and recommendations: the council's lead only."""
    return _leads_council(user, council)


@rule("council.member.change")
def _council_member_change(user: User, member: CouncilMember) -> bool:
    return _leads_council(user, member.council)


@rule("council.members.view")
def _council_members_view(user: User, council: Council) -> bool:
    """Members' contact details and lived-experience flags."""
    return user.is_administrator or _assists_council(user, council)


@rule("meeting.create")
def _meeting_create(user: User, council: Council) -> bool:
    return _assists_council(user, council)


@rule("meeting.view")
def _meeting_view(user: User, meeting: CouncilMeeting) -> bool:
    return _sees_council(user, meeting.council)


@rule("meeting.change")
def _meeting_change(user: User, meeting: CouncilMeeting) -> bool:
    return _assists_council(user, meeting.council)


@rule("recommendation.view")
def _recommendation_view(user: User, recommendation: Recommendation) -> bool:
    return _sees_council(user, recommendation.council)


@rule("recommendation.change")
def _recommendation_change(user: User, recommendation: Recommendation) -> bool:
    return _leads_council(user, recommendation.council)


@rule("stipend.list")
def _stipend_list(user: User, council: Council | None) -> bool:
    if council is None:
        return (
            user.is_administrator
            or user.is_state_staff
            or bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))
        )
    return user.is_administrator or _leads_council(user, council)


@rule("stipend.create", "stipend.export")
def _stipend_manage(user: User, council: Council) -> bool:
    return _leads_council(user, council)


@rule("stipend.change")
def _stipend_change(user: User, stipend: Stipend) -> bool:
    return _leads_council(user, stipend.member.council)


@rule("outreach.list")
def _outreach_list(user: User, obj: Any) -> bool:
    return (
        user.is_administrator or user.is_state_staff or bool(program_ids_where(user, COORDINATORS))
    )


@rule("outreach.create")
def _outreach_create(user: User, program: Program | None) -> bool:
    if program is None:
        return bool(program_ids_where(user, COORDINATORS))
    return _has_role(user, program.pk, COORDINATORS)


@rule("outreach.view")
def _outreach_view(user: User, event: OutreachEvent) -> bool:
    return (
        user.is_administrator
        or user.is_state_staff
        or _has_role(user, event.program_id, COORDINATORS)
    )


@rule("outreach.change")
def _outreach_change(user: User, event: OutreachEvent) -> bool:
    return _has_role(user, event.program_id, COORDINATORS)


# --- Rules: reporting ---------------------------------------------------------------------
# Quarterly reports hold aggregates only. A program's coordinators read its reports, and its
# Program Coordinator asks for them; state staff read and ask for every program's and the
# statewide one, but only those with small race/ethnicity counts hidden
# (``Report.suppressed``; the statewide report always is). Administrators see the reports'
# progress in the Django admin, never their files.
from reporting.models import Report  # noqa: E402


@scope(Report)
def _reports(user: User) -> models.QuerySet[Report]:
    if user.is_administrator:
        return Report.objects.all()
    readable = models.Q(program_id__in=program_ids_where(user, COORDINATORS))
    if user.is_state_staff:
        readable |= models.Q(suppressed=True)
    return Report.objects.filter(readable)


@rule("report.list")
def _report_list(user: User, obj: Any) -> bool:
    return user.is_state_staff or bool(program_ids_where(user, COORDINATORS))


@rule("report.generate")
def _report_generate(user: User, program: Program | None) -> bool:
    """``program`` None is the statewide report."""
    if user.is_state_staff:
        return True
    return _has_role(user, program.pk if program else None, {Role.PROGRAM_COORDINATOR})


@rule("report.view", "report.download")
def _report_view(user: User, report: Report) -> bool:
    if user.is_state_staff and report.suppressed:
        return True
    return _has_role(user, report.program_id, COORDINATORS)


# --- Rules: dashboards --------------------------------------------------------------------
# Everybody has a dashboard ("dashboard.view" above); what it shows depends on the role. A
# program's part (caseloads, overdue contacts, hearings, the referral queue, the quarter's
# numbers) is for that program's coordinators; the statewide part, aggregates only, for state
# staff.


@rule("dashboard.program")
def _dashboard_program(user: User, program: Program | None) -> bool:
    if program is None:
        return bool(program_ids_where(user, COORDINATORS))
    return _has_role(user, program.pk, COORDINATORS)


@rule("dashboard.statewide")
def _dashboard_statewide(user: User, obj: Any) -> bool:
    return user.is_state_staff
