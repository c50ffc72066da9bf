"""The retention rule: families closed long ago keep their facts and lose their identity.

A family is due when every referral and case it has is closed, the last of them more than
``PSP_RETENTION_YEARS`` years ago (``families_due``). ``family_anonymise`` then replaces
what identifies the family (names, dates of birth, contact details, every free-text note)
with neutral placeholders, and keeps what the reports count: dates of events, stages,
outcomes, kinds and lengths of contacts, language, race or ethnicity, survey scores. So the
numbers of past quarters do not change. A child's date of birth is replaced by one that
keeps the child's age, in whole years, on each day they were removed from home or left
care (the CFSR indicators leave out children who entered care at 18 or over, and count
permanency only before the 18th birthday); without a stay in care it is dropped, as is
every parent's.

Each family is anonymised in its own transaction and gets one audit entry, which names the
fields cleared and how many records of each kind, never their old values. Earlier audit
entries keep the names they recorded: the audit log cannot be rewritten by anyone, and
follows its own retention schedule.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from psp import audit, hooks
from psp.models import AuditAction, User
from psp.services import save_versioned
from referrals.models import (
    Child,
    Family,
    Parent,
    Referral,
    ReferralRequest,
    RequestStatus,
    Status,
    Transition,
    age_on,
)

logger = logging.getLogger(__name__)

OPEN_REFERRAL_STATUSES = frozenset({Status.RECEIVED, Status.SCREENING, Status.ACCEPTED})

# Placeholders. Stored as written (not translated): they replace data, not interface text.
ANONYMISED = "Anonymised"
REMOVED = "[removed]"

PARENT_FIELDS = ["first_name", "last_name", "birth_date", "phone", "email", "address"]
CHILD_FIELDS = ["first_name", "last_name", "birth_date"]


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same date ``years`` earlier; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def retention_cutoff(today: datetime.date | None = None, years: int | None = None) -> datetime.date:
    """Families whose last closure is before this day are due."""
    return years_before(
        today or timezone.localdate(),
        years if years is not None else settings.PSP_RETENTION_YEARS,
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day`` in the program's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def families_due(*, cutoff: datetime.date) -> models.QuerySet[Family]:
    """Families not yet anonymised with no open referral or case, whose every case closed
    and every referral ended (declined, withdrawn) before ``cutoff``. Which families other
    apps still work with, or closed on or after ``cutoff``, they say through the hook
    ``family.retention.still_open`` (mentoring: cases)."""
    start = _start_of(cutoff)
    families = (
        Family.objects.filter(anonymised_at__isnull=True)
        .filter(pk__in=Referral.objects.values("family_id"))
        .exclude(
            pk__in=Referral.objects.filter(status__in=OPEN_REFERRAL_STATUSES).values("family_id")
        )
        .exclude(pk__in=Referral.objects.filter(status_changed_at__gte=start).values("family_id"))
    )
    for still_open in hooks.get("family.retention.still_open"):
        families = families.exclude(pk__in=still_open(cutoff))
    return families.order_by("pk")


@dataclass
class Anonymised:
    """What ``family_anonymise`` cleared: for each kind of record, how many and which fields."""

    family_id: int
    cleared: dict[str, dict[str, Any]] = field(default_factory=dict)

    def add(self, model: type[models.Model], count: int, fields: list[str]) -> None:
        if count:
            self.cleared[model._meta.label_lower] = {"records": count, "fields": fields}


def _child_birth_date(child: Child) -> datetime.date | None:
    """A date of birth that gives the child the same age, in whole years, on every day the
    reports read it (each removal from home and each discharge), and nothing more: the
    latest such date. None without a birth date or a stay in care."""
    days = [
        day
        for episode in child.episodes.all()
        for day in (episode.removed_on, episode.discharged_on)
        if day is not None
    ]
    if child.birth_date is None or not days:
        return None
    # Each day allows the birth dates from (day - (age + 1) years, day - age years]; the
    # true one is in all of them, so the earliest upper end is in all of them too.
    return min(years_before(day, age_on(child.birth_date, day) or 0) for day in days)


@transaction.atomic
def family_anonymise(
    *, family: Family, cutoff: datetime.date, actor: User | None = None
) -> Anonymised | None:
    """Replace ``family``'s identifying details with placeholders, if it is still due (it may
    have been referred again, or anonymised by another run, since it was listed). None if not.
    """
    locked = Family.objects.select_for_update().filter(pk=family.pk).first()
    if locked is None or not families_due(cutoff=cutoff).filter(pk=family.pk).exists():
        return None
    family = locked
    result = Anonymised(family_id=family.pk)

    parents = list(Parent.objects.filter(family=family).order_by("id"))
    for number, parent in enumerate(parents, start=1):
        parent.first_name, parent.last_name = ANONYMISED, f"parent {number}"
        parent.birth_date = None
        parent.phone = parent.email = parent.address = ""
        parent.full_clean()  # sets the name key the duplicate check reads
        parent.save(update_fields=[*PARENT_FIELDS, "name_key"])
    result.add(Parent, len(parents), PARENT_FIELDS)

    children = list(Child.objects.filter(family=family).order_by("id"))
    for number, child in enumerate(children, start=1):
        child.first_name, child.last_name = ANONYMISED, f"child {number}"
        child.birth_date = _child_birth_date(child)
        child.full_clean()
        child.save(update_fields=CHILD_FIELDS)
    result.add(Child, len(children), CHILD_FIELDS)

    # Free text may name anyone: cleared, or a placeholder where the field may not be empty.
    referrals = list(Referral.objects.filter(family=family))
    for referral in referrals:
        referral.reason = ""
        save_versioned(instance=referral, expected_version=referral.version, fields=["reason"])
    result.add(Referral, len(referrals), ["reason"])
    steps = Transition.objects.filter(referral__family=family)
    result.add(Transition, steps.update(note=""), ["note"])

    # What other apps hold on the family (mentoring: cases, goals, contacts).
    for anonymise_more in hooks.get("family.anonymise"):
        anonymise_more(family, result)

    family.anonymised_at = timezone.now()
    save_versioned(instance=family, expected_version=family.version, fields=["anonymised_at"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=family,
        # Not str(family): that is a parent's name, which must not reach the log again.
        object_repr=f"Family {family.pk} (anonymised)",
        changes={
            "anonymised": result.cleared,
            "retention_years": settings.PSP_RETENTION_YEARS,
            "closed_before": cutoff.isoformat(),
        },
    )
    return result


@dataclass
class RetentionRun:
    """What one run did: the families anonymised, and those refused (a record that does not
    pass its own checks: the family's id and the message, never a name)."""

    cutoff: datetime.date
    anonymised: list[Anonymised] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)
    requests_deleted: int = 0


def anonymise_closed_families(
    *, cutoff: datetime.date | None = None, actor: User | None = None
) -> RetentionRun:
    """Anonymise every family due, each in its own transaction: one that fails leaves the
    others done."""
    run = RetentionRun(cutoff=cutoff or retention_cutoff())
    for family_id in list(families_due(cutoff=run.cutoff).values_list("pk", flat=True)):
        try:
            result = family_anonymise(family=Family(pk=family_id), cutoff=run.cutoff, actor=actor)
        except ValidationError as error:
            run.failed.append((family_id, "; ".join(error.messages)))
            logger.warning("Family %s was not anonymised: %s", family_id, error.messages)
            continue
        if result is not None:
            run.anonymised.append(result)
    run.requests_deleted = public_requests_delete(cutoff=run.cutoff, actor=actor)
    return run


def public_requests_due(*, cutoff: datetime.date) -> models.QuerySet[ReferralRequest]:
    """Requests from the public pages handled (made into a referral, whose record keeps what
    matters, or closed) before ``cutoff``. One still waiting is never due."""
    return ReferralRequest.objects.exclude(status=RequestStatus.WAITING).filter(
        handled_at__lt=_start_of(cutoff)
    )


@transaction.atomic
def public_requests_delete(*, cutoff: datetime.date, actor: User | None = None) -> int:
    """Delete the requests due: they name people nobody checked, and are no family's record.
    One audit entry per program says how many, never who."""
    due = public_requests_due(cutoff=cutoff)
    per_program = dict(
        due.values_list("program").annotate(count=models.Count("*")).values_list("program", "count")
    )
    if not per_program:
        return 0
    due.delete()
    for program_id, count in per_program.items():
        audit.record(
            actor=actor,
            action=AuditAction.DELETE,
            object_type="referrals.referralrequest",
            object_repr=f"{count} requests from the public page, handled before {cutoff}",
            program=program_id,
            changes={"count": count, "handled_before": cutoff.isoformat()},
        )
    return sum(per_program.values())


def due_counts(*, cutoff: datetime.date) -> dict[str, int]:
    """How many families, parents, children and referrals a run would anonymise, and what
    other apps count of theirs (hook ``family.retention.counts``: cases, contacts)."""
    families = families_due(cutoff=cutoff)
    counts = {
        "families": families.count(),
        "parents": Parent.objects.filter(family__in=families).count(),
        "children": Child.objects.filter(family__in=families).count(),
        "referrals": Referral.objects.filter(family__in=families).count(),
        "public_requests": public_requests_due(cutoff=cutoff).count(),
    }
    for more_counts in hooks.get("family.retention.counts"):
        counts.update(more_counts(families))
    return counts
