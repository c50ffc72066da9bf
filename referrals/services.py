"""Writes for referrals and families: intake, triage transitions, children's records and
their stays in out-of-home care (removal episodes and placements).

Each service runs in one transaction, validates with ``full_clean`` and writes the audit
log; the referrer's e-mail is queued only once the transaction has committed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from psp import audit, hooks, notifications, selectors
from psp.models import AuditAction, NotificationKind, Program, Role, User
from psp.services import save_versioned
from referrals import schooling
from referrals.models import (
    REQUEST_PUBLIC_FIELDS,
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
)
from referrals.selectors import own_schools
from referrals.tasks import send_status_email

# Which status may follow which. "assigned" is reached only through mentoring's assignment.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.RECEIVED: frozenset({Status.SCREENING, Status.WITHDRAWN}),
    Status.SCREENING: frozenset({Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}),
    Status.ACCEPTED: frozenset({Status.ASSIGNED, Status.WITHDRAWN}),
    Status.DECLINED: frozenset(),
    Status.WITHDRAWN: frozenset(),
    Status.ASSIGNED: frozenset(),
}

# Told when a referral arrives for their program.
COORDINATORS = (Role.PROGRAM_COORDINATOR, Role.PARENT_PARTNER_COORDINATOR)

PARENT_FIELDS = [
    "first_name",
    "last_name",
    "birth_date",
    "phone",
    "email",
    "address",
    "preferred_language",
    "interpreter_needed",
    "race_ethnicity",
    "consent_to_contact",
    "consent_method",
    "consent_date",
]
CHILD_FIELDS = ["first_name", "last_name", "birth_date", "sex"]
# A school-based program's questions about a child (``Program.is_school_based``).
CHILD_SCHOOL_FIELDS = [
    "school",
    "grade",
    "education_plan",
    "mental_health_needs",
    "behaviour_needs",
]
EPISODE_FIELDS = ["removed_on", "discharged_on", "discharge_reason", "removal_reasons"]
PLACEMENT_FIELDS = ["started_on", "setting"]


def _stamp_consent(parent: Parent, *, actor: User, had_consent: bool) -> None:
    """Who wrote down the parent's agreement and when; nothing without an agreement."""
    if not parent.consent_to_contact:
        parent.consent_date, parent.consent_method = None, ""
        parent.consent_recorded_by, parent.consent_recorded_at = None, None
    elif not had_consent or parent.consent_recorded_at is None:
        parent.consent_recorded_by, parent.consent_recorded_at = actor, timezone.now()


class TransitionError(Exception):
    """A status change that the triage workflow does not allow."""


def next_statuses(referral: Referral) -> frozenset[str]:
    return ALLOWED_TRANSITIONS.get(referral.status, frozenset())


@transaction.atomic
def referral_create(
    *,
    actor: User,
    program: Program,
    referral_data: dict[str, Any],
    parents: list[dict[str, Any]],
    children: list[dict[str, Any]],
    answers: Mapping[str, Any] | None = None,
    public_request: ReferralRequest | None = None,
) -> Referral:
    """A new referral: the family, its parents and children, and the first timeline entry.

    ``answers`` are the form's answers to questions other apps asked (the outreach event the
    family heard of the program at): each app keeps what is its own, in this transaction
    (hook ``referral.created``). ``public_request``, the request from the program's public
    page the referral is made from, is marked as handled by it."""
    if not parents:
        raise ValidationError(_("Enter at least one parent."))
    if not children:
        raise ValidationError(_("Enter at least one child."))
    family = Family(program=program)
    family.full_clean()
    family.save()
    audit.record(actor=actor, action=AuditAction.CREATE, obj=family, program=program)

    for data in parents:
        parent = Parent(
            family=family, **{key: data.get(key) for key in PARENT_FIELDS if key in data}
        )
        _stamp_consent(parent, actor=actor, had_consent=False)
        parent.full_clean()
        parent.save()
        audit.record(
            actor=actor, action=AuditAction.CREATE, obj=parent, changes=audit.snapshot(parent)
        )
    for data in children:
        fields = CHILD_FIELDS + (CHILD_SCHOOL_FIELDS if program.is_school_based else [])
        child = Child(family=family, **{key: data.get(key) for key in fields if key in data})
        _check_school_staff(actor, program, child)
        child.full_clean()
        child.save()
        audit.record(
            actor=actor, action=AuditAction.CREATE, obj=child, changes=audit.snapshot(child)
        )
        episode = data.get("episode")
        if episode:
            _episode_open(
                actor=actor,
                child=child,
                removed_on=episode["removed_on"],
                setting=episode["setting"],
            )

    referral = Referral(program=program, family=family, entered_by=actor, **referral_data)
    if referral.received_on is None:
        referral.received_on = timezone.localdate()
    if referral.received_on > timezone.localdate():
        raise ValidationError({"received_on": _("The date received cannot be in the future.")})
    referral.number = "pending"
    referral.full_clean(exclude=["number"])
    _save_with_number(referral)
    transition = Transition.objects.create(
        referral=referral, from_status="", to_status=Status.RECEIVED, actor=actor
    )
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=referral, changes=audit.snapshot(referral)
    )
    for created in hooks.get("referral.created"):
        created(actor=actor, referral=referral, answers=answers or {})
    if public_request is not None:
        _request_referred(actor=actor, public_request=public_request, referral=referral)
    _notify(transition)
    _tell_coordinators(actor=actor, referral=referral)
    return referral


def _check_school_staff(actor: User, program: Program, child: Child) -> None:
    """School staff refer children of their own school (``Membership.school``) only."""
    own = own_schools(actor, program)
    if own is not None and child.school_id not in own:
        raise ValidationError({"school": _("Choose your school: you refer its children only.")})


def _tell_coordinators(*, actor: User, referral: Referral) -> None:
    """The program's coordinators hear of a new referral (not whoever entered it)."""
    for coordinator in selectors.people_with_roles(referral.program_id, COORDINATORS):
        if coordinator.pk == actor.pk:
            continue
        notifications.notify(
            coordinator,
            NotificationKind.REFERRAL_ARRIVED,
            key=str(referral.pk),
            url=reverse("referrals:detail", args=[referral.pk]),
            params={"number": referral.number, "day": referral.received_on.isoformat()},
            program=referral.program,
        )


def _save_with_number(referral: Referral) -> None:
    """Number referrals per program and year: DOOR-2026-0007. Retries if two race."""
    prefix = f"{referral.program.slug.upper()}-{referral.received_on.year}-"
    for attempt in range(5):
        last = (
            Referral.objects.filter(number__startswith=prefix)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        )
        sequence = int(last.rsplit("-", 1)[1]) if last else 0
        referral.number = f"{prefix}{sequence + 1 + attempt:04d}"
        try:
            with transaction.atomic():
                referral.save()
        except IntegrityError:
            referral.pk = None
            continue
        return
    raise IntegrityError("Could not number the referral; try again.")


@transaction.atomic
def referral_transition(
    *,
    actor: User,
    referral: Referral,
    to_status: str,
    expected_version: int,
    reason: str = "",
    note: str = "",
) -> Referral:
    """Move a referral one step through triage, or refuse with a message saying why."""
    from_status = referral.status
    if to_status not in next_statuses(referral):
        raise TransitionError(
            _("A referral that is “%(from)s” cannot be marked “%(to)s”.")
            % {"from": Status(from_status).label, "to": Status(to_status).label}
        )
    if to_status == Status.DECLINED and not reason:
        raise ValidationError({"reason": _("Choose why the referral is declined.")})
    if to_status == Status.ACCEPTED and not any(
        parent.has_recorded_consent for parent in referral.family.parents.all()
    ):
        raise TransitionError(
            _(
                "Record the parent's agreement to be contacted (when, and whether it was "
                "verbal or written) before accepting the referral."
            )
        )
    referral.status = to_status
    referral.status_changed_at = timezone.now()
    referral.decline_reason = reason if to_status == Status.DECLINED else ""
    save_versioned(
        instance=referral,
        expected_version=expected_version,
        fields=["status", "status_changed_at", "decline_reason"],
    )
    transition = Transition.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        reason=referral.decline_reason,
        note=note,
    )
    changes: dict[str, Any] = {"status": [from_status, to_status]}
    if referral.decline_reason:
        changes["decline_reason"] = referral.decline_reason
    audit.record(actor=actor, action=AuditAction.UPDATE, obj=referral, changes=changes)
    _notify(transition)
    return referral


@transaction.atomic
def parent_update(
    *, actor: User, parent: Parent, data: dict[str, Any], expected_version: int
) -> Parent:
    """Correct a parent's details after intake (name, birth date, contact, language,
    consent). Guarded by the family's version, like a child's record."""
    stored = Parent.objects.get(pk=parent.pk)
    before = audit.snapshot(stored, PARENT_FIELDS)
    for name in PARENT_FIELDS:
        if name in data:
            setattr(parent, name, data[name])
    _stamp_consent(parent, actor=actor, had_consent=stored.consent_to_contact)
    parent.full_clean()
    save_versioned(instance=parent.family, expected_version=expected_version, fields=[])
    parent.save()
    changes = audit.diff(before, audit.snapshot(parent, PARENT_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=parent, changes=changes)
    return parent


@transaction.atomic
def child_update(
    *, actor: User, child: Child, data: dict[str, Any], expected_version: int
) -> Child:
    """Correct who the child is (name, date of birth). Guarded by the family's version so two
    people correcting the same family do not overwrite each other."""
    stored = Child.objects.get(pk=child.pk)
    fields = CHILD_FIELDS + (
        [*CHILD_SCHOOL_FIELDS, "grade_school_year"] if child.family.program.is_school_based else []
    )
    before = audit.snapshot(stored, fields)
    for name in fields:
        if name in data:
            setattr(child, name, data[name])
    if "grade" in data:
        # The grade given is this school year's (the form shows the grade the child is in now).
        child.grade_school_year = schooling.school_year() if data["grade"] is not None else None
    _check_school_staff(actor, child.family.program, child)
    child.full_clean()
    family = child.family
    save_versioned(instance=family, expected_version=expected_version, fields=[])
    child.save()
    changes = audit.diff(before, audit.snapshot(child, fields))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=child, changes=changes)
    return child


# --- Stays in out-of-home care -------------------------------------------------------------
# Guarded, like a child's record, by the family's version.


def _episode_open(
    *, actor: User, child: Child, removed_on: datetime.date, setting: str, **fields: Any
) -> RemovalEpisode:
    episode = RemovalEpisode(child=child, removed_on=removed_on, **fields)
    episode.full_clean()
    episode.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=episode,
        changes=audit.snapshot(episode, ["child", *EPISODE_FIELDS]),
    )
    placement = PlacementChange(episode=episode, started_on=removed_on, setting=setting)
    placement.full_clean()
    placement.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=placement,
        changes=audit.snapshot(placement, ["episode", *PLACEMENT_FIELDS]),
    )
    return episode


@transaction.atomic
def episode_create(
    *, actor: User, child: Child, data: dict[str, Any], expected_version: int
) -> RemovalEpisode:
    """A stay in care: the removal, the first placement, and the discharge if it is over."""
    save_versioned(instance=child.family, expected_version=expected_version, fields=[])
    return _episode_open(
        actor=actor,
        child=child,
        removed_on=data["removed_on"],
        setting=data["setting"],
        discharged_on=data.get("discharged_on"),
        discharge_reason=data.get("discharge_reason") or "",
        removal_reasons=data.get("removal_reasons") or [],
    )


@transaction.atomic
def episode_update(
    *, actor: User, episode: RemovalEpisode, data: dict[str, Any], expected_version: int
) -> RemovalEpisode:
    """Correct a stay's dates, or record that the child left care and why."""
    stored = RemovalEpisode.objects.get(pk=episode.pk)
    before = audit.snapshot(stored, EPISODE_FIELDS)
    for name in EPISODE_FIELDS:
        if name in data:
            setattr(episode, name, data[name])
    if episode.discharged_on is None:
        episode.discharge_reason = ""
    episode.full_clean()
    moved = episode.removed_on != stored.removed_on
    if moved and not episode.placements.filter(started_on=episode.removed_on).exists():
        # The first placement began on the day of removal: a corrected removal date moves it.
        episode.placements.filter(started_on=stored.removed_on).update(
            started_on=episode.removed_on
        )
    outside = episode.placements.filter(started_on__lt=episode.removed_on)
    if episode.discharged_on is not None:
        outside = outside | episode.placements.filter(started_on__gt=episode.discharged_on)
    if outside.exists():
        raise ValidationError(
            _(
                "A placement of this stay starts outside these dates. Correct or remove the "
                "placement first."
            )
        )
    save_versioned(instance=episode.child.family, expected_version=expected_version, fields=[])
    episode.save()
    changes = audit.diff(before, audit.snapshot(episode, EPISODE_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=episode, changes=changes)
    return episode


def episode_discharge(
    *,
    actor: User,
    episode: RemovalEpisode,
    discharged_on: datetime.date,
    reason: str,
) -> RemovalEpisode:
    """Close an open stay (when a case closes): the day the child left care and why. Runs in
    the caller's transaction; the caller guards the versions."""
    before = audit.snapshot(RemovalEpisode.objects.get(pk=episode.pk), EPISODE_FIELDS)
    episode.discharged_on = discharged_on
    episode.discharge_reason = reason
    episode.full_clean()
    if episode.placements.filter(started_on__gt=discharged_on).exists():
        raise ValidationError(
            {"discharged_on": _("The child moved placement after this date: check the date.")}
        )
    episode.save()
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=episode,
        changes=audit.diff(before, audit.snapshot(episode, EPISODE_FIELDS)),
    )
    return episode


@transaction.atomic
def placement_create(
    *, actor: User, episode: RemovalEpisode, data: dict[str, Any], expected_version: int
) -> PlacementChange:
    placement = PlacementChange(episode=episode, **{name: data[name] for name in PLACEMENT_FIELDS})
    placement.full_clean()
    save_versioned(instance=episode.child.family, expected_version=expected_version, fields=[])
    placement.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=placement,
        changes=audit.snapshot(placement, ["episode", *PLACEMENT_FIELDS]),
    )
    return placement


@transaction.atomic
def placement_update(
    *, actor: User, placement: PlacementChange, data: dict[str, Any], expected_version: int
) -> PlacementChange:
    stored = PlacementChange.objects.get(pk=placement.pk)
    before = audit.snapshot(stored, PLACEMENT_FIELDS)
    for name in PLACEMENT_FIELDS:
        if name in data:
            setattr(placement, name, data[name])
    placement.full_clean()
    family = placement.episode.child.family
    save_versioned(instance=family, expected_version=expected_version, fields=[])
    placement.save()
    changes = audit.diff(before, audit.snapshot(placement, PLACEMENT_FIELDS))
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=placement, changes=changes)
    return placement


def _notify(transition: Transition) -> None:
    referral = transition.referral
    if referral.referrer_email or (referral.referred_by and referral.referred_by.email):
        transaction.on_commit(lambda: send_status_email.delay(transition.pk))


def days_since(day: datetime.date) -> int:
    return (timezone.localdate() - day).days


# --- Requests from a program's public page ------------------------------------------------


@transaction.atomic
def referral_request_receive(
    *, program: Program, data: Mapping[str, Any], page_language: str
) -> ReferralRequest:
    """A request sent on the program's public page: kept for the Program Coordinator, who
    is told of it. Nobody is signed in; the audit log keeps the address it came from."""
    public_request = ReferralRequest(
        program=program,
        page_language=page_language[:10],
        **{name: data[name] for name in REQUEST_PUBLIC_FIELDS if name in data},
    )
    if public_request.sender != "community":
        public_request.sender_name = ""
        public_request.sender_relationship = ""
        public_request.sender_contact = ""
        public_request.parent_agrees = True
    public_request.full_clean()
    public_request.save()
    audit.record(actor=None, action=AuditAction.CREATE, obj=public_request, program=program)
    for coordinator in selectors.people_with_roles(program.pk, {Role.PROGRAM_COORDINATOR}):
        notifications.notify(
            coordinator,
            NotificationKind.PUBLIC_REQUEST,
            key=str(public_request.pk),
            url=reverse("referrals:request_detail", args=[public_request.pk]),
            params={"day": timezone.localdate(public_request.received_at).isoformat()},
            program=program,
        )
    return public_request


def _lock_waiting(public_request: ReferralRequest) -> ReferralRequest:
    locked = ReferralRequest.objects.select_for_update().get(pk=public_request.pk)
    if locked.status != RequestStatus.WAITING:
        raise ValidationError(
            _("This request was already handled by someone else. Open it again to see how.")
        )
    return locked


def _request_referred(*, actor: User, public_request: ReferralRequest, referral: Referral) -> None:
    locked = _lock_waiting(public_request)
    if locked.program_id != referral.program_id:
        raise ValidationError(
            {
                "program": _("This request came to %(program)s: make the referral there.")
                % {"program": locked.program}
            }
        )
    locked.status = RequestStatus.REFERRED
    locked.referral = referral
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.save(update_fields=["status", "referral", "handled_by", "handled_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={
            "status": [RequestStatus.WAITING, RequestStatus.REFERRED],
            "referral": referral.number,
        },
    )


@transaction.atomic
def referral_request_close(
    *, actor: User, public_request: ReferralRequest, reason: str
) -> ReferralRequest:
    """A request closed without a referral (the parent could not be reached, did not want
    the program, was already referred; or it was not a real request)."""
    locked = _lock_waiting(public_request)
    locked.status = RequestStatus.CLOSED
    locked.close_reason = reason
    locked.handled_by = actor
    locked.handled_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["status", "close_reason", "handled_by", "handled_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        changes={"status": [RequestStatus.WAITING, RequestStatus.CLOSED], "reason": reason},
    )
    return locked
