"""Mentoring pages: the Parent Partner's home, cases, the contact log and its review,
assignment, and Parent Partner profiles with the recruitment pipeline."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    When,
    prefetch_related_objects,
)
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    QueryDict,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST, require_safe

from mentoring import documents, rules, selectors, services
from mentoring import home as home_page
from mentoring.forms import (
    ActivityFilter,
    ActivityForm,
    AssignForm,
    BulkSignOffForm,
    CaseFilter,
    CaseForm,
    ChildOutcomeForm,
    ClaimDecisionForm,
    ClaimForm,
    ClaimPaymentForm,
    ClinicalSessionForm,
    CloseCaseForm,
    CoreTopicsForm,
    DocumentForm,
    FollowUpForm,
    GoalForm,
    HearingForm,
    MileageRateForm,
    ParentPartnerForm,
    ParticipationForm,
    PartnerInterestForm,
    ProgressForm,
    ResourceForm,
    ReviewFilter,
    ReviewForm,
    StageForm,
    SupervisionForm,
    SurveyForm,
    TrainingForm,
    claim_expense_formset,
)
from mentoring.models import (
    Activity,
    ActivityType,
    Assignment,
    Case,
    CaseGoal,
    CaseStatus,
    ClaimStatus,
    Document,
    ExpenseClaim,
    FollowUp,
    GoalProgress,
    Hearing,
    MileageRate,
    ParentPartner,
    Participation,
    Present,
    Resource,
    ResourceCategory,
    ReviewStatus,
    Stage,
    StageChange,
    SupervisionSession,
    SurveyTiming,
    TrainingRecord,
    core_topics_for,
)
from psp import audit, policy, public
from psp.dates import format_when
from psp.editing import save_form
from psp.exports import csv_download, only_program
from psp.forms import add_model_errors
from psp.http import AuthenticatedHttpRequest, takes_a_file, whole_number
from psp.models import AuditAction, Program, Role, User
from psp.numbers import DecimalSum
from psp.offline import available_offline
from psp.pagination import CappedPaginator
from psp.services import ConcurrentEditError
from referrals.models import Referral

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

PAGE_SIZE = 25
TO_ASSIGN_SHOWN = 10  # accepted referrals listed above the cases; the referral list has all


def _stale(form: Any, error: ConcurrentEditError, current_version: int) -> None:
    """Keep the user's input on the form, say why it was refused, and let them save again
    over the version they have now seen."""
    form.add_error(None, str(error))
    form.data = form.data.copy()
    form.data["version"] = str(current_version)


# --- Home and cases -----------------------------------------------------------------------


@available_offline
@login_required
@audit.audited_list(Case)
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A Parent Partner's families and what is due; coordinators go to the case list. The
    content is kept until their programs' casework changes (``mentoring.home``)."""
    policy.require(request.user, "case.list")
    if not policy.program_ids_where(request.user, {Role.PARENT_PARTNER}):
        return redirect("mentoring:case_list")
    today = timezone.localdate()
    return render(
        request,
        "mentoring/home.html",
        {"content": home_page.content(request, request.user, today)},
    )


@login_required
@audit.audited_list(Case)
def case_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "case.list")
    filters, query = _case_filter(request)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for case in page.object_list:
        case.overdue = selectors.is_overdue(case)
    to_assign: list[Referral] = []
    waiting = 0
    if policy.can(request.user, "case.assign"):
        # NOT EXISTS, not a LEFT JOIN on cases: the join was planned as a hash of every case.
        accepted = (
            policy.visible(request.user, Referral)
            .filter(status="accepted")
            .exclude(Exists(Case.objects.filter(referral=OuterRef("pk"))))
        )
        to_assign = list(
            accepted.select_related("family").prefetch_related("family__parents")[
                : TO_ASSIGN_SHOWN + 1
            ]
        )
        # Only a longer list costs the count; the rest are one link away.
        waiting = accepted.count() if len(to_assign) > TO_ASSIGN_SHOWN else len(to_assign)
        to_assign = to_assign[:TO_ASSIGN_SHOWN]
    query.pop("page", None)
    status_query = query.copy()
    status_query.pop("status", None)
    context = {
        "filter": filters,
        "page": page,
        "status": query.get("status", ""),
        "filter_query": query.urlencode(),
        "status_query": status_query.urlencode(),
        "can_export": policy.can(request.user, "case.export"),
        "to_assign": to_assign,
        "to_assign_more": waiting - len(to_assign),
    }
    return render(request, "mentoring/case_list.html", context)


def _case_filter(
    request: AuthenticatedHttpRequest, cases: QuerySet[Case] | None = None
) -> tuple[CaseFilter, QueryDict]:
    """The case list's filters over ``cases`` (the user's cases by default), and the query
    they read. Open cases unless the user picks a status; "all" shows both."""
    data = request.GET.copy()
    data.setdefault("status", CaseStatus.OPEN)
    if data.get("status") == "all":
        data["status"] = ""
    programs = Program.objects.filter(pk__in=policy.visible(request.user, Case).values("program"))
    filters = CaseFilter(
        data,
        queryset=selectors.cases_for_user(request.user) if cases is None else cases,
        partners=selectors.on_cases_now(policy.visible(request.user, ParentPartner)).order_by(
            "first_name", "last_name"
        ),
        programs=programs.order_by("name"),
    )
    return filters, data


@login_required
def case_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered case list as CSV, for coordinators; the export is audited."""
    user = request.user
    policy.require(user, "case.export")
    cases = selectors.cases_for_user(user).filter(
        program_id__in=policy.program_ids_where(user, policy.COORDINATORS)
    )
    rows = _case_filter(request, selectors.with_child_count(cases))[0].qs
    header = [
        _("Referral"),
        _("Program"),
        _("Parents"),
        _("Children"),
        _("Parent Partner"),
        _("Status"),
        _("Opened on"),
        _("Permanency goal"),
        _("Last contact"),
        _("Next court hearing"),
        _("Closed on"),
        _("Outcome"),
    ]

    def line(case: Any) -> list[Any]:
        return [
            case.referral.number,
            case.program.name,
            "; ".join(str(parent) for parent in case.family.parents.all()),
            case.child_count,
            "; ".join(str(a.parent_partner) for a in case.current_assignments),
            case.get_status_display(),
            case.opened_on.isoformat(),
            case.get_permanency_goal_display(),
            case.last_contact.isoformat() if case.last_contact else "",
            case.next_court_date.isoformat() if case.next_court_date else "",
            case.closed_on.isoformat() if case.closed_on else "",
            case.get_closure_outcome_display(),
        ]

    return csv_download(
        request,
        filename=f"cases-{timezone.localdate().isoformat()}.csv",
        back=reverse("mentoring:case_list"),
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: _("Cases CSV (%(count)s rows)") % {"count": count},
        program=only_program(rows),
    )


def _case_queryset(user: User) -> Any:
    current = Assignment.objects.filter(ended_on__isnull=True).select_related("parent_partner")
    return (
        policy.visible(user, Case)
        .select_related("referral__referred_by", "family", "program")
        .prefetch_related(
            "family__parents",
            "family__children__episodes__placements",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("parent_partner", "assigned_by"),
            ),
            Prefetch("assignments", queryset=current, to_attr="current_assignments"),
            "survey_responses",
            Prefetch(
                "goals",
                queryset=CaseGoal.objects.prefetch_related(
                    Prefetch("progress", queryset=GoalProgress.objects.select_related("author"))
                ),
            ),
        )
    )


@available_offline
@login_required
def case_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = policy.get_for_user(request.user, _case_queryset(request.user), "case.view", pk=pk)
    return _render_case(request, case)


def _render_case(
    request: AuthenticatedHttpRequest,
    case: Case,
    goal_form: GoalForm | None = None,
    progress_form: ProgressForm | None = None,
) -> HttpResponse:
    """The case page; a refused goal or progress note comes back bound, with its errors and
    what the user typed."""
    for goal in case.goals.all():
        # One form per goal, with ids of its own (the field names stay "note", "status").
        bound = progress_form is not None and progress_form.auto_id == _progress_ids(goal.pk)
        goal.progress_form = (
            progress_form if bound else ProgressForm(auto_id=_progress_ids(goal.pk))
        )
    activities = selectors.activities_for_user(request.user).filter(case=case)[:10]
    school_based = case.program.is_school_based
    if school_based:
        prefetch_related_objects(list(case.family.children.all()), "school")
    context = {
        "case": case,
        "school_based": school_based,
        # The program's own name for the role ("Parent Peer Specialist" in school programs).
        "partner_label": case.program.role_label(Role.PARENT_PARTNER),
        "activities": activities,
        "goal_form": goal_form or GoalForm(),
        "error_forms": [form for form in (goal_form, progress_form) if form is not None],
        "can_change": policy.can(request.user, "case.change", case),
        "can_progress": policy.can(request.user, "case.goal_progress", case),
        "can_log": policy.can(request.user, "activity.create", case),
        "can_assign": policy.can(request.user, "case.assign", case)
        and case.status == CaseStatus.OPEN,
        "can_close": policy.can(request.user, "case.close", case)
        and case.status == CaseStatus.OPEN,
        "can_survey": policy.can(request.user, "case.survey", case),
        "can_export_record": policy.can(request.user, "family.export_record", case.family),
        "hearings": list(case.hearings.select_related("hearing_type")),
        "can_add_hearing": policy.can(request.user, "hearing.add", case),
        "follow_ups": list(case.follow_ups.filter(done_at__isnull=True).select_related("owner")),
        "can_follow_up": policy.can(request.user, "follow_up.add", case),
        "today": timezone.localdate(),
        **selectors.documents_section(request.user, case),
    }
    return render(request, "mentoring/case_detail.html", context)


@login_required
def hearing_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a court hearing to a case. From a court-hearing contact (``?contact=``), the form
    starts with the contact's day and the next hearing it gave; a hearing the case already
    has that day opens to be completed instead of being added twice."""
    case = policy.get_for_user(request.user, _case_queryset(request.user), "hearing.add", pk=pk)
    initial: dict[str, Any] = {}
    contact = whole_number(request.GET.get("contact"))
    if contact is not None and request.method != "POST":
        activity = (
            selectors.activities_for_user(request.user)
            .filter(case=case, pk=contact, activity_type=ActivityType.COURT_HEARING)
            .first()
        )
        if activity is not None:
            same_day = case.hearings.filter(day=activity.occurred_on).first()
            if same_day is not None:
                return redirect("mentoring:hearing_edit", same_day.pk)
            initial = {"day": activity.occurred_on, "next_day": activity.next_court_date}
    form = HearingForm(request.POST or None, case=case, initial=initial)
    return save_form(
        request,
        form,
        lambda cleaned: services.hearing_save(
            actor=request.user,
            case=case,
            hearing=None,
            data=cleaned,
            next_day=cleaned.get("next_day"),
            next_time=cleaned.get("next_time"),
        ),
        saved=_("Court hearing saved."),
        then=lambda _hearing: case,
    ) or render(request, "mentoring/hearing_form.html", {"case": case, "form": form})


@login_required
def hearing_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hearing = policy.get_for_user(
        request.user,
        Hearing.objects.select_related("case__referral", "hearing_type"),
        "hearing.change",
        pk=pk,
    )
    case = hearing.case
    form = HearingForm(request.POST or None, instance=hearing, case=case)
    return save_form(
        request,
        form,
        lambda cleaned: services.hearing_save(
            actor=request.user,
            case=case,
            hearing=hearing,
            data=cleaned,
            expected_version=cleaned["version"],
        ),
        saved=_("Court hearing saved."),
        then=lambda _hearing: case,
        stored_version=lambda: Hearing.objects.get(pk=hearing.pk).version,
    ) or render(
        request, "mentoring/hearing_form.html", {"case": case, "form": form, "hearing": hearing}
    )


# --- Follow-ups ---------------------------------------------------------------------------


FOLLOW_UP_WHO = ("mine", "all")


@login_required
def follow_up_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Open follow-ups, soonest first: the user's own, or (coordinators) everyone's on the
    cases they see, with the family each is for."""
    policy.require(request.user, "follow_up.list")
    coordinates = bool(policy.program_ids_where(request.user, policy.COORDINATORS))
    who = request.GET.get("who", "")
    if who not in FOLLOW_UP_WHO or not coordinates:
        who = "mine"
    rows = selectors.follow_ups_for_user(request.user)
    if who == "mine":
        rows = rows.filter(owner=request.user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    selectors.mark_actionable(request.user, list(page.object_list))
    names = selectors.parent_names({row.case.family_id for row in page.object_list})
    for row in page.object_list:
        row.parent_names = names.get(row.case.family_id, [])
    return render(
        request,
        "mentoring/follow_up_list.html",
        {
            "page": page,
            "who": who,
            "coordinates": coordinates,
            "today": timezone.localdate(),
        },
    )


@login_required
def follow_up_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = policy.get_for_user(
        request.user,
        policy.visible(request.user, Case).select_related("referral"),
        "follow_up.add",
        pk=pk,
    )
    owner = selectors.follow_up_owners(case).filter(
        pk__in=[request.user.pk]
        + [
            user_id
            for user_id in case.assignments.filter(ended_on__isnull=True).values_list(
                "parent_partner__user", flat=True
            )
            if user_id
        ]
    )
    initial = {"owner": (owner.filter(pk=request.user.pk).first() or owner.first())}
    form = FollowUpForm(request.POST or None, case=case, initial=initial)
    return save_form(
        request,
        form,
        lambda cleaned: services.follow_up_save(
            actor=request.user, case=case, follow_up=None, data=cleaned
        ),
        saved=_("Follow-up saved."),
        then=lambda _follow_up: case,
    ) or render(request, "mentoring/follow_up_form.html", {"case": case, "form": form})


@login_required
def follow_up_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    follow_up = policy.get_for_user(
        request.user,
        FollowUp.objects.select_related("case__referral", "owner"),
        "follow_up.change",
        pk=pk,
    )
    case = follow_up.case
    form = FollowUpForm(request.POST or None, instance=follow_up, case=case)
    return save_form(
        request,
        form,
        lambda cleaned: services.follow_up_save(
            actor=request.user,
            case=case,
            follow_up=follow_up,
            data=cleaned,
            expected_version=cleaned["version"],
        ),
        saved=_("Follow-up saved."),
        then=lambda _follow_up: case,
        stored_version=lambda: FollowUp.objects.get(pk=follow_up.pk).version,
    ) or render(
        request,
        "mentoring/follow_up_form.html",
        {"case": case, "form": form, "follow_up": follow_up},
    )


@require_POST
@login_required
def follow_up_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a follow-up done, from the case page, the follow-ups page or the dashboard (each
    says where to go back to in ``next``)."""
    follow_up = policy.get_for_user(
        request.user,
        FollowUp.objects.select_related("case__referral"),
        "follow_up.change",
        pk=pk,
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = follow_up.case.get_absolute_url()
    version = whole_number(request.POST.get("version"))
    try:
        services.follow_up_done(
            actor=request.user, follow_up=follow_up, expected_version=version or 0
        )
    except ConcurrentEditError:
        messages.error(
            request,
            _("Someone changed this follow-up since you opened the page. Check it and try again."),
        )
    else:
        messages.success(request, _("Done: %(what)s") % {"what": follow_up.what})
    return redirect(back)


# --- Documents ----------------------------------------------------------------------------


def _document_form_page(
    request: AuthenticatedHttpRequest, parent: Case | Referral, back: str
) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None)
    return save_form(
        request,
        form,
        lambda cleaned: services.document_add(
            actor=request.user,
            parent=parent,
            upload=cleaned["file"],
            content_type=form.content_type or "",
            data=cleaned,
        ),
        saved=lambda document: _("Document saved: %(document)s.") % {"document": document},
        then=lambda _document: back + "#documents-title",
    ) or render(
        request,
        "mentoring/document_form.html",
        {
            "form": form,
            "back": back,
            "number": parent.referral.number if isinstance(parent, Case) else parent.number,
        },
    )


@takes_a_file
@login_required
def document_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Keep a document with a case: its coordinators, or its Parent Partner while open."""
    case = policy.get_for_user(
        request.user, Case.objects.select_related("referral"), "document.add", pk=pk
    )
    return _document_form_page(request, case, case.get_absolute_url())


@takes_a_file
@login_required
def referral_document_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Keep a document with a referral (a consent signed at intake): its coordinators."""
    referral = policy.get_for_user(request.user, Referral, "document.add", pk=pk)
    return _document_form_page(request, referral, referral.get_absolute_url())


@login_required
def document_download(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The file of a document, for those who may see it, as a download (never shown in the
    page: a file is only ever what its first bytes said); each download is in the audit log."""
    document = policy.get_for_user(request.user, Document, "document.view", audit_view=False, pk=pk)
    if not document.stored_name:
        raise Http404
    try:
        handle = documents.document_storage().open(document.stored_name, "rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        obj=document,
        changes={"downloaded": document.original_name},
    )
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def document_expire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Mark a document expired, after a page that asks to confirm (a POST does it)."""
    document = policy.get_for_user(
        request.user,
        Document.objects.select_related("case__referral", "referral", "uploaded_by"),
        "document.change",
        pk=pk,
    )
    parent = document.case or document.referral
    assert parent is not None
    back = parent.get_absolute_url()
    error = ""
    if request.method == "POST":
        try:
            services.document_mark_expired(actor=request.user, document=document)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("Marked expired: %(document)s.") % {"document": document})
            return redirect(back + "#documents-title")
    return render(
        request,
        "mentoring/document_expire.html",
        {"document": document, "back": back, "error": error},
    )


@login_required
def case_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = policy.get_for_user(request.user, _case_queryset(request.user), "case.change", pk=pk)
    form = CaseForm(request.POST or None, instance=case)
    return save_form(
        request,
        form,
        lambda cleaned: services.case_update(
            actor=request.user, case=case, data=cleaned, expected_version=cleaned["version"]
        ),
        saved=_("Case saved."),
        stored_version=lambda: Case.objects.get(pk=case.pk).version,
    ) or render(request, "mentoring/case_form.html", {"case": case, "form": form})


@login_required
@require_POST
def goal_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = policy.get_for_user(request.user, _case_queryset(request.user), "case.change", pk=pk)
    form = GoalForm(request.POST)
    if not form.is_valid():
        return _render_case(request, case, goal_form=form)
    services.goal_add(actor=request.user, case=case, text=form.cleaned_data["text"])
    messages.success(request, _("Goal added."))
    return redirect(case)


def _progress_ids(goal_pk: int) -> str:
    return f"id_goal-{goal_pk}-%s"


@login_required
@require_POST
def goal_progress(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    goal = CaseGoal.objects.select_related("case").filter(pk=pk).first()
    if goal is None:
        raise Http404
    case = policy.get_for_user(
        request.user, _case_queryset(request.user), "case.goal_progress", pk=goal.case_id
    )
    form = ProgressForm(request.POST, auto_id=_progress_ids(goal.pk))
    if not form.is_valid():
        return _render_case(request, case, progress_form=form)
    services.goal_progress_add(
        actor=request.user,
        goal=goal,
        note=form.cleaned_data["note"],
        status=form.cleaned_data["status"],
        shared_with_referrer=form.cleaned_data["shared_with_referrer"],
    )
    messages.success(request, _("Progress saved."))
    return redirect(case)


@login_required
def case_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    case = policy.get_for_user(request.user, _case_queryset(request.user), "case.close", pk=pk)
    if case.status != CaseStatus.OPEN:
        messages.info(request, _("This case is already closed."))
        return redirect(case)
    data = request.POST if request.method == "POST" else None
    form = CloseCaseForm(
        data,
        initial={"version": case.version, "closed_on": timezone.localdate()},
        school_based=case.program.is_school_based,
    )
    in_care = [
        episode
        for child in case.family.children.all()
        if (episode := child.current_episode) is not None
    ]
    children = [
        ChildOutcomeForm(data, instance=episode, prefix=f"child-{episode.child_id}")
        for episode in in_care
    ]
    children_valid = [child.is_valid() for child in children]  # every form, for its errors
    if data is not None and form.is_valid() and all(children_valid):
        try:
            services.case_close(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                closed_on=form.cleaned_data["closed_on"],
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                discharges=[(child.instance, child.cleaned_data) for child in children],
            )
        except ConcurrentEditError as error:
            _stale(form, error, Case.objects.get(pk=case.pk).version)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Case closed."))
            return redirect(case)
    return render(
        request,
        "mentoring/case_close.html",
        {
            "case": case,
            "form": form,
            "children": children,
            "at_home": [child for child in case.family.children.all() if not child.current_episode],
            "error_forms": [form, *children],
        },
    )


@login_required
def assign(request: AuthenticatedHttpRequest, referral_pk: int) -> HttpResponse:
    """Choose a Parent Partner for an accepted referral (or a new one for an open case)."""
    referral = policy.get_for_user(
        request.user,
        policy.visible(request.user, Referral).prefetch_related("family__parents"),
        "case.assign",
        pk=referral_pk,
    )
    case = Case.objects.filter(referral=referral).first()
    if case is None and referral.status != "accepted":
        messages.error(request, _("Accept the referral before assigning a Parent Partner."))
        return redirect("referrals:detail", pk=referral.pk)
    suggestions = selectors.assignment_suggestions(referral)
    partners = ParentPartner.objects.filter(pk__in=[s.partner.pk for s in suggestions])
    form = AssignForm(request.POST or None, partners=partners)
    needs_confirmation = needs_language_confirmation = None
    if request.method == "POST" and form.is_valid():
        partner = form.cleaned_data["parent_partner"]
        try:
            case = services.case_assign(
                actor=request.user,
                referral=referral,
                partner=partner,
                confirm_over_capacity=form.cleaned_data["confirm_over_capacity"],
                confirm_language=form.cleaned_data["confirm_language"],
                reason=form.cleaned_data["reason"],
            )
        except services.OverCapacityError:
            needs_confirmation = partner
            form.data = _confirming(request, "confirm_over_capacity")
        except services.LanguageMismatchError:
            needs_language_confirmation = partner
            form.data = _confirming(request, "confirm_language")
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(
                request,
                _("%(partner)s is now the Parent Partner for %(number)s.")
                % {"partner": partner, "number": referral.number},
            )
            return redirect(case)
    current = case.assignments.filter(ended_on__isnull=True).first() if case else None
    return render(
        request,
        "mentoring/assign.html",
        {
            "referral": referral,
            "case": case,
            "current": current,
            "suggestions": suggestions,
            "form": form,
            "needs_confirmation": needs_confirmation,
            "needs_language_confirmation": needs_language_confirmation,
        },
    )


def _confirming(request: AuthenticatedHttpRequest, field: str) -> QueryDict:
    """The posted form again, with ``field`` set: the next submit confirms."""
    data = request.POST.copy()
    data[field] = "True"
    return data


# --- Contacts -----------------------------------------------------------------------------


@available_offline
@login_required
@audit.audited_list(Case)
def activity_log(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The tablet contact log: one screen, Save or Save and log another."""
    policy.require(request.user, "activity.create")
    cases = list(
        policy.visible(request.user, Case)
        .filter(
            status=CaseStatus.OPEN,
            assignments__parent_partner__user=request.user,
            assignments__ended_on__isnull=True,
        )
        .select_related("referral", "program")
        .prefetch_related("family__parents")
        .order_by("referral__number")
    )
    if not cases:
        return render(request, "mentoring/activity_form.html", {"no_cases": True})
    case_ids = [case.pk for case in cases]
    chosen = whole_number(request.GET.get("case"))
    initial = {"case": chosen} if chosen in case_ids else {}
    partner = selectors.partner_profile_of(request.user, cases[0].program_id)
    resources = policy.visible(request.user, Resource).filter(is_active=True)
    form = ActivityForm(
        request.POST or None,
        initial=initial,
        cases=Case.objects.filter(pk__in=case_ids)
        .select_related("referral", "program")
        .prefetch_related("family__parents"),
        resources=resources,
        type_order=selectors.recent_activity_types(partner) if partner else [],
        school_based=frozenset(case.program.is_school_based for case in cases),
    )
    if request.method == "POST" and form.is_valid():
        case = form.cleaned_data["case"]
        policy.require(request.user, "activity.create", case)
        partner = selectors.partner_profile_of(request.user, case.program_id)
        if partner is None:
            raise PermissionDenied
        try:
            activity, _created = services.activity_log(
                actor=request.user,
                partner=partner,
                case=case,
                data=form.cleaned_data,
                client_uuid=form.cleaned_data["client_uuid"],
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            if request.POST.get("another"):
                messages.success(
                    request,
                    _("Saved: %(activity)s with %(family)s. Log the next one.")
                    % {
                        "activity": activity.get_activity_type_display(),
                        "family": case.referral.number,
                    },
                )
                return redirect(
                    f"{reverse('mentoring:activity_log')}?case={case.pk}&saved={activity.client_uuid}"
                )
            return redirect("mentoring:activity_saved", pk=activity.pk)
    return render(
        request,
        "mentoring/activity_form.html",
        {
            "form": form,
            "draft_key": f"{request.user.pk}:log:v1",
            "saved_uuid": request.GET.get("saved", ""),
        },
    )


@login_required
def activity_saved(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = policy.get_for_user(
        request.user, selectors.activities_for_user(request.user), "activity.view", pk=pk
    )
    can_add_hearing = activity.activity_type == ActivityType.COURT_HEARING and policy.can(
        request.user, "hearing.add", activity.case
    )
    return render(
        request,
        "mentoring/activity_saved.html",
        {"activity": activity, "can_add_hearing": can_add_hearing},
    )


@login_required
@audit.audited_list(Activity)
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not (
        policy.can(request.user, "activity.review") or policy.can(request.user, "activity.create")
    ):
        raise PermissionDenied
    filters = _activity_filter(request, selectors.activities_for_user(request.user))
    page = CappedPaginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentoring/activity_list.html",
        {
            "filter": filters,
            "page": page,
            "filter_query": query.urlencode(),
            "can_export": policy.can(request.user, "activity.export"),
        },
    )


def _activity_filter(request: AuthenticatedHttpRequest, activities: Any) -> ActivityFilter:
    partners = policy.visible(request.user, ParentPartner)
    return ActivityFilter(request.GET or None, queryset=activities, partners=partners)


@login_required
def activity_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered contacts as CSV (hours, mileage, kinds of contact), for coordinators.
    Notes stay in the app: they are the family's story, not a figure to reckon."""
    user = request.user
    policy.require(user, "activity.export")
    activities = selectors.activities_for_user(user).filter(
        program_id__in=policy.program_ids_where(user, policy.COORDINATORS)
    )
    rows = _activity_filter(request, activities).qs
    present = dict(Present.choices)
    header = [
        _("Date"),
        _("Time"),
        _("Program"),
        _("Referral"),
        _("Parent Partner"),
        _("Kind of contact"),
        _("How"),
        _("Minutes"),
        _("Where"),
        _("Who was there"),
        _("Miles"),
        _("Resource"),
        _("Next step"),
        _("Review"),
    ]

    def line(activity: Any) -> list[Any]:
        return [
            activity.occurred_on.isoformat(),
            activity.occurred_time.strftime("%H:%M") if activity.occurred_time else "",
            activity.program.name,
            activity.case.referral.number,
            str(activity.parent_partner),
            activity.get_activity_type_display(),
            activity.get_mode_display(),
            activity.duration_minutes,
            activity.location,
            "; ".join(str(present.get(who, who)) for who in activity.present),
            f"{activity.mileage:.1f}" if activity.mileage is not None else "",
            activity.resource.name if activity.resource else "",
            activity.next_step,
            activity.get_review_status_display(),
        ]

    return csv_download(
        request,
        filename=f"contacts-{timezone.localdate().isoformat()}.csv",
        back=reverse("mentoring:activity_list"),
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: _("Contacts CSV (%(count)s rows)") % {"count": count},
        program=only_program(rows),
    )


@login_required
@available_offline
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = policy.get_for_user(
        request.user, selectors.activities_for_user(request.user), "activity.view", pk=pk
    )
    if not policy.can(request.user, "activity.change", activity):
        messages.error(
            request, _("This contact was signed off. Ask your coordinator to change it.")
        )
        raise PermissionDenied
    form = ActivityForm(
        request.POST or None,
        instance=activity,
        cases=Case.objects.filter(pk=activity.case_id)
        .select_related("referral", "program")
        .prefetch_related("family__parents"),
        resources=policy.visible(request.user, Resource),
        type_order=[],
        school_based=frozenset({activity.program.is_school_based}),
    )
    form.fields["version"] = ReviewForm.base_fields["version"]
    if not form.is_bound:
        form.initial["version"] = activity.version
    return save_form(
        request,
        form,
        lambda cleaned: services.activity_update(
            actor=request.user,
            activity=activity,
            data=cleaned,
            expected_version=cleaned["version"],
        ),
        saved=_("Contact saved."),
        then=lambda changed: activity.case,
        stored_version=lambda: Activity.objects.get(pk=activity.pk).version,
    ) or render(
        request,
        "mentoring/activity_form.html",
        {"form": form, "activity": activity, "editing": True},
    )


@login_required
@audit.audited_list(Activity)
def review_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The contacts waiting for a coordinator, oldest first, by Parent Partner or family;
    each signed off or sent back on its own, or several signed off at once."""
    policy.require(request.user, "activity.review")
    filters = ReviewFilter(
        request.GET or None,
        queryset=selectors.waiting_for_review(request.user),
        partners=policy.visible(request.user, ParentPartner),
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_family_names(list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "mentoring/review_queue.html",
        {"page": page, "filter": filters, "filter_query": query.urlencode()},
    )


@login_required
@require_POST
def review_sign_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Several contacts signed off at once: first the list to confirm, then the sign-off."""
    policy.require(request.user, "activity.review")
    form = BulkSignOffForm(request.POST, waiting=selectors.waiting_for_review(request.user))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("mentoring:review_queue")
    chosen: list[Activity] = form.cleaned_data["activity"]
    versions = form.versions()
    if not form.cleaned_data["confirmed"]:
        for activity in chosen:
            # What the coordinator read: a contact changed since will be left, and says so.
            activity.read_version = versions[activity.pk]  # type: ignore[attr-defined]
        return render(
            request,
            "mentoring/review_sign_off.html",
            {"chosen": selectors.with_family_names(chosen), "versions": versions},
        )
    signed, left = services.activities_sign_off(
        actor=request.user, chosen=chosen, versions=versions
    )
    if signed:
        messages.success(
            request,
            ngettext("Signed off %(count)s contact.", "Signed off %(count)s contacts.", len(signed))
            % {"count": len(signed)},
        )
    if left:
        messages.error(
            request,
            _("Not signed off, because the Parent Partner changed it a moment ago: %(list)s.")
            % {"list": ", ".join(str(activity) for activity in left)},
        )
    return redirect("mentoring:review_queue")


@login_required
@require_POST
def activity_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = policy.get_for_user(
        request.user, selectors.activities_for_user(request.user), "activity.review", pk=pk
    )
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("mentoring:review_queue")
    try:
        services.activity_review(
            actor=request.user,
            activity=activity,
            sign_off=form.cleaned_data["decision"] == "sign_off",
            comment=form.cleaned_data["comment"],
            expected_version=form.cleaned_data["version"],
        )
    except ConcurrentEditError:
        messages.error(
            request, _("The Parent Partner changed this contact a moment ago. Read it again.")
        )
    else:
        if activity.review_status == ReviewStatus.SIGNED_OFF:
            messages.success(request, _("Signed off: %(activity)s.") % {"activity": activity})
        else:
            messages.success(
                request, _("Sent back to %(partner)s.") % {"partner": activity.parent_partner}
            )
    return redirect("mentoring:review_queue")


# --- Parent Partners ----------------------------------------------------------------------


def _accounts_for(program_ids: list[int]) -> Any:
    return User.objects.filter(
        memberships__program_id__in=program_ids, memberships__role=Role.PARENT_PARTNER
    ).distinct()


@login_required
def partner_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Parent Partners by stage: the recruitment pipeline and the team at work."""
    policy.require(request.user, "parent_partner.list")
    partners = selectors.with_caseload(
        policy.visible(request.user, ParentPartner).select_related("program")
    ).order_by("last_name", "first_name")
    by_stage: dict[str, list[ParentPartner]] = {stage: [] for stage in Stage.values}
    for partner in partners:
        by_stage[partner.stage].append(partner)
    stages = [(value, label, by_stage[value]) for value, label in Stage.choices]
    return render(
        request,
        "mentoring/partner_list.html",
        {"stages": stages, "can_create": policy.can(request.user, "parent_partner.create")},
    )


@login_required
def partner_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "parent_partner.create")
    program_ids = policy.program_ids_where(request.user, policy.COORDINATORS)
    programs = Program.objects.filter(pk__in=program_ids).order_by("name")
    form = ParentPartnerForm(
        request.POST or None, accounts=_accounts_for(program_ids), programs=programs
    )

    def save(cleaned: dict[str, Any]) -> ParentPartner:
        program = cleaned.get("program") or programs.first()
        if program is None:
            raise PermissionDenied
        policy.require(request.user, "parent_partner.create", program)
        return services.parent_partner_create(actor=request.user, program=program, data=cleaned)

    return save_form(
        request,
        form,
        save,
        saved=lambda partner: _("%(name)s added as an inquiry.") % {"name": partner},
        then=_partner_url,
    ) or render(request, "mentoring/partner_form.html", {"form": form})


def _partner_url(partner: ParentPartner) -> str:
    return reverse("mentoring:partner_detail", args=[partner.pk])


@login_required
def partner_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partner = policy.get_for_user(
        request.user,
        selectors.with_caseload(policy.visible(request.user, ParentPartner)).prefetch_related(
            Prefetch("stage_changes", queryset=StageChange.objects.select_related("actor"))
        ),
        "parent_partner.view",
        audit_view=True,  # the page lists the families of the partner's caseload
        pk=pk,
    )
    can_change = policy.can(request.user, "parent_partner.change", partner)
    next_stages = (
        [(value, label) for value, label in Stage.choices if value != partner.stage]
        if can_change
        else []
    )
    return render(
        request,
        "mentoring/partner_detail.html",
        {
            "partner": partner,
            "can_change": can_change,
            "next_stages": next_stages,
            "stage_form": StageForm(initial={"version": partner.version}),
            "readiness": selectors.readiness_problems(partner)
            if can_change and partner.stage != Stage.ACTIVE
            else [],
            "today": timezone.localdate(),
            "last_month": selectors.month_starts(2)[1],
            "current_cases": Assignment.objects.filter(
                parent_partner=partner, ended_on__isnull=True
            ).select_related("case__referral"),
        },
    )


@login_required
def partner_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partner = policy.get_for_user(request.user, ParentPartner, "parent_partner.change", pk=pk)
    form = ParentPartnerForm(
        request.POST or None, instance=partner, accounts=_accounts_for([partner.program_id])
    )
    return save_form(
        request,
        form,
        lambda cleaned: services.parent_partner_update(
            actor=request.user,
            partner=partner,
            data=cleaned,
            expected_version=cleaned["version"],
        ),
        saved=_("Saved."),
        then=_partner_url,
        stored_version=lambda: ParentPartner.objects.get(pk=partner.pk).version,
    ) or render(request, "mentoring/partner_form.html", {"form": form, "partner": partner})


@login_required
@require_POST
def partner_stage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    partner = policy.get_for_user(request.user, ParentPartner, "parent_partner.change", pk=pk)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.parent_partner_set_stage(
                actor=request.user,
                partner=partner,
                to_stage=form.cleaned_data["stage"],
                expected_version=form.cleaned_data["version"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        except ConcurrentEditError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s is now: %(stage)s.")
                % {"name": partner, "stage": partner.get_stage_display()},
            )
    else:
        messages.error(request, _("Choose a stage from the list."))
    return redirect("mentoring:partner_detail", pk=partner.pk)


# --- Community resources ------------------------------------------------------------------


@login_required
def resource_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "resource.view")
    resources = policy.visible(request.user, Resource).select_related("program")
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    if query:
        resources = resources.filter(Q(name__icontains=query) | Q(description__icontains=query))
    if category in ResourceCategory.values:
        resources = resources.filter(category=category)
    if not request.GET.get("all"):
        resources = resources.filter(is_active=True)
    page = Paginator(resources.order_by("category", "name"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "mentoring/resource_list.html",
        {
            "page": page,
            "query": query,
            "category": category,
            "categories": ResourceCategory.choices,
            "filter_query": params.urlencode(),
            "can_change": policy.can(request.user, "resource.change"),
        },
    )


@login_required
def resource_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    if pk is None:
        policy.require(request.user, "resource.change")
        program = _program_for(request, policy.COORDINATORS)
        resource = Resource(program=program)
    else:
        resource = policy.get_for_user(request.user, Resource, "resource.change", pk=pk)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        services.resource_save(actor=request.user, resource=resource, data=form.cleaned_data)
        messages.success(request, _("%(name)s saved.") % {"name": resource.name})
        return redirect("mentoring:resource_list")
    return render(request, "mentoring/resource_form.html", {"form": form, "resource": resource})


def _program_for(request: AuthenticatedHttpRequest, roles: frozenset[str] | set[str]) -> Program:
    """The program a page is about: ``?program=`` when the user works in several."""
    ids = policy.program_ids_where(request.user, roles)
    if not ids:
        raise PermissionDenied
    wanted = whole_number(request.GET.get("program"))
    program_id = wanted if wanted is not None and wanted in ids else min(ids)
    return Program.objects.get(pk=program_id)


# --- Supervision, clinical support, training ----------------------------------------------


@login_required
def supervision(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "support.view")
    sessions = policy.visible(request.user, SupervisionSession).select_related(
        "parent_partner", "supervisor"
    )
    form = None
    if policy.can(request.user, "supervision.record"):
        program = _program_for(request, policy.COORDINATORS)
        partners = ParentPartner.objects.filter(
            program=program, stage__in=[Stage.ACTIVE, Stage.TRAINING]
        )
        form = SupervisionForm(request.POST or None, partners=partners)
        if request.method == "POST" and form.is_valid():
            services.supervision_record(actor=request.user, data=form.cleaned_data)
            messages.success(request, _("Supervision session saved."))
            return redirect("mentoring:supervision")
    elif request.method == "POST":
        raise PermissionDenied
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "mentoring/supervision.html", {"page": page, "form": form, "filter_query": ""}
    )


@login_required
def clinical(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Monthly clinical support: whether each month had a session, and who came."""
    policy.require(request.user, "support.view")
    program = _program_for(request, rules.PARTNER_SUPPORT | {Role.PARENT_PARTNER})
    form = None
    if policy.can(request.user, "clinical.record", program):
        partners = ParentPartner.objects.filter(
            program=program, stage__in=[Stage.ACTIVE, Stage.TRAINING]
        )
        form = ClinicalSessionForm(request.POST or None, partners=partners)
        if request.method == "POST" and form.is_valid():
            try:
                services.clinical_session_record(
                    actor=request.user, program=program, data=form.cleaned_data
                )
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                messages.success(request, _("Clinical support session saved."))
                return redirect("mentoring:clinical")
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request,
        "mentoring/clinical.html",
        {"program": program, "months": selectors.clinical_months(program.pk), "form": form},
    )


def _partners_at_work(user: User) -> QuerySet[ParentPartner]:
    return policy.visible(user, ParentPartner).filter(stage__in=[Stage.ACTIVE, Stage.TRAINING])


def _record_form(
    request: AuthenticatedHttpRequest,
    action: str,
    form_class: Any,
    partners: QuerySet[ParentPartner],
    save: Callable[..., Any],
) -> tuple[Any, bool]:
    """The form that records something about one of the program's Parent Partners on a
    list page (coordinators only; others get no form, and a 403 if they send one), and
    whether it was saved."""
    if not policy.can(request.user, action):
        if request.method == "POST":
            raise PermissionDenied
        return None, False
    program = _program_for(request, policy.COORDINATORS)
    form = form_class(request.POST or None, partners=partners.filter(program=program))
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            return form, True
    return form, False


@login_required
def training(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Core topics each Parent Partner has completed, who is missing which, and hours."""
    policy.require(request.user, "support.view")
    partners = _partners_at_work(request.user)
    form, saved = _record_form(
        request, "training.record", TrainingForm, partners, services.training_record
    )
    if saved:
        messages.success(request, _("Training saved."))
        return redirect("mentoring:training")
    records = (
        policy.visible(request.user, TrainingRecord)
        .select_related("parent_partner")
        .order_by("-completed_on", "-id")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.can_change = policy.can(request.user, "training.change", record)
    return render(
        request,
        "mentoring/training.html",
        {
            "rows": selectors.training_matrix(partners.order_by("last_name")),
            "form": form,
            "can_choose_topics": policy.can(request.user, "training.require"),
            "records": page,
        },
    )


@login_required
def participation(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Parent Partners' part in councils, committees, trainings they presented and events,
    with what they were paid: this year's totals per Parent Partner, and the records."""
    policy.require(request.user, "participation.view")
    form, saved = _record_form(
        request,
        "participation.record",
        ParticipationForm,
        _partners_at_work(request.user),
        services.participation_record,
    )
    if saved:
        messages.success(request, _("Participation saved."))
        return redirect("mentoring:participation")
    today = timezone.localdate()
    records = (
        policy.visible(request.user, Participation)
        .select_related("parent_partner")
        .order_by("-held_on", "-id")
    )
    page = Paginator(records, 50).get_page(request.GET.get("page"))
    for record in page.object_list:
        record.can_change = policy.can(request.user, "participation.change", record)
    year = records.filter(held_on__year=today.year)
    totals = year.aggregate(
        count=Count("id"),
        hours=DecimalSum("hours"),
        paid=DecimalSum("amount"),
        unpaid=DecimalSum("amount", filter=Q(paid_on__isnull=True)),
    )
    return render(
        request,
        "mentoring/participation.html",
        {
            "form": form,
            "records": page,
            "totals": totals,
            "year": today.year,
        },
    )


@dataclass(frozen=True)
class _Correcting:
    """What the pages that correct and delete one kind of record about a Parent Partner
    say, and where they go back to."""

    name: str  # of the URLs: mentoring:<name>_edit and mentoring:<name>_delete
    model: type[Participation] | type[TrainingRecord]
    action: str
    form_class: Any
    update: Callable[..., Any]
    delete: Callable[..., None]
    back: str  # the list's URL name
    back_label: StrOrPromise
    saved: StrOrPromise
    heading: StrOrPromise
    intro: StrOrPromise
    delete_label: StrOrPromise
    delete_heading: StrOrPromise
    delete_warning: StrOrPromise
    deleted: StrOrPromise

    def record(self, request: AuthenticatedHttpRequest, pk: int) -> Any:
        """404 outside the user's programs; 403 for the Parent Partner it is about, who sees
        it and asks their coordinator to correct it."""
        return policy.get_for_user(
            request.user, self.model.objects.select_related("parent_partner"), self.action, pk=pk
        )

    def edit(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        """The form, offering the program's Parent Partners at work and the one the record
        is about (even when they have since left)."""
        record = self.record(request, pk)
        partners = ParentPartner.objects.filter(program_id=record.parent_partner.program_id)
        partners = partners.filter(
            Q(stage__in=[Stage.ACTIVE, Stage.TRAINING]) | Q(pk=record.parent_partner_id)
        )
        form = self.form_class(request.POST or None, instance=record, partners=partners)
        return save_form(
            request,
            form,
            lambda cleaned: self.update(actor=request.user, record=record, data=cleaned),
            saved=str(self.saved),
            then=lambda _saved: reverse(self.back),
        ) or render(
            request,
            "mentoring/partner_record_form.html",
            {
                "form": form,
                "text": self,
                "intro": self.intro % {"record": record, "partner": record.parent_partner},
                "delete_url": reverse(f"mentoring:{self.name}_delete", args=[record.pk]),
            },
        )

    def remove(self, request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
        """A page that shows the record and asks to confirm; a POST deletes."""
        record = self.record(request, pk)
        if request.method == "POST":
            self.delete(actor=request.user, record=record)
            messages.success(request, self.deleted % {"record": record})
            return redirect(self.back)
        return render(
            request,
            "mentoring/partner_record_delete.html",
            {
                "text": self,
                "record": record,
                "details": f"mentoring/includes/{self.name}_details.html",
                "cancel_url": reverse(f"mentoring:{self.name}_edit", args=[record.pk]),
            },
        )


PARTICIPATION = _Correcting(
    name="participation",
    model=Participation,
    action="participation.change",
    form_class=ParticipationForm,
    update=services.participation_update,
    delete=services.participation_delete,
    back="mentoring:participation",
    back_label=gettext_lazy("Leadership and participation"),
    saved=gettext_lazy("Participation saved."),
    heading=gettext_lazy("Change a participation"),
    intro=gettext_lazy(
        "%(record)s. Add the date paid once the payment is made, or correct what was recorded."
    ),
    delete_label=gettext_lazy("Delete this participation"),
    delete_heading=gettext_lazy("Delete this participation?"),
    delete_warning=gettext_lazy(
        "Delete it only when it was recorded by mistake (twice, or for the wrong Parent "
        "Partner): it leaves this year's totals and the Parent Partner's record. The audit "
        "log keeps what it was."
    ),
    deleted=gettext_lazy("Deleted: %(record)s."),
)

TRAINING = _Correcting(
    name="training",
    model=TrainingRecord,
    action="training.change",
    form_class=TrainingForm,
    update=services.training_update,
    delete=services.training_delete,
    back="mentoring:training",
    back_label=gettext_lazy("Training"),
    saved=gettext_lazy("Training saved."),
    heading=gettext_lazy("Change a training"),
    intro=gettext_lazy(
        "%(record)s. A training recorded under the wrong topic counts that core topic as "
        "done: correct it here."
    ),
    delete_label=gettext_lazy("Delete this training"),
    delete_heading=gettext_lazy("Delete this training?"),
    delete_warning=gettext_lazy(
        "Delete it only when it was recorded by mistake (twice, or for the wrong Parent "
        "Partner): its topic no longer counts as done and its hours leave the Parent "
        "Partner's total. The audit log keeps what it was."
    ),
    deleted=gettext_lazy("Deleted: %(record)s."),
)


@login_required
def participation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a participation, or add the date it was paid once the payment is made."""
    return PARTICIPATION.edit(request, pk)


@login_required
def participation_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Delete a participation recorded by mistake, after a page that asks to confirm."""
    return PARTICIPATION.remove(request, pk)


@login_required
def training_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a training: its topic, date, hours or who gave it."""
    return TRAINING.edit(request, pk)


@login_required
def training_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Delete a training recorded by mistake, after a page that asks to confirm."""
    return TRAINING.remove(request, pk)


@login_required
def core_topics(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The Program Coordinator chooses the core topics their program requires."""
    policy.require(request.user, "training.require")
    program = _program_for(request, {Role.PROGRAM_COORDINATOR})
    current = [topic.value for topic in core_topics_for(program.pk)]
    data = request.POST if request.method == "POST" else None  # unticking all posts nothing
    form = CoreTopicsForm(data, initial={"topics": current})
    if request.method == "POST" and form.is_valid():
        services.core_topics_set(
            actor=request.user, program=program, topics=form.cleaned_data["topics"]
        )
        messages.success(request, _("Core topics saved for %(program)s.") % {"program": program})
        return redirect("mentoring:training")
    return render(request, "mentoring/core_topics.html", {"form": form, "program": program})


# --- Surveys and the monthly summary ------------------------------------------------------


@login_required
def survey(request: AuthenticatedHttpRequest, pk: int, timing: str) -> HttpResponse:
    case = policy.get_for_user(request.user, _case_queryset(request.user), "case.survey", pk=pk)
    if timing not in SurveyTiming.values:
        raise Http404
    instrument = services.survey_instrument_for(case.program)
    parent = case.family.parents.all()[0] if case.family.parents.all() else None
    language = parent.preferred_language if parent else "en"
    form = SurveyForm(request.POST or None, instrument=instrument, language=language)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record(
                actor=request.user,
                case=case,
                instrument=instrument,
                timing=timing,
                answered_on=form.cleaned_data["answered_on"],
                answers=form.answers(),
            )
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Survey saved."))
            return redirect(case)
    return render(
        request,
        "mentoring/survey_form.html",
        {"case": case, "form": form, "timing": SurveyTiming(timing), "instrument": instrument},
    )


@login_required
def monthly_summary(
    request: AuthenticatedHttpRequest, pk: int, year: int, month: int
) -> HttpResponse:
    """The printable monthly activity summary for one Parent Partner."""
    partner = policy.get_for_user(request.user, ParentPartner, "parent_partner.view", pk=pk)
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    summary = selectors.monthly_summary(partner, year, month)
    return render(
        request, "mentoring/monthly_summary.html", {"partner": partner, "summary": summary}
    )


# --- Mileage and expenses -------------------------------------------------------------------

# Claims a coordinator acts on first: waiting for approval, then approved (to be paid).
# A Parent Partner's own list starts with the ones sent back to them.
SENT_BACK_FIRST = DbCase(When(status=ClaimStatus.SENT_BACK, then=0), default=1)
CLAIM_ORDER = DbCase(
    When(status=ClaimStatus.SUBMITTED, then=0),
    When(status=ClaimStatus.APPROVED, then=1),
    When(status=ClaimStatus.SENT_BACK, then=2),
    default=3,
)


def _claim_year(request: AuthenticatedHttpRequest, years: list[int]) -> int:
    wanted = whole_number(request.GET.get("year"))
    return wanted if wanted is not None and wanted in years else timezone.localdate().year


@login_required
def claim_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mileage and expense claims: a Parent Partner's months to claim and their claims; a
    program's claims for its coordinators, waiting ones first; totals per person for a year."""
    user = request.user
    policy.require(user, "claim.list")
    today = timezone.localdate()
    claims = selectors.claims_for_user(user)
    years = selectors.claim_years(claims, today)
    year = _claim_year(request, years)
    status = request.GET.get("status", "")
    shown = claims.filter(month__year=year)
    if status in ClaimStatus.values:
        shown = shown.filter(status=status)
    else:
        status = ""
    coordinates = bool(policy.program_ids_where(user, policy.COORDINATORS))
    shown = shown.order_by(
        CLAIM_ORDER if coordinates else SENT_BACK_FIRST,
        "-month",
        "parent_partner__last_name",
        "id",
    )
    page = Paginator(shown, PAGE_SIZE).get_page(request.GET.get("page"))
    totals = selectors.claim_totals_by_person(claims, year)
    context = {
        "claimable": selectors.claimable_months(user, today),
        "page": page,
        "year": year,
        "years": years,
        "status": status,
        "statuses": ClaimStatus.choices,
        "totals": totals,
        "several_programs": len({row.program for row in totals}) > 1,
        "grand": {
            name: sum((getattr(row, name) for row in totals), Decimal("0"))
            for name in ("miles", "mileage_amount", "other_amount", "total", "paid", "not_paid")
        },
        "is_partner": bool(policy.program_ids_where(user, {Role.PARENT_PARTNER})),
        "can_export": policy.can(user, "claim.export"),
        "can_set_rates": policy.can(user, "mileage_rate.change"),
    }
    return render(request, "mentoring/claim_list.html", context)


def _claim_month(year: int, month: int) -> datetime.date:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    return datetime.date(year, month, 1)


def _claim_form_page(
    request: AuthenticatedHttpRequest,
    partner: ParentPartner,
    month: datetime.date,
    claim: ExpenseClaim | None,
) -> HttpResponse:
    """Claim a month, or change a claim that was sent back: the contacts' miles it takes,
    other expenses, and the Parent Partner's word that they are for the program."""
    initial = None
    if claim is not None and request.method != "POST":
        initial = [
            {"spent_on": row.spent_on, "description": row.description, "amount": row.amount}
            for row in claim.expenses.all()
        ]
    form = ClaimForm(
        request.POST or None, initial={"version": claim.version} if claim is not None else None
    )
    expenses = claim_expense_formset(request.POST or None, initial=initial)
    over = month < selectors.month_start(timezone.localdate())
    lines = selectors.claim_preview(partner, month, claim) if over else []
    response = save_form(
        request,
        form,
        lambda cleaned: services.claim_submit(
            actor=request.user,
            partner=partner,
            month=month,
            expenses=[row.expense for row in expenses.forms if row.expense],
            claim=claim,
            expected_version=cleaned.get("version"),
        ),
        saved=lambda saved: (
            _("Your claim for %(month)s (%(total)s) is sent for approval.")
            % {"month": format_when(saved.month, "month"), "total": f"${saved.total:.2f}"}
        ),
        formsets=[expenses],
        stored_version=(
            (lambda: ExpenseClaim.objects.get(pk=claim.pk).version) if claim is not None else None
        ),
    )
    if response is not None:
        return response
    context = {
        "partner": partner,
        "month": month,
        "claim": claim,
        "form": form,
        "expenses": expenses,
        "error_forms": [form, expenses, *expenses.forms],
        "lines": lines,
        "over": over,
        "missing_rate": any(line.rate is None for line in lines),
        "miles": sum((line.activity.mileage for line in lines), Decimal("0")),
        "mileage_amount": sum((line.amount or Decimal("0") for line in lines), Decimal("0")),
        "open_from": selectors.next_month(month),
    }
    return render(request, "mentoring/claim_form.html", context)


@login_required
def claim_new(
    request: AuthenticatedHttpRequest, partner_pk: int, year: int, month: int
) -> HttpResponse:
    partner = policy.get_for_user(
        request.user,
        ParentPartner.objects.select_related("program"),
        "claim.submit",
        pk=partner_pk,
    )
    return _claim_form_page(request, partner, _claim_month(year, month), None)


def _claim(request: AuthenticatedHttpRequest, pk: int, action: str) -> ExpenseClaim:
    return policy.get_for_user(
        request.user,
        ExpenseClaim.objects.select_related(
            "parent_partner", "program", "submitted_by", "decided_by", "paid_recorded_by"
        ),
        action,
        pk=pk,
    )


@login_required
def claim_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _claim(request, pk, "claim.submit")
    return _claim_form_page(request, claim.parent_partner, claim.month, claim)


def _claim_page(
    request: AuthenticatedHttpRequest,
    claim: ExpenseClaim,
    *,
    decision: ClaimDecisionForm | None = None,
    payment: ClaimPaymentForm | None = None,
) -> HttpResponse:
    user = request.user
    can_decide = policy.can(user, "claim.approve", claim)
    can_pay = policy.can(user, "claim.pay", claim)
    lines = list(claim.mileage_lines.select_related("activity"))
    context = {
        "claim": claim,
        "lines": lines,
        "expenses": list(claim.expenses.all()),
        "changed": [
            line
            for line in lines
            if line.activity is not None and line.activity.mileage != line.miles
        ],
        "not_signed_off": sum(
            1
            for line in lines
            if line.activity is not None and line.activity.review_status != ReviewStatus.SIGNED_OFF
        ),
        "decision": decision
        or (ClaimDecisionForm(initial={"version": claim.version}) if can_decide else None),
        "payment": payment
        or (
            ClaimPaymentForm(initial={"version": claim.version, "paid_on": timezone.localdate()})
            if can_pay
            else None
        ),
        "can_change": policy.can(user, "claim.submit", claim),
    }
    return render(request, "mentoring/claim_detail.html", context)


@login_required
def claim_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _claim_page(request, _claim(request, pk, "claim.view"))


def _claim_step(
    request: AuthenticatedHttpRequest,
    claim: ExpenseClaim,
    form: ClaimDecisionForm | ClaimPaymentForm,
    step: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """One step of a claim (a decision, a payment) from its form on the claim's page: the
    page again with the form's messages, or the claim with what was done."""
    shown = {"decision" if isinstance(form, ClaimDecisionForm) else "payment": form}
    if not form.is_valid():
        return _claim_page(request, claim, **shown)  # type: ignore[arg-type]
    try:
        done = step(form.cleaned_data)
    except ConcurrentEditError:
        messages.error(request, _("Someone else changed this claim a moment ago. Here it is now."))
    except ValidationError as error:
        add_model_errors(form, error)
        return _claim_page(request, claim, **shown)  # type: ignore[arg-type]
    else:
        messages.success(request, done)
    return redirect(claim)


@login_required
@require_POST
def claim_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Approve a submitted claim, or send it back with the reason."""
    claim = _claim(request, pk, "claim.approve")

    def decide(cleaned: dict[str, Any]) -> str:
        approve = cleaned["decision"] == "approve"
        services.claim_decide(
            actor=request.user,
            claim=claim,
            approve=approve,
            note=cleaned["note"],
            expected_version=cleaned["version"],
        )
        return _("Claim approved.") if approve else _("Claim sent back to the Parent Partner.")

    return _claim_step(request, claim, ClaimDecisionForm(request.POST), decide)


@login_required
@require_POST
def claim_pay(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record that an approved claim was paid."""
    claim = _claim(request, pk, "claim.pay")

    def pay(cleaned: dict[str, Any]) -> str:
        services.claim_pay(
            actor=request.user,
            claim=claim,
            paid_on=cleaned["paid_on"],
            reference=cleaned["reference"],
            expected_version=cleaned["version"],
        )
        return _("Claim marked as paid.")

    return _claim_step(request, claim, ClaimPaymentForm(request.POST), pay)


@login_required
def claim_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """A year's claims as CSV for finance: one row per claim. The export is audited."""
    user = request.user
    policy.require(user, "claim.export")
    today = timezone.localdate()
    claims = selectors.claims_for_user(user).filter(
        program_id__in=policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    )
    year = _claim_year(request, selectors.claim_years(claims, today))
    status = request.GET.get("status", "")
    rows = claims.filter(month__year=year)
    if status in ClaimStatus.values:
        rows = rows.filter(status=status)
    rows = rows.select_related("decided_by").order_by(
        "month", "parent_partner__last_name", "parent_partner__first_name", "id"
    )
    header = [
        _("Parent Partner"),
        _("Program"),
        _("Month"),
        _("Miles"),
        _("For miles"),
        _("Other expenses"),
        _("Total"),
        _("Status"),
        _("Submitted"),
        _("Approved by"),
        _("Approved on"),
        _("Date paid"),
        _("Payment reference"),
        _("Claim"),
    ]

    def line(claim: ExpenseClaim) -> list[Any]:
        approved = claim.status in (ClaimStatus.APPROVED, ClaimStatus.PAID)
        return [
            str(claim.parent_partner),
            claim.program.name,
            claim.month.strftime("%Y-%m"),
            f"{claim.miles:.1f}",
            f"{claim.mileage_amount:.2f}",
            f"{claim.other_amount:.2f}",
            f"{claim.total:.2f}",
            claim.get_status_display(),
            timezone.localtime(claim.submitted_at).date().isoformat(),
            str(claim.decided_by or "") if approved else "",
            timezone.localtime(claim.decided_at).date().isoformat()
            if approved and claim.decided_at
            else "",
            claim.paid_on.isoformat() if claim.paid_on else "",
            claim.payment_reference,
            request.build_absolute_uri(claim.get_absolute_url()),
        ]

    return csv_download(
        request,
        filename=f"mileage-and-expenses-{year}.csv",
        back=f"{reverse('mentoring:claim_list')}?year={year}",
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: (
            _("Mileage and expense claims CSV, %(year)s (%(count)s rows)")
            % {"year": year, "count": count}
        ),
        details={"year": year},
    )


@login_required
def mileage_rates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The rates a program pays per mile, from a date on; a Program Coordinator adds one."""
    user = request.user
    policy.require(user, "mileage_rate.change")
    programs = Program.objects.filter(
        pk__in=policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR})
    ).order_by("name")
    form = MileageRateForm(request.POST or None, programs=programs)
    response = save_form(
        request,
        form,
        lambda cleaned: services.mileage_rate_save(
            actor=user,
            program=cleaned["program"],
            starts_on=cleaned["starts_on"],
            per_mile=cleaned["per_mile"],
        ),
        saved=lambda rate: (
            _("%(program)s pays %(rate)s a mile from %(day)s.")
            % {
                "program": rate.program.name,
                "rate": f"${rate.per_mile}",
                "day": format_when(rate.starts_on, "date"),
            }
        ),
        then=lambda _rate: reverse("mentoring:mileage_rates"),
    )
    if response is not None:
        return response
    rates = (
        policy.visible(user, MileageRate)
        .filter(program__in=programs)
        .select_related("program", "created_by")
        .order_by("program__name", "-starts_on")
    )
    return render(
        request,
        "mentoring/mileage_rates.html",
        {"form": form, "rates": rates, "programs": programs, "today": timezone.localdate()},
    )


# --- The program's public page: becoming a Parent Partner ---------------------------------


@public.public_form
def public_interest(request: HttpRequest, slug: str) -> HttpResponse:
    """Open to anyone: someone who lived through a case asks to become a Parent Partner.
    It lands in the recruitment pipeline as an inquiry."""
    program = public.program_or_404(slug)
    form = PartnerInterestForm(
        request.POST if request.method == "POST" else None, school_based=program.is_school_based
    )

    def receive() -> ParentPartner:
        data = {**form.cleaned_data}
        message = data.pop("message", "")
        return services.parent_partner_interest(program=program, data=data, message=message)

    return public.answer(
        request,
        form,
        program=program,
        receive=receive,
        sent="public_interest_sent",
        template="mentoring/public_interest.html",
    )


@require_safe
def public_interest_sent(request: HttpRequest, slug: str) -> HttpResponse:
    program = public.program_or_404(slug)
    return render(
        request,
        "mentoring/public_interest_sent.html",
        {"program": program, "door": public.door(program)},
    )
