"""Who may see and do what in mentoring: Parent Partners, cases, contacts, supervision,
clinical support, training and resources. Registered with ``psp.policy`` when Django starts.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from mentoring.models import (
    Activity,
    Case,
    CaseStatus,
    ClaimStatus,
    ClinicalSupportSession,
    Document,
    ExpenseClaim,
    FollowUp,
    Hearing,
    MileageRate,
    ParentPartner,
    Participation,
    Resource,
    ReviewStatus,
    SupervisionSession,
    TrainingRecord,
)
from psp.models import Program, Role, User
from psp.policy import (
    COORDINATORS,
    has_role,
    has_role_in,
    program_ids_where,
    rule,
    school_program_ids,
    scope,
)
from referrals.models import Referral

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
    return user.is_administrator or has_role(user, program.pk, COORDINATORS)


@rule("parent_partner.view")
def _parent_partner_view(user: User, partner: ParentPartner) -> bool:
    return (
        user.is_administrator
        or has_role(user, partner.program_id, COORDINATORS)
        or (
            partner.user_id == user.pk and has_role(user, partner.program_id, {Role.PARENT_PARTNER})
        )
    )


@rule("parent_partner.change", "parent_partner.create")
def _parent_partner_change(user: User, obj: ParentPartner | Program | None) -> bool:
    if obj is None:
        return bool(program_ids_where(user, COORDINATORS))
    program_id = obj.pk if isinstance(obj, Program) else obj.program_id
    return has_role(user, program_id, COORDINATORS)


@scope(Case)
def _cases(user: User) -> models.QuerySet[Case]:
    if user.is_administrator:
        return Case.objects.all()
    # Only a Parent Partner's cases need the join through assignments, kept in a subquery (so
    # rows are not duplicated); a coordinator's are a plain ``program_id IN (...)``, which an
    # index reads a page at a time.
    coordinated = program_ids_where(user, COORDINATORS)
    seen = models.Q(program_id__in=coordinated) if coordinated else models.Q(pk__in=[])
    if program_ids_where(user, {Role.PARENT_PARTNER}):
        seen |= models.Q(pk__in=Case.objects.filter(_current_cases_of(user)).values("pk"))
    return Case.objects.filter(seen)


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
    return has_role(user, obj.program_id, {Role.PROGRAM_COORDINATOR})


@rule("case.goal_progress", "case.survey")
def _case_input(user: User, case: Case) -> bool:
    """Progress on goals and the parent's survey: the assigned Parent Partner, or coordinators."""
    if has_role(user, case.program_id, COORDINATORS):
        return True
    return has_role(user, case.program_id, {Role.PARENT_PARTNER}) and (
        Case.objects.filter(_current_cases_of(user), pk=case.pk).exists()
    )


@scope(Hearing)
def _hearings(user: User) -> models.QuerySet[Hearing]:
    return Hearing.objects.filter(case__in=_cases(user))


@rule("hearing.add")
def _hearing_add(user: User, case: Case) -> bool:
    """Court hearings: the case's Parent Partner (after a hearing they went to) or its
    coordinators, while the case is open. A school-based program's families are not in
    court for it: no hearings there."""
    return case.status == "open" and not _school_case(user, case) and _case_input(user, case)


def _school_case(user: User, case: Case) -> bool:
    """Whether ``case`` is a school-based program's: known from the person's memberships
    (no query) for the program's own people; administrators read the program."""
    if case.program_id in school_program_ids(user):
        return True
    return user.is_administrator and case.program.is_school_based


@rule("hearing.change")
def _hearing_change(user: User, hearing: Hearing) -> bool:
    return _hearing_add(user, hearing.case)


def _is_current_partner_on(user: User, case: Case) -> bool:
    return has_role(user, case.program_id, {Role.PARENT_PARTNER}) and (
        Case.objects.filter(_current_cases_of(user), pk=case.pk).exists()
    )


@scope(FollowUp)
def _follow_ups(user: User) -> models.QuerySet[FollowUp]:
    """Follow-ups of the cases the user sees."""
    return FollowUp.objects.filter(case__in=_cases(user))


@rule("follow_up.list")
def _follow_up_list(user: User, obj: Any) -> bool:
    """The follow-ups page: the people who work cases (Parent Partners and coordinators)."""
    return user.is_administrator or bool(
        program_ids_where(user, COORDINATORS | {Role.PARENT_PARTNER})
    )


@rule("follow_up.add")
def _follow_up_add(user: User, case: Case) -> bool:
    """The case's Parent Partner or its coordinators, while the case is open."""
    return case.status == CaseStatus.OPEN and _case_input(user, case)


@rule("follow_up.change")
def _follow_up_change(user: User, follow_up: FollowUp) -> bool:
    """Change, hand over or mark done an open follow-up: the same people, on an open case."""
    return follow_up.done_at is None and _follow_up_add(user, follow_up.case)


@scope(Document)
def _documents(user: User) -> models.QuerySet[Document]:
    """A family's documents (consents, releases, court orders): its program's coordinators,
    and the Parent Partner on the case now (the case's and its referral's). Nobody else:
    not administrators, referrers, clinical support or state staff."""
    coordinated = program_ids_where(user, COORDINATORS)
    seen = models.Q(program_id__in=coordinated) if coordinated else models.Q(pk__in=[])
    if program_ids_where(user, {Role.PARENT_PARTNER}):
        current = Case.objects.filter(_current_cases_of(user))
        seen |= models.Q(case__in=current.values("pk")) | models.Q(
            referral__in=current.values("referral_id")
        )
    return Document.objects.filter(seen)


def _case_of(obj: Case | Referral) -> Case | None:
    return obj if isinstance(obj, Case) else getattr(obj, "case", None)


@rule("document.list")
def _document_list(user: User, obj: Case | Referral) -> bool:
    """The documents of a referral or case, on its page."""
    if has_role(user, obj.program_id, COORDINATORS):
        return True
    case = _case_of(obj)
    return case is not None and _is_current_partner_on(user, case)


@rule("document.add")
def _document_add(user: User, obj: Case | Referral) -> bool:
    """Coordinators, to a referral or a case; the case's Parent Partner, to it while open."""
    if has_role(user, obj.program_id, COORDINATORS):
        return True
    return (
        isinstance(obj, Case)
        and obj.status == CaseStatus.OPEN
        and _is_current_partner_on(user, obj)
    )


@rule("document.view")
def _document_view(user: User, document: Document) -> bool:
    return _documents(user).filter(pk=document.pk).exists()


@rule("document.change")
def _document_change(user: User, document: Document) -> bool:
    """Mark a document expired (a release of information that lapsed): the program's
    Program Coordinator."""
    return has_role(user, document.program_id, {Role.PROGRAM_COORDINATOR})


@rule("activity.create")
def _activity_create(user: User, case: Case | None) -> bool:
    """Only a case's current Parent Partner logs contacts on it."""
    if case is None:
        return bool(program_ids_where(user, {Role.PARENT_PARTNER}))
    return (
        case.status == "open"
        and has_role(user, case.program_id, {Role.PARENT_PARTNER})
        and (Case.objects.filter(_current_cases_of(user), pk=case.pk).exists())
    )


@rule("case.export", "activity.export")
def _mentoring_export(user: User, program: Program | None) -> bool:
    """Cases and contacts as CSV: the program's coordinators, like the referral export."""
    return has_role_in(user, program, COORDINATORS)


@scope(Activity)
def _activities(user: User) -> models.QuerySet[Activity]:
    if user.is_administrator:
        return Activity.objects.all()
    coordinated = program_ids_where(user, COORDINATORS)
    partnered = [
        program_id
        for program_id in program_ids_where(user, {Role.PARENT_PARTNER})
        if program_id not in coordinated
    ]
    if not partnered:
        # Coordinators only: the program's contacts, read from the (program, ...) index.
        return Activity.objects.filter(program_id__in=coordinated)
    # The user's own contacts by their Parent Partner ids, looked up first rather than as a
    # subquery: with the ids written out PostgreSQL reads the list from the Parent Partner's
    # (parent_partner, newest first) index; with a subquery it walked the whole program's.
    own = list(
        ParentPartner.objects.filter(user=user, program_id__in=partnered).values_list(
            "pk", flat=True
        )
    )
    return Activity.objects.filter(
        models.Q(program_id__in=coordinated)
        | models.Q(parent_partner_id__in=own, program_id__in=partnered)
    )


@rule("activity.view")
def _activity_view(user: User, activity: Activity) -> bool:
    return _activities(user).filter(pk=activity.pk).exists()


@rule("activity.change")
def _activity_change(user: User, activity: Activity) -> bool:
    """The Parent Partner until it is signed off; after that only a coordinator."""
    if has_role(user, activity.program_id, COORDINATORS):
        return True
    return (
        activity.review_status != ReviewStatus.SIGNED_OFF
        and activity.parent_partner.user_id == user.pk
        and has_role(user, activity.program_id, {Role.PARENT_PARTNER})
    )


@rule("activity.review")
def _activity_review(user: User, obj: Activity | None) -> bool:
    if obj is None:
        return bool(program_ids_where(user, COORDINATORS))
    return has_role(user, obj.program_id, COORDINATORS)


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


@scope(Participation)
def _participations(user: User) -> models.QuerySet[Participation]:
    """A program's coordinators see its Parent Partners' participation; a Parent Partner
    their own."""
    return Participation.objects.filter(
        models.Q(parent_partner__program_id__in=program_ids_where(user, COORDINATORS))
        | models.Q(parent_partner__user=user)
    )


@rule("participation.view")
def _participation_view(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, COORDINATORS | {Role.PARENT_PARTNER})


@rule("participation.change", "training.change")
def _partner_record_change(user: User, record: Participation | TrainingRecord | None) -> bool:
    """Correct or delete a participation or a training: the program's coordinators, who
    record them (a date paid added once the payment is made, a wrong topic put right)."""
    if record is None:
        return bool(program_ids_where(user, COORDINATORS))
    return record.parent_partner.program_id in program_ids_where(user, COORDINATORS)


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
    return has_role_in(user, program, roles)


@rule("supervision.record", "training.record", "participation.record")
def _support_record(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, COORDINATORS)


@rule("training.require")
def _training_require(user: User, program: Program | None) -> bool:
    """Choose which core topics a program asks of its Parent Partners."""
    return has_role_in(user, program, {Role.PROGRAM_COORDINATOR})


@rule("clinical.record")
def _clinical_record(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, PARTNER_SUPPORT)


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
    return has_role(user, program_id, COORDINATORS)


# --- Mileage and expenses -------------------------------------------------------------------


@scope(ExpenseClaim)
def _claims(user: User) -> models.QuerySet[ExpenseClaim]:
    """A Parent Partner's own claims; all of a program's for its coordinators."""
    return ExpenseClaim.objects.filter(
        models.Q(program_id__in=program_ids_where(user, COORDINATORS))
        | models.Q(
            parent_partner__user=user,
            program_id__in=program_ids_where(user, {Role.PARENT_PARTNER}),
        )
    )


@rule("claim.list")
def _claim_list(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, COORDINATORS | {Role.PARENT_PARTNER})


@rule("claim.view")
def _claim_view(user: User, claim: ExpenseClaim) -> bool:
    return _claims(user).filter(pk=claim.pk).exists()


@rule("claim.submit")
def _claim_submit(user: User, obj: ParentPartner | ExpenseClaim | None) -> bool:
    """A Parent Partner claims their own miles, and changes a claim that was sent back."""
    if obj is None:
        return bool(program_ids_where(user, {Role.PARENT_PARTNER}))
    partner = obj.parent_partner if isinstance(obj, ExpenseClaim) else obj
    if isinstance(obj, ExpenseClaim) and obj.status != ClaimStatus.SENT_BACK:
        return False
    return partner.user_id == user.pk and has_role(user, partner.program_id, {Role.PARENT_PARTNER})


@rule("claim.approve")
def _claim_approve(user: User, claim: ExpenseClaim) -> bool:
    """The program's Program Coordinator approves or sends back a submitted claim, never
    their own."""
    return (
        claim.status == ClaimStatus.SUBMITTED
        and claim.parent_partner.user_id != user.pk
        and has_role(user, claim.program_id, {Role.PROGRAM_COORDINATOR})
    )


@rule("claim.pay")
def _claim_pay(user: User, claim: ExpenseClaim) -> bool:
    return (
        claim.status == ClaimStatus.APPROVED
        and claim.parent_partner.user_id != user.pk
        and has_role(user, claim.program_id, {Role.PROGRAM_COORDINATOR})
    )


@rule("claim.export")
def _claim_export(user: User, program: Program | None) -> bool:
    """The claims as CSV for finance: Program Coordinators."""
    return has_role_in(user, program, {Role.PROGRAM_COORDINATOR})


@scope(MileageRate)
def _mileage_rates(user: User) -> models.QuerySet[MileageRate]:
    return MileageRate.objects.filter(
        program_id__in=program_ids_where(user, COORDINATORS | {Role.PARENT_PARTNER})
    )


@rule("mileage_rate.change")
def _mileage_rate_change(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, {Role.PROGRAM_COORDINATOR})
