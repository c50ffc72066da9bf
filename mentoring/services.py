"""Writes for mentoring: Parent Partner profiles and stages, assignment, cases, goals,
closure, contacts and their review. Each is atomic and audited."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring import documents, selectors
from mentoring.models import (
    CORE_TOPICS,
    Activity,
    ActivityType,
    Assignment,
    Case,
    CaseGoal,
    CaseStatus,
    ClaimedExpense,
    ClaimedMileage,
    ClaimStatus,
    ClinicalSupportSession,
    Document,
    ExpenseClaim,
    FollowUp,
    GoalProgress,
    Hearing,
    MileageRate,
    ParentPartner,
    Participation,
    PartnerSource,
    Resource,
    ReviewStatus,
    Stage,
    StageChange,
    SupervisionSession,
    SurveyInstrument,
    SurveyResponse,
    TrainingRecord,
    TrainingRequirement,
    core_topics_for,
)
from psp import audit, notifications
from psp import selectors as psp_selectors
from psp.dates import format_when
from psp.models import AuditAction, NotificationKind, Program, User
from psp.numbers import round_half_up
from psp.policy import COORDINATORS
from psp.services import ConcurrentEditError, save_versioned
from referrals import services as referral_services
from referrals.models import Referral, RemovalEpisode, Status


class OverCapacityError(Exception):
    """Assigning would put the Parent Partner over their capacity; the user must confirm."""


class LanguageMismatchError(Exception):
    """The Parent Partner speaks none of the family's languages; the user must confirm."""


PARTNER_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "user",
    "employer",
    "eligibility_basis",
    "eligibility_date",
    "languages",
    "capacity",
    "notes",
]
ACTIVITY_FIELDS = [
    "occurred_on",
    "occurred_time",
    "duration_minutes",
    "activity_type",
    "mode",
    "location",
    "present",
    "notes",
    "mileage",
    "next_step",
    "next_court_date",
    "resource",
]


# --- Parent Partners ----------------------------------------------------------------------


@transaction.atomic
def parent_partner_create(*, actor: User, program: Program, data: dict[str, Any]) -> ParentPartner:
    partner = ParentPartner(program=program, stage=Stage.INQUIRY)
    for name in PARTNER_FIELDS:
        if name in data:
            setattr(partner, name, data[name])
    partner.full_clean()
    partner.save()
    StageChange.objects.create(parent_partner=partner, to_stage=Stage.INQUIRY, actor=actor)
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=partner, changes=audit.snapshot(partner)
    )
    return partner


INTEREST_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "best_time",
    "eligibility_basis",
    "eligibility_date",
    "languages",
]


@transaction.atomic
def parent_partner_interest(
    *, program: Program, data: dict[str, Any], message: str
) -> ParentPartner:
    """Someone asked on the program's public page to become a Parent Partner: an inquiry in
    the recruitment pipeline, marked as come from the public page, with what they wrote.
    The program's coordinators are told. Nobody is signed in; the audit log keeps the
    address it came from."""
    partner = ParentPartner(
        program=program,
        stage=Stage.INQUIRY,
        source=PartnerSource.PUBLIC_FORM,
        interest_message=message,
        **{name: data[name] for name in INTEREST_FIELDS if name in data},
    )
    partner.full_clean()
    partner.save()
    StageChange.objects.create(parent_partner=partner, to_stage=Stage.INQUIRY, actor=None)
    audit.record(
        actor=None, action=AuditAction.CREATE, obj=partner, changes=audit.snapshot(partner)
    )
    day = timezone.localdate(partner.created_at).isoformat()
    for coordinator in psp_selectors.people_with_roles(program.pk, COORDINATORS):
        notifications.notify(
            coordinator,
            NotificationKind.PUBLIC_INTEREST,
            key=str(partner.pk),
            url=reverse("mentoring:partner_detail", args=[partner.pk]),
            params={"day": day},
            program=program,
        )
    return partner


@transaction.atomic
def parent_partner_update(
    *, actor: User, partner: ParentPartner, data: dict[str, Any], expected_version: int
) -> ParentPartner:
    before = audit.snapshot(ParentPartner.objects.get(pk=partner.pk), PARTNER_FIELDS)
    for name in PARTNER_FIELDS:
        if name in data:
            setattr(partner, name, data[name])
    partner.full_clean()
    if partner.stage == Stage.ACTIVE:
        _require_eligible(partner)
        if partner.user_id is None:
            raise ValidationError(
                {"user": _("An active Parent Partner needs a sign-in account to log contacts.")}
            )
    save_versioned(instance=partner, expected_version=expected_version, fields=PARTNER_FIELDS)
    changes = audit.diff(before, audit.snapshot(partner, PARTNER_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=partner, changes=changes)
    return partner


def _require_eligible(partner: ParentPartner) -> None:
    if not partner.is_eligible():
        raise ValidationError(
            {
                "eligibility_date": _(
                    "%(name)s can become active on %(date)s, one full year after being "
                    "reunified or resolving permanency."
                )
                % {
                    "name": partner.first_name,
                    "date": format_when(partner.eligible_from, "date"),
                }
            }
        )


@transaction.atomic
def parent_partner_set_stage(
    *, actor: User, partner: ParentPartner, to_stage: str, expected_version: int, note: str = ""
) -> ParentPartner:
    """Move a Parent Partner through recruitment, activate them (only once eligible), or
    make them inactive."""
    if to_stage not in Stage.values:
        raise ValidationError({"stage": _("Choose a stage from the list.")})
    from_stage = partner.stage
    if to_stage == Stage.ACTIVE and from_stage != Stage.ACTIVE:
        problems = selectors.readiness_problems(partner)
        if problems:
            raise ValidationError(problems)
    partner.stage = to_stage
    partner.stage_changed_at = timezone.now()
    save_versioned(
        instance=partner, expected_version=expected_version, fields=["stage", "stage_changed_at"]
    )
    StageChange.objects.create(
        parent_partner=partner, from_stage=from_stage, to_stage=to_stage, actor=actor, note=note
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=partner,
        changes={"stage": [from_stage, to_stage]},
    )
    return partner


# --- Assignment and cases -----------------------------------------------------------------


@transaction.atomic
def case_assign(
    *,
    actor: User,
    referral: Referral,
    partner: ParentPartner,
    confirm_over_capacity: bool = False,
    confirm_language: bool = False,
    reason: str = "",
) -> Case:
    """Put a Parent Partner on an accepted referral's case (opening the case the first time),
    or hand the case to another Parent Partner; the earlier assignment is kept as history."""
    referral = Referral.objects.select_for_update().get(pk=referral.pk)
    if (
        partner.program_id != referral.program_id
        or not selectors.can_take_families(ParentPartner.objects.filter(pk=partner.pk)).exists()
    ):
        raise ValidationError(
            {
                "parent_partner": _(
                    "Choose an active Parent Partner of this program who has a sign-in account."
                )
            }
        )
    case = Case.objects.filter(referral=referral).first()
    if case is None and referral.status != Status.ACCEPTED:
        raise ValidationError(_("Only an accepted referral can be assigned."))
    if case is None and not any(
        parent.has_recorded_consent for parent in referral.family.parents.all()
    ):
        raise ValidationError(
            _("Record the parent's agreement to be contacted before assigning a Parent Partner.")
        )
    if case is not None and case.status != CaseStatus.OPEN:
        raise ValidationError(_("This case is closed."))
    caseload = selectors.with_caseload(ParentPartner.objects.filter(pk=partner.pk)).get().caseload
    over = caseload >= partner.capacity
    if over and not confirm_over_capacity:
        raise OverCapacityError(partner)
    languages = {parent.preferred_language for parent in referral.family.parents.all()}
    other_language = bool(languages) and not languages & set(partner.languages)
    if other_language and not confirm_language:
        raise LanguageMismatchError(partner)

    if case is None:
        case = Case(referral=referral, program=referral.program, family=referral.family)
        if referral.program.is_school_based:
            case.permanency_goal = ""
        case.full_clean()
        case.save()
        audit.record(actor=actor, action=AuditAction.CREATE, obj=case)
        referral_services.referral_transition(
            actor=actor,
            referral=referral,
            to_status=Status.ASSIGNED,
            expected_version=referral.version,
        )
    current = case.assignments.filter(ended_on__isnull=True).first()
    if current is not None:
        if current.parent_partner_id == partner.pk:
            return case
        current.ended_on = timezone.localdate()
        current.end_reason = reason
        current.save(update_fields=["ended_on", "end_reason"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=current,
            changes={"ended_on": current.ended_on.isoformat(), "end_reason": reason},
        )
    assignment = Assignment.objects.create(
        case=case, parent_partner=partner, assigned_by=actor, over_capacity=over
    )
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=assignment,
        changes={
            "parent_partner": str(partner),
            "over_capacity": over,
            "speaks_family_language": not other_language,
        },
    )
    if partner.user is not None and partner.user.pk != actor.pk:
        notifications.notify(
            partner.user,
            NotificationKind.CASE_ASSIGNED,
            key=str(assignment.pk),
            url=reverse("mentoring:case_detail", args=[case.pk]),
            params={"number": referral.number},
            program=case.program,
        )
    return case


@transaction.atomic
def case_update(*, actor: User, case: Case, data: dict[str, Any], expected_version: int) -> Case:
    fields = [] if case.program.is_school_based else ["permanency_goal"]
    if case.status == CaseStatus.CLOSED:
        fields.append("closure_outcome")
    before = audit.snapshot(Case.objects.get(pk=case.pk), fields)
    for name in fields:
        if name in data:
            setattr(case, name, data[name])
    case.full_clean()
    save_versioned(instance=case, expected_version=expected_version, fields=fields)
    changes = audit.diff(before, audit.snapshot(case, fields))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=case, changes=changes)
    return case


@transaction.atomic
def goal_add(*, actor: User, case: Case, text: str) -> CaseGoal:
    goal = CaseGoal(case=case, text=text.strip(), created_by=actor)
    goal.full_clean()
    goal.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=goal, changes={"text": goal.text})
    return goal


@transaction.atomic
def goal_progress_add(
    *, actor: User, goal: CaseGoal, note: str, status: str, shared_with_referrer: bool
) -> GoalProgress:
    progress = GoalProgress(
        goal=goal, note=note.strip(), author=actor, shared_with_referrer=shared_with_referrer
    )
    progress.full_clean()
    progress.save()
    changes: dict[str, Any] = {"note": progress.note}
    if status and status != goal.status:
        changes["status"] = [goal.status, status]
        goal.status = status
        goal.full_clean()
        goal.save(update_fields=["status"])
    audit.record(actor=actor, action=AuditAction.CREATE, obj=progress, changes=changes)
    return progress


@transaction.atomic
def case_close(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    closed_on: datetime.date,
    outcome: str,
    note: str,
    discharges: list[tuple[RemovalEpisode, dict[str, Any]]],
) -> Case:
    """Close a case: its outcome, each child's discharge from care (closing the child's open
    removal episode) where one is given, and the end of the Parent Partner's assignment."""
    for episode, data in discharges:
        if data.get("discharged_on"):
            referral_services.episode_discharge(
                actor=actor,
                episode=episode,
                discharged_on=data["discharged_on"],
                reason=data.get("discharge_reason") or "",
            )
    case.status = CaseStatus.CLOSED
    case.closed_on = closed_on
    case.closure_outcome = outcome
    case.closure_note = note
    case.full_clean()
    save_versioned(
        instance=case,
        expected_version=expected_version,
        fields=["status", "closed_on", "closure_outcome", "closure_note"],
    )
    ended = case.assignments.filter(ended_on__isnull=True).update(
        ended_on=closed_on, end_reason=_("Case closed")
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        changes={"status": ["open", "closed"], "outcome": outcome, "assignments_ended": ended},
    )
    return case


# --- Contacts -----------------------------------------------------------------------------


CONTACT_LOCK_NAMESPACE = 7_304


def _one_save_per_form(client_uuid: uuid.UUID) -> None:
    """Until this transaction ends, no other saves a contact with ``client_uuid``
    (PostgreSQL; SQLite writes one transaction at a time anyway). The lock is taken before
    looking for an earlier save: without it, both would look, find none and insert, and the
    second would fail on the unique ``client_uuid``."""
    if connection.vendor != "postgresql":
        return
    # Locks take two 32-bit keys: 31 bits of the UUID (two forms sharing them only wait
    # for each other, a few milliseconds).
    key = client_uuid.int % 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [CONTACT_LOCK_NAMESPACE, key])


@transaction.atomic
def activity_log(
    *,
    actor: User,
    partner: ParentPartner,
    case: Case,
    data: dict[str, Any],
    client_uuid: uuid.UUID,
) -> tuple[Activity, bool]:
    """Save a contact. A second submit of the same form (same ``client_uuid``) returns the
    first one instead of saving twice: ``(activity, created)``. Two sent at once (the page
    and the tablet's outbox, a retry while the first is still being saved) are saved one
    after the other, so the second finds the first rather than colliding with it."""
    _one_save_per_form(client_uuid)
    existing = Activity.objects.filter(client_uuid=client_uuid).first()
    if existing is not None:
        if existing.parent_partner_id != partner.pk:
            raise ValidationError(_("This form was already used. Reload the page and try again."))
        return existing, False
    activity = Activity(
        client_uuid=client_uuid,
        case=case,
        program_id=case.program_id,
        parent_partner=partner,
        created_by=actor,
    )
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    activity.full_clean()
    activity.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=activity,
        changes=audit.snapshot(activity, ACTIVITY_FIELDS),
    )
    _take_next_court_date(actor=actor, activity=activity)
    _take_next_step(actor=actor, activity=activity, due_on=data.get("next_step_due"))
    return activity, True


def _take_next_court_date(*, actor: User, activity: Activity) -> None:
    """A court hearing logged with the next hearing date puts that hearing on the case's
    list of hearings (unless one is already there that day)."""
    day = activity.next_court_date
    if day is None or activity.activity_type != ActivityType.COURT_HEARING:
        return
    schedule_hearing(actor=actor, case=activity.case, day=day, from_contact=activity)
    sync_next_hearing([activity.case_id])


NEXT_STEP_DAYS = 7  # a next step noted without a day is due a week after the contact


def _take_next_step(*, actor: User, activity: Activity, due_on: datetime.date | None) -> None:
    """A contact's next step is a follow-up for its Parent Partner, due ``due_on`` (or a week
    after the contact). Changing the contact's next step changes its follow-up while that is
    open; clearing it removes the open follow-up. A done one is left as it was."""
    follow_up = FollowUp.objects.filter(from_contact=activity).first()
    if follow_up is not None and follow_up.done_at is not None:
        return
    what = activity.next_step.strip()
    if not what:
        if follow_up is not None:
            audit.record(
                actor=actor,
                action=AuditAction.DELETE,
                obj=follow_up,
                changes=audit.snapshot(follow_up, FOLLOW_UP_FIELDS),
            )
            follow_up.delete()
        return
    if activity.case.status != CaseStatus.OPEN:
        return
    if due_on is not None and due_on < activity.occurred_on:
        raise ValidationError({"next_step_due": _("Enter a day on or after the contact.")})
    due = due_on or (
        follow_up.due_on
        if follow_up is not None
        else activity.occurred_on + datetime.timedelta(days=NEXT_STEP_DAYS)
    )
    if follow_up is None:
        follow_up = FollowUp(
            case=activity.case,
            from_contact=activity,
            owner_id=activity.parent_partner.user_id or actor.pk,
            created_by=actor,
        )
        before: dict[str, Any] | None = None
    else:
        before = audit.snapshot(follow_up, FOLLOW_UP_FIELDS)
    follow_up.what = what[: FollowUp._meta.get_field("what").max_length]
    follow_up.due_on = due
    follow_up.full_clean()
    if before is None:
        follow_up.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=follow_up,
            changes=audit.snapshot(follow_up, FOLLOW_UP_FIELDS),
        )
        return
    changes = audit.diff(before, audit.snapshot(follow_up, FOLLOW_UP_FIELDS))
    if changes:
        follow_up.version += 1
        follow_up.save(update_fields=["what", "due_on", "version"])
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=follow_up, changes=changes)


FOLLOW_UP_FIELDS = ["what", "due_on", "owner"]


def _check_owner(case: Case, owner: User | None) -> None:
    if owner is None or not selectors.follow_up_owners(case).filter(pk=owner.pk).exists():
        raise ValidationError(
            {
                "owner": _(
                    "Choose someone on this family's case: its Parent Partner or a coordinator."
                )
            }
        )


@transaction.atomic
def follow_up_save(
    *,
    actor: User,
    case: Case,
    follow_up: FollowUp | None,
    data: dict[str, Any],
    expected_version: int | None = None,
) -> FollowUp:
    """Add a follow-up to a case, or change one (what, by when, who)."""
    before_owner = None
    if follow_up is None:
        follow_up = FollowUp(case=case, created_by=actor)
        before: dict[str, Any] | None = None
    else:
        # The stored row: a bound form has already changed ``follow_up``.
        stored = FollowUp.objects.get(pk=follow_up.pk)
        before, before_owner = audit.snapshot(stored, FOLLOW_UP_FIELDS), stored.owner_id
    for name in FOLLOW_UP_FIELDS:
        if name in data:
            setattr(follow_up, name, data[name])
    if before is None or follow_up.owner_id != before_owner:
        _check_owner(case, follow_up.owner if follow_up.owner_id else None)
    follow_up.full_clean()
    if before is None:
        follow_up.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=follow_up,
            changes=audit.snapshot(follow_up, FOLLOW_UP_FIELDS),
        )
        return follow_up
    save_versioned(
        instance=follow_up, expected_version=expected_version or 0, fields=FOLLOW_UP_FIELDS
    )
    changes = audit.diff(before, audit.snapshot(follow_up, FOLLOW_UP_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=follow_up, changes=changes)
    return follow_up


@transaction.atomic
def follow_up_done(*, actor: User, follow_up: FollowUp, expected_version: int) -> FollowUp:
    """Mark a follow-up done (by whoever did it)."""
    if follow_up.done_at is not None:
        return follow_up
    follow_up.done_at = timezone.now()
    follow_up.done_by = actor
    save_versioned(
        instance=follow_up, expected_version=expected_version, fields=["done_at", "done_by"]
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=follow_up,
        changes={"done": [None, format_when(timezone.localdate(), "date")]},
    )
    return follow_up


HEARING_FIELDS = ["day", "time", "hearing_type", "court", "judge", "outcome"]


def sync_next_hearing(case_ids: list[int], today: datetime.date | None = None) -> int:
    """Each case's ``next_court_date``: the first of its hearings still to come, or none.
    It is read from the hearings, never typed, so it is set without raising the case's
    version (a coordinator's open case form stays valid). Returns the cases changed."""
    today = today or timezone.localdate()
    first = (
        Hearing.objects.filter(case_id=OuterRef("pk"), day__gte=today)
        .order_by("day")
        .values("day")[:1]
    )
    cases = Case.objects.filter(pk__in=case_ids)
    return cases.update(next_court_date=Subquery(first))


def sync_stale_next_hearings(today: datetime.date | None = None) -> int:
    """Once a day: cases whose next hearing has passed move on to the one after it."""
    today = today or timezone.localdate()
    stale = list(Case.objects.filter(next_court_date__lt=today).values_list("pk", flat=True))
    return sync_next_hearing(stale, today) if stale else 0


def schedule_hearing(
    *,
    actor: User,
    case: Case,
    day: datetime.date,
    time: datetime.time | None = None,
    court: str = "",
    judge: str = "",
    from_contact: Activity | None = None,
) -> Hearing | None:
    """A hearing the court set, on ``day``, unless the case already has one that day."""
    if Hearing.objects.filter(case=case, day=day).exists():
        return None
    hearing = Hearing(case=case, day=day, time=time, court=court, judge=judge, created_by=actor)
    hearing.full_clean()
    hearing.save()
    changes = audit.snapshot(hearing, HEARING_FIELDS)
    if from_contact is not None:
        changes["from_contact"] = str(from_contact.client_uuid)
    audit.record(actor=actor, action=AuditAction.CREATE, obj=hearing, changes=changes)
    return hearing


@transaction.atomic
def hearing_save(
    *,
    actor: User,
    case: Case,
    hearing: Hearing | None,
    data: dict[str, Any],
    expected_version: int | None = None,
    next_day: datetime.date | None = None,
    next_time: datetime.time | None = None,
) -> Hearing:
    """Add a hearing to a case, or change one (what the court decided, once it was held);
    with ``next_day``, the hearing the court set next goes on the list too."""
    if hearing is None:
        hearing = Hearing(case=case, created_by=actor)
        before: dict[str, Any] | None = None
    else:
        before = audit.snapshot(hearing, HEARING_FIELDS)
    for name in HEARING_FIELDS:
        if name in data:
            setattr(hearing, name, data[name])
    hearing.full_clean()
    if case.hearings.filter(day=hearing.day).exclude(pk=hearing.pk).exists():
        raise ValidationError(
            {"day": _("This case already has a hearing that day: change that one instead.")}
        )
    if before is None:
        hearing.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=hearing,
            changes=audit.snapshot(hearing, HEARING_FIELDS),
        )
    else:
        save_versioned(
            instance=hearing, expected_version=expected_version or 0, fields=HEARING_FIELDS
        )
        changes = audit.diff(before, audit.snapshot(hearing, HEARING_FIELDS))
        if changes:
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=hearing, changes=changes)
    if next_day is not None:
        schedule_hearing(
            actor=actor,
            case=case,
            day=next_day,
            time=next_time,
            court=hearing.court,
            judge=hearing.judge,
        )
    sync_next_hearing([case.pk])
    return hearing


@transaction.atomic
def activity_update(
    *, actor: User, activity: Activity, data: dict[str, Any], expected_version: int
) -> Activity:
    """Edit a contact. A Parent Partner's edit of a log that was sent back puts it back in
    the review queue."""
    before = audit.snapshot(Activity.objects.get(pk=activity.pk), ACTIVITY_FIELDS)
    for name in ACTIVITY_FIELDS:
        if name in data:
            setattr(activity, name, data[name])
    activity.full_clean()
    fields = list(ACTIVITY_FIELDS)
    if (
        activity.review_status == ReviewStatus.SENT_BACK
        and activity.parent_partner.user_id == actor.pk
    ):
        activity.review_status = ReviewStatus.WAITING
        fields.append("review_status")
    save_versioned(instance=activity, expected_version=expected_version, fields=fields)
    changes = audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=activity, changes=changes)
    if "next_court_date" in changes:
        _take_next_court_date(actor=actor, activity=activity)
    if "next_step" in changes or data.get("next_step_due"):
        _take_next_step(actor=actor, activity=activity, due_on=data.get("next_step_due"))
    return activity


@transaction.atomic
def activity_review(
    *, actor: User, activity: Activity, sign_off: bool, comment: str, expected_version: int
) -> Activity:
    """Sign a log off (it is then locked) or send it back to the Parent Partner with a comment."""
    if not sign_off and not comment.strip():
        raise ValidationError({"comment": _("Tell the Parent Partner what to change.")})
    from_status = activity.review_status
    activity.review_status = ReviewStatus.SIGNED_OFF if sign_off else ReviewStatus.SENT_BACK
    activity.review_comment = comment.strip()
    activity.reviewed_by = actor
    activity.reviewed_at = timezone.now()
    save_versioned(
        instance=activity,
        expected_version=expected_version,
        fields=["review_status", "review_comment", "reviewed_by", "reviewed_at"],
    )
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=activity,
        changes={
            "review_status": [from_status, activity.review_status],
            "comment": activity.review_comment,
        },
    )
    partner = activity.parent_partner
    if not sign_off and partner.user is not None and partner.user.pk != actor.pk:
        notifications.notify(
            partner.user,
            NotificationKind.CONTACT_SENT_BACK,
            # Each sending back is told: the version it left the contact at.
            key=f"{activity.pk}:{activity.version}",
            url=reverse("mentoring:activity_edit", args=[activity.pk]),
            params={
                "number": activity.case.referral.number,
                "day": activity.occurred_on.isoformat(),
            },
            program=activity.program,
        )
    return activity


def activities_sign_off(
    *, actor: User, chosen: list[Activity], versions: dict[int, int | None]
) -> tuple[list[Activity], list[Activity]]:
    """Sign off several contacts at once, each at the version the coordinator read: one the
    Parent Partner changed since (or sent without its version) is left for them to read
    again. Each is its own step, audited as one sign-off: ``(signed off, left)``."""
    signed: list[Activity] = []
    left: list[Activity] = []
    for activity in chosen:
        version = versions.get(activity.pk)
        if version is None:
            left.append(activity)
            continue
        try:
            with transaction.atomic():
                activity_review(
                    actor=actor,
                    activity=activity,
                    sign_off=True,
                    comment="",
                    expected_version=version,
                )
        except ConcurrentEditError:
            left.append(activity)
        else:
            signed.append(activity)
    return signed, left


# --- Support for Parent Partners, resources, surveys --------------------------------------


def _save_new(actor: User, obj: Any, changes: dict[str, Any] | None = None) -> Any:
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=obj, changes=changes or {})
    return obj


@transaction.atomic
def supervision_record(*, actor: User, data: dict[str, Any]) -> SupervisionSession:
    partner = data["parent_partner"]
    session = SupervisionSession(
        program_id=partner.program_id,
        parent_partner=partner,
        supervisor=actor,
        held_on=data["held_on"],
        duration_minutes=data["duration_minutes"],
        topics=data.get("topics", ""),
    )
    return _save_new(
        actor, session, {"parent_partner": str(partner), "held_on": str(session.held_on)}
    )


@transaction.atomic
def clinical_session_record(
    *, actor: User, program: Program, data: dict[str, Any]
) -> ClinicalSupportSession:
    """Record that the month's team support happened, and who came. No clinical content."""
    session = ClinicalSupportSession(
        program=program,
        held_on=data["held_on"],
        duration_minutes=data["duration_minutes"],
        facilitator=actor
        if actor.memberships.filter(
            program=program, role="clinical_support", is_active=True
        ).exists()
        else None,
    )
    _save_new(actor, session, {"held_on": str(session.held_on)})
    attendees = list(data.get("attendees") or [])
    if any(partner.program_id != program.pk for partner in attendees):
        raise ValidationError({"attendees": _("Choose Parent Partners of this program.")})
    session.attendees.set(attendees)
    return session


PARTICIPATION_FIELDS = ["parent_partner", "kind", "title", "held_on", "hours", "amount", "paid_on"]


@transaction.atomic
def participation_record(*, actor: User, data: dict[str, Any]) -> Participation:
    """A Parent Partner's part in a council, committee, training or event, and its pay."""
    record = Participation(**{key: data[key] for key in PARTICIPATION_FIELDS if key in data})
    if record.amount is None:
        record.amount = Decimal("0")
    return _save_new(actor, record, audit.snapshot(record))


def _correct_partner_record(
    actor: User, record: Participation | TrainingRecord, data: dict[str, Any], fields: list[str]
) -> None:
    """A record about a Parent Partner corrected: it stays with a Parent Partner of the same
    program; what changed is audited, compared as stored (1.5 hours typed is the 1.50
    already kept, not a change)."""
    stored = type(record).objects.select_for_update().select_related("parent_partner")
    kept = stored.get(pk=record.pk)
    before = audit.snapshot(kept, fields)
    for name in fields:
        if name in data:
            setattr(record, name, data[name])
    if record.parent_partner.program_id != kept.parent_partner.program_id:
        raise ValidationError({"parent_partner": _("Choose a Parent Partner of this program.")})
    record.full_clean()
    record.save()
    record.refresh_from_db()
    changes = audit.diff(before, audit.snapshot(record, fields))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=record, changes=changes)


def _delete_partner_record(
    actor: User, record: Participation | TrainingRecord, fields: list[str]
) -> None:
    """A record about a Parent Partner made by mistake, deleted; the audit log keeps what it
    was."""
    stored = type(record).objects.select_for_update().select_related("parent_partner")
    kept = stored.get(pk=record.pk)
    audit.record(
        actor=actor, action=AuditAction.DELETE, obj=kept, changes=audit.snapshot(kept, fields)
    )
    kept.delete()


@transaction.atomic
def participation_update(
    *, actor: User, record: Participation, data: dict[str, Any]
) -> Participation:
    """A participation corrected, or its date paid added once the payment is made."""
    if "amount" in data and data["amount"] is None:
        data = {**data, "amount": Decimal("0")}
    _correct_partner_record(actor, record, data, PARTICIPATION_FIELDS)
    return record


@transaction.atomic
def participation_delete(*, actor: User, record: Participation) -> None:
    _delete_partner_record(actor, record, PARTICIPATION_FIELDS)


TRAINING_FIELDS = ["parent_partner", "topic", "title", "completed_on", "hours", "provider"]


@transaction.atomic
def training_record(*, actor: User, data: dict[str, Any]) -> TrainingRecord:
    record = TrainingRecord(**{key: data[key] for key in TRAINING_FIELDS if key in data})
    return _save_new(actor, record, audit.snapshot(record))


@transaction.atomic
def training_update(*, actor: User, record: TrainingRecord, data: dict[str, Any]) -> TrainingRecord:
    """A training corrected: the wrong topic chosen counted a core topic as done."""
    _correct_partner_record(actor, record, data, TRAINING_FIELDS)
    return record


@transaction.atomic
def training_delete(*, actor: User, record: TrainingRecord) -> None:
    _delete_partner_record(actor, record, TRAINING_FIELDS)


@transaction.atomic
def core_topics_set(*, actor: User, program: Program, topics: list[str]) -> TrainingRequirement:
    """Which core topics ``program`` asks of a Parent Partner before they start work."""
    requirement = TrainingRequirement.objects.filter(program=program).first()
    before = core_topics_for(program.pk)
    if requirement is None:
        requirement = TrainingRequirement(program=program)
    requirement.topics = [topic.value for topic in CORE_TOPICS if topic in set(topics)]
    requirement.full_clean()
    requirement.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=requirement,
        program=program,
        changes={"topics": [[topic.value for topic in before], requirement.topics]},
    )
    return requirement


@transaction.atomic
def resource_save(*, actor: User, resource: Resource, data: dict[str, Any]) -> Resource:
    fields = [
        "name",
        "category",
        "description",
        "phone",
        "website",
        "address",
        "languages",
        "is_active",
    ]
    creating = resource.pk is None
    before = {} if creating else audit.snapshot(Resource.objects.get(pk=resource.pk), fields)
    for name in fields:
        if name in data:
            setattr(resource, name, data[name])
    resource.full_clean()
    resource.save()
    after = audit.snapshot(resource, fields)
    audit.record(
        actor=actor,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        obj=resource,
        changes=after if creating else audit.diff(before, after),
    )
    return resource


def survey_score(answers: dict[str, int]) -> Decimal:
    """The mean answer, 1 to 5, to two decimals."""
    if not answers:
        raise ValidationError(_("Answer at least one question."))
    if any(not 1 <= value <= 5 for value in answers.values()):
        raise ValidationError(_("Answers go from 1 to 5."))
    mean = Fraction(sum(answers.values()), len(answers))
    return round_half_up(mean, 2)


@transaction.atomic
def survey_record(
    *,
    actor: User,
    case: Case,
    instrument: SurveyInstrument,
    timing: str,
    answered_on: datetime.date,
    answers: dict[str, int],
) -> SurveyResponse:
    expected = {question["key"] for question in instrument.questions}
    if set(answers) != expected:
        raise ValidationError(_("Answer every question."))
    response, _created = SurveyResponse.objects.update_or_create(
        case=case,
        timing=timing,
        defaults={
            "instrument": instrument,
            "answered_on": answered_on,
            "answers": answers,
            "score": survey_score(answers),
        },
    )
    response.full_clean()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=response,
        changes={"timing": timing, "score": str(response.score)},
    )
    return response


DEFAULT_SURVEY = {
    "name": "Hope and support (default)",
    "questions": [
        {
            "key": "hope",
            "text": "I feel hopeful about my family's future.",
            "text_es": "Tengo esperanza en el futuro de mi familia.",
            # Empty until a translator writes it: the survey asks in English meanwhile.
            "text_hmn": "",
        },
        {
            "key": "supported",
            "text": "I feel supported by people who understand what I am going through.",
            "text_es": "Me siento apoyado(a) por personas que entienden lo que estoy viviendo.",
            "text_hmn": "",
        },
        {
            "key": "confident",
            "text": "I know what I need to do for my case.",
            "text_es": "Sé lo que tengo que hacer para mi caso.",
            "text_hmn": "",
        },
    ],
}


SCHOOL_SURVEY = {
    "name": "Confidence working with the school (school-based)",
    "questions": [
        {
            "key": "confident_with_school",
            "text": "I feel confident working with my child's school.",
            "text_es": "Me siento con confianza para trabajar con la escuela de mi hijo(a).",
            "text_hmn": "",
        },
        {
            "key": "know_supports",
            "text": (
                "I know what supports the school can give my child (such as an IEP or a 504 plan)."
            ),
            "text_es": (
                "Sé qué apoyos puede darle la escuela a mi hijo(a) (como un IEP o un plan 504)."
            ),
            "text_hmn": "",
        },
        {
            "key": "supported",
            "text": "I feel supported by people who understand what I am going through.",
            "text_es": "Me siento apoyado(a) por personas que entienden lo que estoy viviendo.",
            "text_hmn": "",
        },
    ],
}


def survey_instrument_for(program: Program) -> SurveyInstrument:
    """The survey a program's parents answer: the one set for programs of its type, else
    the default. A school-based program's measures confidence working with the school."""
    found = SurveyInstrument.objects.filter(program_type=program.program_type).first()
    if found is not None:
        return found
    if program.is_school_based:
        instrument, _created = SurveyInstrument.objects.get_or_create(
            name=SCHOOL_SURVEY["name"],
            defaults={
                "questions": SCHOOL_SURVEY["questions"],
                "program_type": program.program_type,
            },
        )
        return instrument
    default = SurveyInstrument.objects.filter(is_default=True).first()
    return default if default is not None else default_survey_instrument()


def default_survey_instrument() -> SurveyInstrument:
    """The survey the Iowa model reported on: hope and feeling supported, 1 to 5."""
    instrument, _created = SurveyInstrument.objects.get_or_create(
        name=DEFAULT_SURVEY["name"],
        defaults={"questions": DEFAULT_SURVEY["questions"], "is_default": True},
    )
    return instrument


# --- Mileage and expenses -------------------------------------------------------------------

CLAIM_FIELDS = [
    "status",
    "miles",
    "mileage_amount",
    "other_amount",
    "total",
    "submitted_at",
    "submitted_by",
    "decided_at",
    "decided_by",
    "decision_note",
    "paid_on",
    "payment_reference",
    "paid_recorded_by",
]


def _claim_lines(
    partner: ParentPartner, month: datetime.date, today: datetime.date
) -> list[ClaimedMileage]:
    """The month's unclaimed miles as claim lines, each at the rate of its day."""
    if month >= selectors.month_start(today):
        raise ValidationError(
            _("%(month)s can be claimed once it is over, from %(day)s.")
            % {
                "month": format_when(month, "month"),
                "day": format_when(selectors.next_month(month), "date"),
            }
        )
    if month < selectors.first_claimable_month(today):
        raise ValidationError(
            _("Miles are claimed within a year: %(month)s can no longer be claimed.")
            % {"month": format_when(month, "month")}
        )
    rates = selectors.mileage_rates(partner.program_id)
    lines = []
    for activity in selectors.unclaimed_mileage(partner, month):
        rate = selectors.rate_on(rates, activity.occurred_on)
        if rate is None:
            raise ValidationError(
                _(
                    "The program has no mileage rate for %(day)s yet. Ask your Program "
                    "Coordinator to add one, then claim again."
                )
                % {"day": format_when(activity.occurred_on, "date")}
            )
        lines.append(
            ClaimedMileage(
                activity=activity,
                occurred_on=activity.occurred_on,
                case_number=activity.case.referral.number,
                activity_type=activity.activity_type,
                miles=activity.mileage,
                per_mile=rate.per_mile,
                amount=round_half_up(activity.mileage * rate.per_mile, 2),
            )
        )
    return lines


@transaction.atomic
def claim_submit(
    *,
    actor: User,
    partner: ParentPartner,
    month: datetime.date,
    expenses: list[dict[str, Any]],
    claim: ExpenseClaim | None = None,
    expected_version: int | None = None,
) -> ExpenseClaim:
    """Claim a month: the miles of the Parent Partner's contacts that no claim has taken
    (each at its day's rate) and ``expenses`` (date, what it was for, amount). A claim that
    was sent back is built again from the month's contacts as they are now."""
    # One claim at a time per Parent Partner: two taps on Submit cannot take the same
    # contacts twice.
    ParentPartner.objects.select_for_update().get(pk=partner.pk)
    today = timezone.localdate()
    month = selectors.month_start(month)
    before: dict[str, Any] | None = None
    if claim is not None:
        stored = ExpenseClaim.objects.select_for_update().get(pk=claim.pk)
        if stored.version != expected_version:
            raise ConcurrentEditError(claim)
        if stored.status != ClaimStatus.SENT_BACK:
            raise ValidationError(_("This claim is no longer sent back: it cannot be changed."))
        before = audit.snapshot(stored, CLAIM_FIELDS)
        # Its contacts go back to the month's unclaimed miles, and are taken again below.
        stored.mileage_lines.all().delete()
        stored.expenses.all().delete()
    lines = _claim_lines(partner, month, today)
    other = [
        ClaimedExpense(
            spent_on=row["spent_on"], description=row["description"], amount=row["amount"]
        )
        for row in expenses
    ]
    if not lines and not other:
        raise ValidationError(
            _("There is nothing to claim for %(month)s: no miles on contacts and no expenses.")
            % {"month": format_when(month, "month")}
        )
    for expense in other:
        if not month <= expense.spent_on < selectors.next_month(month):
            raise ValidationError(
                _("Each expense is from %(month)s: claim the others with their own month.")
                % {"month": format_when(month, "month")}
            )
    if claim is None:
        claim = ExpenseClaim(program_id=partner.program_id, parent_partner=partner, month=month)
    claim.status = ClaimStatus.SUBMITTED
    claim.miles = sum((line.miles for line in lines), Decimal("0"))
    claim.mileage_amount = sum((line.amount for line in lines), Decimal("0"))
    claim.other_amount = sum((expense.amount for expense in other), Decimal("0"))
    claim.total = claim.mileage_amount + claim.other_amount
    claim.submitted_at = timezone.now()
    claim.submitted_by = actor
    claim.decided_at = claim.decided_by = None
    claim.decision_note = ""
    claim.full_clean()
    if before is None:
        claim.save()
    else:
        save_versioned(instance=claim, expected_version=expected_version or 0, fields=CLAIM_FIELDS)
    for line in lines:
        line.claim = claim
    for expense in other:
        expense.claim = claim
    ClaimedMileage.objects.bulk_create(lines)
    ClaimedExpense.objects.bulk_create(other)
    after = audit.snapshot(claim, CLAIM_FIELDS)
    after["contacts"] = len(lines)
    after["expenses"] = [f"{row.spent_on} {row.description} {row.amount}" for row in other]
    if before is None:
        audit.record(actor=actor, action=AuditAction.CREATE, obj=claim, changes=after)
    else:
        audit.record(
            actor=actor, action=AuditAction.UPDATE, obj=claim, changes=audit.diff(before, after)
        )
    return claim


@transaction.atomic
def claim_decide(
    *, actor: User, claim: ExpenseClaim, approve: bool, note: str, expected_version: int
) -> ExpenseClaim:
    """A Program Coordinator approves a submitted claim, or sends it back with the reason."""
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the claim is sent back.")})
    before = audit.snapshot(claim, CLAIM_FIELDS)
    claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.SENT_BACK
    claim.decided_at = timezone.now()
    claim.decided_by = actor
    claim.decision_note = "" if approve else note.strip()
    save_versioned(instance=claim, expected_version=expected_version, fields=CLAIM_FIELDS)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        changes=audit.diff(before, audit.snapshot(claim, CLAIM_FIELDS)),
    )
    return claim


@transaction.atomic
def claim_pay(
    *,
    actor: User,
    claim: ExpenseClaim,
    paid_on: datetime.date,
    reference: str,
    expected_version: int,
) -> ExpenseClaim:
    """Record that an approved claim was paid."""
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("The date paid cannot be in the future.")})
    if claim.decided_at and paid_on < timezone.localtime(claim.decided_at).date():
        raise ValidationError(
            {
                "paid_on": _("The claim was approved on %(day)s: enter that day or a later one.")
                % {"day": format_when(claim.decided_at, "date")}
            }
        )
    before = audit.snapshot(claim, CLAIM_FIELDS)
    claim.status = ClaimStatus.PAID
    claim.paid_on = paid_on
    claim.payment_reference = reference.strip()
    claim.paid_recorded_by = actor
    save_versioned(instance=claim, expected_version=expected_version, fields=CLAIM_FIELDS)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=claim,
        changes=audit.diff(before, audit.snapshot(claim, CLAIM_FIELDS)),
    )
    return claim


@transaction.atomic
def mileage_rate_save(
    *, actor: User, program: Program, starts_on: datetime.date, per_mile: Decimal
) -> MileageRate:
    """Set the program's rate from ``starts_on`` (changing the one that starts that day, if
    there is one). Claims already made keep the rate they were made with."""
    rate = MileageRate.objects.filter(program=program, starts_on=starts_on).first()
    if rate is None:
        rate = MileageRate(program=program, starts_on=starts_on, created_by=actor)
        before: dict[str, Any] | None = None
    else:
        before = audit.snapshot(rate, ["per_mile"])
    rate.per_mile = per_mile
    rate.full_clean()
    rate.save()
    after = audit.snapshot(rate, ["starts_on", "per_mile"])
    if before is None:
        audit.record(actor=actor, action=AuditAction.CREATE, obj=rate, changes=after)
    else:
        changes = audit.diff(before, audit.snapshot(rate, ["per_mile"]))
        if changes:
            audit.record(actor=actor, action=AuditAction.UPDATE, obj=rate, changes=changes)
    return rate


# --- Documents ----------------------------------------------------------------------------

DOCUMENT_FIELDS = [
    "referral",
    "case",
    "document_type",
    "dated_on",
    "description",
    "expires_on",
    "original_name",
    "content_type",
    "size",
    "sha256",
]


def document_add(
    *,
    actor: User,
    parent: Case | Referral,
    upload: UploadedFile,
    content_type: str,
    data: dict[str, Any],
) -> Document:
    """Keep a document with a referral or a case: the file (whose ``content_type`` the form
    read from its first bytes) under a random name in the documents storage, its record,
    and an audit entry. A record that cannot be saved leaves no file behind."""
    document = Document(
        program_id=parent.program_id,
        referral=parent if isinstance(parent, Referral) else None,
        case=parent if isinstance(parent, Case) else None,
        document_type=data["document_type"],
        dated_on=data["dated_on"],
        description=data.get("description", ""),
        expires_on=data.get("expires_on"),
        original_name=documents.safe_file_name(upload.name or "", content_type),
        content_type=content_type,
        size=upload.size or 0,
        sha256=documents.sha256_of(upload.chunks()),
        uploaded_by=actor,
    )
    document.full_clean(exclude=["stored_name"])
    upload.seek(0)
    storage = documents.document_storage()
    document.stored_name = storage.save(documents.new_stored_name(), upload)
    try:
        with transaction.atomic():
            document.save()
            audit.record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=document,
                changes=audit.snapshot(document, DOCUMENT_FIELDS),
            )
    except BaseException:
        storage.delete(document.stored_name)
        raise
    return document


@transaction.atomic
def document_mark_expired(*, actor: User, document: Document) -> Document:
    """A document no longer in force (a release of information that lapsed): kept, listed
    as expired, with who said so and when."""
    document = Document.objects.select_for_update().get(pk=document.pk)
    if document.expired_at is not None:
        raise ValidationError(_("This document is already marked expired."))
    document.expired_at = timezone.now()
    document.expired_by = actor
    document.save(update_fields=["expired_at", "expired_by"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=document,
        changes={
            "expired_at": [None, document.expired_at.isoformat()],
            "expired_by": [None, actor.pk],
        },
    )
    return document
