"""What mentoring adds to what other apps own (see ``psp.hooks``): its places in the
navigation bar, the progress shared with a referral's social worker, and its part of a
family's whole record and of the retention rule."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentoring import documents
from mentoring.models import (
    Activity,
    Assignment,
    Case,
    CaseGoal,
    CaseStatus,
    Document,
    FollowUp,
    GoalProgress,
    Hearing,
    Present,
    SurveyResponse,
)
from mentoring.selectors import documents_section, shared_progress, waiting_count
from psp import policy
from psp.hooks import Item, Section, register
from psp.models import Role, User
from psp.services import save_versioned
from referrals.models import Family, Referral, Status
from referrals.records import Table
from referrals.retention import REMOVED, Anonymised


@register("navigation", order=20)
def _mentoring(user: User) -> list[Item]:
    found: list[Item] = []
    if policy.program_ids_where(user, {Role.PARENT_PARTNER}):
        found.append(
            {"label": _("My families"), "url": reverse("mentoring:home"), "name": "mentoring"}
        )
    elif policy.can(user, "case.list"):
        found.append(
            {"label": _("Cases"), "url": reverse("mentoring:case_list"), "name": "mentoring"}
        )
    if policy.can(user, "activity.review"):
        waiting = waiting_count(user)
        found.append(
            {
                "label": _("Review"),
                "url": reverse("mentoring:review_queue"),
                "name": "review",
                "badge": waiting or None,
                "badge_label": ngettext("contact to review", "contacts to review", waiting),
            }
        )
    if policy.program_ids_where(user, {Role.CLINICAL_SUPPORT}):
        found.append(
            {
                "label": _("Clinical support"),
                "url": reverse("mentoring:clinical"),
                "name": "clinical",
            }
        )
    if policy.can(user, "parent_partner.list"):
        found.append(
            {
                "label": _("Parent Partners"),
                "url": reverse("mentoring:partner_list"),
                "name": "parent_partners",
            }
        )
    if policy.can(user, "claim.list"):
        found.append(
            {
                "label": _("Mileage"),
                "url": reverse("mentoring:claim_list"),
                "name": "mileage",
            }
        )
    return found


@register("referral.sections")
def _progress_shared_with_the_referrer(user: User, referral: Referral) -> Section | None:
    """On an assigned referral's page, the progress the case team shared with the referrer."""
    case = getattr(referral, "case", None) if referral.status == Status.ASSIGNED else None
    progress = shared_progress(case) if case is not None else []
    if not progress:
        return None
    return Section(
        "mentoring/includes/referral_shared_progress.html", {"shared_progress": progress}
    )


@register("referral.sections", order=60)
def _documents_on_the_referral(user: User, referral: Referral) -> Section | None:
    """The family's documents, for those who may see them (coordinators, the Parent Partner
    on its case now)."""
    section = documents_section(user, referral)
    if not section["show_documents"]:
        return None
    return Section("mentoring/includes/referral_documents.html", section)


# --- A family's whole record and the retention rule (referrals.records, referrals.retention)


@register("family.record.prefetch")
def _record_prefetch() -> list[Prefetch]:
    return [
        Prefetch("cases", queryset=Case.objects.select_related("referral").order_by("opened_on")),
        Prefetch(
            "cases__assignments",
            queryset=Assignment.objects.select_related("parent_partner", "assigned_by"),
        ),
        Prefetch("cases__goals", queryset=CaseGoal.objects.select_related("created_by")),
        Prefetch(
            "cases__hearings", queryset=Hearing.objects.select_related("hearing_type", "created_by")
        ),
        Prefetch("cases__goals__progress", queryset=GoalProgress.objects.select_related("author")),
        Prefetch(
            "cases__activities",
            queryset=Activity.objects.select_related(
                "parent_partner", "resource", "reviewed_by", "created_by"
            ).order_by("occurred_on", "occurred_time", "id"),
        ),
        Prefetch(
            "cases__survey_responses", queryset=SurveyResponse.objects.select_related("instrument")
        ),
        Prefetch(
            "cases__documents",
            queryset=Document.objects.select_related("uploaded_by", "expired_by"),
        ),
        Prefetch(
            "referrals__documents",
            queryset=Document.objects.select_related("uploaded_by", "expired_by"),
        ),
    ]


@register("family.record.tables")
def _record_tables(family: Family) -> list[Table]:
    """Cases, their Parent Partners, goals and progress, contacts and surveys (loaded by
    ``_record_prefetch``)."""
    cases = list(family.cases.all())
    goals = [goal for case in cases for goal in case.goals.all()]
    return [
        Table("cases", _("Cases"), _("Case"), Case, cases),
        Table(
            "assignments",
            _("Parent Partners on the case"),
            _("Assignment"),
            Assignment,
            [row for case in cases for row in case.assignments.all()],
        ),
        Table(
            "hearings",
            _("Court hearings"),
            _("Court hearing"),
            Hearing,
            [row for case in cases for row in case.hearings.all()],
        ),
        Table("goals", _("Case goals"), _("Goal"), CaseGoal, goals),
        Table(
            "goal_progress",
            _("Progress on goals"),
            _("Progress note"),
            GoalProgress,
            [row for goal in goals for row in goal.progress.all()],
        ),
        Table(
            "contacts",
            _("Contacts"),
            _("Contact"),
            Activity,
            [row for case in cases for row in case.activities.all()],
            list_labels={"present": dict(Present.choices)},
        ),
        Table(
            "surveys",
            _("Parent surveys"),
            _("Survey"),
            SurveyResponse,
            [row for case in cases for row in case.survey_responses.all()],
        ),
        # What each document is, not its file: files are downloaded one at a time from the
        # case's or the referral's page, each download in the audit log.
        Table(
            "documents",
            _("Documents"),
            _("Document"),
            Document,
            [row for referral in family.referrals.all() for row in referral.documents.all()]
            + [row for case in cases for row in case.documents.all()],
            field_names=DOCUMENT_RECORD_FIELDS,
        ),
    ]


DOCUMENT_RECORD_FIELDS = [
    "id",
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
    "uploaded_at",
    "uploaded_by",
    "expired_at",
    "expired_by",
]


@register("family.retention.still_open")
def _families_with_cases_open_since(cutoff: datetime.date) -> QuerySet[Case, Any]:
    """Families with a case open, or closed on or after ``cutoff``: not due yet."""
    return Case.objects.filter(
        Q(status=CaseStatus.OPEN) | Q(closed_on__isnull=True) | Q(closed_on__gte=cutoff)
    ).values("family_id")


@register("family.anonymise")
def _anonymise_cases(family: Family, result: Anonymised) -> None:
    """Free text may name anyone: cleared, or a placeholder where the field may not be empty.
    Dates, stages, kinds and lengths of contacts stay for the reports."""
    cases = list(Case.objects.filter(family=family))
    for case in cases:
        case.closure_note = ""
        save_versioned(instance=case, expected_version=case.version, fields=["closure_note"])
    result.add(Case, len(cases), ["closure_note"])
    result.add(
        Assignment,
        Assignment.objects.filter(case__family=family).update(end_reason=""),
        ["end_reason"],
    )
    result.add(
        CaseGoal, CaseGoal.objects.filter(case__family=family).update(text=REMOVED), ["text"]
    )
    result.add(
        Hearing,
        Hearing.objects.filter(case__family=family).update(
            version=F("version") + 1, outcome="", judge=""
        ),
        ["outcome", "judge"],
    )
    result.add(
        GoalProgress,
        GoalProgress.objects.filter(goal__case__family=family).update(note=REMOVED),
        ["note"],
    )
    result.add(
        FollowUp,
        FollowUp.objects.filter(case__family=family).update(version=F("version") + 1, what=REMOVED),
        ["what"],
    )
    _remove_document_files(family, result)
    contact_fields = ["location", "notes", "next_step", "review_comment"]
    result.add(
        Activity,
        Activity.objects.filter(case__family=family).update(
            version=F("version") + 1, **dict.fromkeys(contact_fields, "")
        ),
        contact_fields,
    )


def _remove_document_files(family: Family, result: Anonymised) -> None:
    """Documents' files go (a consent or a court order names everyone in it); what each was
    (its type and dates) stays. The files are deleted once the anonymisation is committed,
    so a failure before then leaves them in place with the record that names them."""
    kept = Document.objects.filter(Q(case__family=family) | Q(referral__family=family))
    stored = [name for name in kept.values_list("stored_name", flat=True) if name]
    result.add(
        Document,
        kept.update(stored_name="", original_name="", description="", sha256=""),
        ["stored_name", "original_name", "description", "sha256"],
    )
    storage = documents.document_storage()

    def delete_files() -> None:
        for name in stored:
            storage.delete(name)

    transaction.on_commit(delete_files)


@register("family.retention.counts")
def _due_counts(families: QuerySet[Family]) -> dict[str, int]:
    return {
        "cases": Case.objects.filter(family__in=families).count(),
        "contacts": Activity.objects.filter(case__family__in=families).count(),
    }
