"""Who may see and do what in referrals: families, their parents and children, referrals.

Registered with ``psp.policy`` when Django starts; views ask through ``policy.can``,
``policy.visible`` and ``policy.get_for_user``.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from psp.models import Program, Role, User
from psp.policy import (
    COORDINATORS,
    REFERRERS,
    family_root,
    has_role,
    has_role_in,
    program_ids_where,
    rule,
    scope,
    staff_schools,
)
from referrals.models import (
    Child,
    Family,
    Parent,
    PlacementChange,
    Referral,
    ReferralRequest,
    RemovalEpisode,
)

# Every record whose foreign keys lead to a family is audited when a page shows it.
family_root(Family)

INTAKE_ROLES = frozenset({Role.PROGRAM_COORDINATOR, *REFERRERS})
REFERRAL_READERS = frozenset(
    {
        Role.PROGRAM_COORDINATOR,
        Role.PARENT_PARTNER_COORDINATOR,
        *REFERRERS,
        Role.PARENT_PARTNER,
    }
)


@scope(Referral)
def _referrals(user: User) -> models.QuerySet[Referral]:
    """Which referrals a user may see: their programs' (coordinators), the ones they made
    (referrers; school staff, while a child is at their school), or the families they are
    assigned to now (Parent Partners)."""
    if user.is_administrator:
        return Referral.objects.all()
    # The join through assignments in a subquery of its own and only for Parent Partners:
    # rows are never duplicated, and a coordinator's list is a plain ``program_id IN (...)``,
    # which the (program, received_on) index reads a page at a time instead of every
    # referral of the program.
    coordinator_programs = program_ids_where(user, COORDINATORS)
    social_worker_programs = program_ids_where(user, {Role.SOCIAL_WORKER})
    staff_programs = [
        program_id
        for program_id in program_ids_where(user, {Role.SCHOOL_STAFF})
        if program_id not in social_worker_programs
    ]
    partner_programs = program_ids_where(user, {Role.PARENT_PARTNER})
    seen = models.Q(pk__in=[])
    if coordinator_programs:
        seen |= models.Q(program_id__in=coordinator_programs)
    if social_worker_programs:
        seen |= models.Q(program_id__in=social_worker_programs, referred_by=user)
    if staff_programs:
        # School staff follow the referrals they made of children of the school they work at
        # now: not once they have moved to another school, or the school is retired.
        of_their_school = Referral.objects.filter(
            program_id__in=staff_programs,
            referred_by=user,
            family__children__school_id__in=staff_schools(user),
        )
        seen |= models.Q(pk__in=of_their_school.values("pk"))
    if partner_programs:
        assigned = Referral.objects.filter(
            program_id__in=partner_programs,
            case__assignments__parent_partner__user=user,
            case__assignments__ended_on__isnull=True,
        )
        seen |= models.Q(pk__in=assigned.values("pk"))
    return Referral.objects.filter(seen)


@scope(Family)
def _families(user: User) -> models.QuerySet[Family]:
    if user.is_administrator:
        return Family.objects.all()
    # Through the referrals' own scope: a coordinator's is a plain ``program_id IN (...)``,
    # without the join through every case's assignments that only Parent Partners need.
    return Family.objects.filter(pk__in=_referrals(user).values("family_id"))


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


@rule("search")
def _search(user: User, obj: Any) -> bool:
    """The navigation's search box: coordinators, who look families up across their
    programs (what it finds is their programs' referrals only)."""
    return user.is_administrator or bool(program_ids_where(user, COORDINATORS))


@rule("referral.create")
def _referral_create(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, INTAKE_ROLES)


def _referred(user: User, referral: Referral) -> bool:
    """The referral is one ``user`` made and still follows: as the program's social worker,
    or as school staff while a child of the family is at the school they work at now."""
    if referral.referred_by_id != user.pk or not has_role(user, referral.program_id, REFERRERS):
        return False
    if has_role(user, referral.program_id, {Role.SOCIAL_WORKER}):
        return True
    schools = staff_schools(user, referral.program_id)
    return bool(schools) and referral.family.children.filter(school_id__in=schools).exists()


@rule("referral.view")
def _referral_view(user: User, referral: Referral) -> bool:
    if user.is_administrator or has_role(user, referral.program_id, COORDINATORS):
        return True
    if _referred(user, referral):
        return True
    return has_role(user, referral.program_id, {Role.PARENT_PARTNER}) and (
        _referrals(user).filter(pk=referral.pk).exists()
    )


@rule("referral.notice")
def _referral_notice(user: User, referral: Referral) -> bool:
    """The notice for parents, to print and hand them: whoever may read the referral (its
    coordinators, the social worker who made it, the family's Parent Partner)."""
    return _referral_view(user, referral)


@rule("referral.triage")
def _referral_triage(user: User, referral: Referral) -> bool:
    return has_role(user, referral.program_id, {Role.PROGRAM_COORDINATOR})


@rule("referral.withdraw")
def _referral_withdraw(user: User, referral: Referral) -> bool:
    if has_role(user, referral.program_id, {Role.PROGRAM_COORDINATOR}):
        return True
    return _referred(user, referral)


@rule("referral.export")
def _referral_export(user: User, program: Program | None) -> bool:
    return has_role_in(user, program, COORDINATORS)


@rule("family.change")
def _family_change(user: User, family: Family) -> bool:
    """Correct a family's record and the children's outcome dates."""
    return user.is_administrator or has_role(user, family.program_id, COORDINATORS)


@rule("family.export_record")
def _family_export_record(user: User, family: Family) -> bool:
    """The whole record of one family in one file, for a records request: its program's
    Program Coordinator (who also reads the program's audit log, which the file includes)
    or an administrator. Not Parent Partners, their coordinators or referrers: they see
    the parts of a family's record their work needs, never its history of who saw what."""
    return user.is_administrator or has_role(user, family.program_id, {Role.PROGRAM_COORDINATOR})


@rule("child.change")
def _child_change(user: User, child: Child) -> bool:
    return _family_change(user, child.family)


@rule("child.view")
def _child_view(user: User, child: Child) -> bool:
    """A child's page, with their stays in care: the people who keep those dates."""
    return _family_change(user, child.family)


@rule("child.record_care")
def _child_record_care(user: User, child: Child) -> bool:
    """Stays in out-of-home care are a child-welfare program's records: a school-based
    program's children have none."""
    return not child.family.program.is_school_based and _family_change(user, child.family)


@rule("episode.change")
def _episode_change(user: User, episode: RemovalEpisode) -> bool:
    return _family_change(user, episode.child.family)


@rule("placement.change")
def _placement_change(user: User, placement: PlacementChange) -> bool:
    return _family_change(user, placement.episode.child.family)


@rule("parent.change")
def _parent_change(user: User, parent: Parent) -> bool:
    return _family_change(user, parent.family)


# --- Requests from a program's public page ------------------------------------------------
# The Program Coordinator's, who triages referrals: the request names a parent who has not
# been checked by anyone, so it is shown to nobody else (administrators included, as for
# the decisions on referrals).


@scope(ReferralRequest)
def _public_requests(user: User) -> models.QuerySet[ReferralRequest]:
    return ReferralRequest.objects.filter(
        program_id__in=program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    )


@rule("referral_request.list")
def _public_request_list(user: User, obj: Any) -> bool:
    return bool(program_ids_where(user, {Role.PROGRAM_COORDINATOR}))


@rule("referral_request.view", "referral_request.handle")
def _public_request_handle(user: User, public_request: ReferralRequest) -> bool:
    return has_role(user, public_request.program_id, {Role.PROGRAM_COORDINATOR})
