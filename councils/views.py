"""Council pages: councils and members, meetings with attendance and printable minutes,
recommendations and their status, stipends, outreach events; the CSV exports of stipends,
recommendations and outreach events."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from councils import selectors, services
from councils.forms import (
    CouncilCreateForm,
    CouncilFilter,
    CouncilMemberForm,
    MeetingEditForm,
    MeetingFilter,
    MeetingForm,
    OutreachEventCreateForm,
    OutreachEventEditForm,
    OutreachFilter,
    RecommendationEditForm,
    RecommendationFilter,
    RecommendationForm,
    RecommendationMoveForm,
    StipendFilter,
    StipendForm,
    attendance_formset,
)
from councils.models import (
    Council,
    CouncilMember,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatus,
    Stipend,
    StipendStatus,
)
from psp import policy
from psp.editing import save_form
from psp.exports import csv_download, only_program
from psp.http import AuthenticatedHttpRequest, whole_number
from psp.models import Program
from psp.pagination import CappedPaginator
from psp.services import ConcurrentEditError

PAGE_SIZE = 25
SHARE_DAYS = 365  # the council page's lived-experience share covers the last year
DEFAULT_STIPEND = "50.00"  # until the council has paid one: then its last amount


def _filter_query(request: AuthenticatedHttpRequest, *drop: str) -> str:
    query = request.GET.copy()
    for name in ("page", *drop):
        query.pop(name, None)
    return query.urlencode()


def _council(request: AuthenticatedHttpRequest, pk: int, action: str) -> Council:
    return policy.get_for_user(
        request.user, Council.objects.select_related("program"), action, pk=pk
    )


# --- Councils ------------------------------------------------------------------------------


@login_required
def council_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "council.list")
    filters = CouncilFilter(request.GET or None, queryset=selectors.councils_for_user(request.user))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filters,
        "page": page,
        "filter_query": _filter_query(request),
        "can_create": any(selectors.councils_to_set_up(request.user)),
        "is_coordinator": bool(policy.program_ids_where(request.user, policy.COORDINATORS)),
        "can_see_outreach": policy.can(request.user, "outreach.list"),
    }
    return render(request, "councils/council_list.html", context)


@login_required
def council_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "council.create")
    programs, can_create_state = selectors.councils_to_set_up(user)
    if not programs and not can_create_state:
        messages.info(request, _("Your councils are already set up."))
        return redirect("councils:list")
    form = CouncilCreateForm(
        request.POST or None, programs=programs, can_create_state=can_create_state
    )

    def save(cleaned: dict[str, Any]) -> Council:
        kind, program = form.kind_and_program()
        policy.require(user, "council.create" if program else "council.create_state", program)
        return services.council_create(
            actor=user, kind=kind, program=program, name=form.council_name()
        )

    return save_form(
        request,
        form,
        save,
        saved=lambda council: (
            _("%(name)s is set up. Add its members next.") % {"name": council.name}
        ),
    ) or render(request, "councils/council_form.html", {"form": form})


@login_required
def council_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "council.view")
    user = request.user
    today = timezone.localdate()
    recommendations = list(
        council.recommendations.select_related("meeting").order_by("-proposed_on", "-id")[:6]
    )
    members = list(selectors.council_members(council))
    active = [member for member in members if member.is_active]
    context = {
        "council": council,
        "members": members,
        "active_count": len(active),
        "lived_experience_count": sum(1 for member in active if member.lived_experience),
        "upcoming": selectors.upcoming_meetings(council),
        "recent": selectors.recent_meetings(council),
        "recommendations": recommendations,
        "share": selectors.council_lived_experience_share(
            council, start=today - datetime.timedelta(days=SHARE_DAYS), end=today
        ),
        "can_change": policy.can(user, "council.change", council),
        "can_record_meeting": policy.can(user, "meeting.create", council),
        "can_recommend": policy.can(user, "recommendation.create", council),
        "can_see_member_details": policy.can(user, "council.members.view", council),
        "can_see_stipends": policy.can(user, "stipend.list", council),
    }
    return render(request, "councils/council_detail.html", context)


@login_required
def member_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "council.change")
    return _member_form(
        request,
        council,
        None,
        lambda cleaned: services.member_create(actor=request.user, council=council, data=cleaned),
        saved=lambda member: _("%(name)s added to the council.") % {"name": member},
    )


@login_required
def member_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = policy.get_for_user(
        request.user,
        CouncilMember.objects.select_related("council__program", "user"),
        "council.member.change",
        pk=pk,
    )
    return _member_form(
        request,
        member.council,
        member,
        lambda cleaned: services.member_update(actor=request.user, member=member, data=cleaned),
        saved=lambda changed: _("%(name)s's details saved.") % {"name": changed},
    )


def _member_form(
    request: AuthenticatedHttpRequest,
    council: Council,
    member: CouncilMember | None,
    save: Callable[[dict[str, Any]], CouncilMember],
    *,
    saved: Callable[[CouncilMember], str],
) -> HttpResponse:
    """A new or an existing member's form; once saved, back to the council."""
    form = CouncilMemberForm(
        request.POST or None, council=council, instance=member or CouncilMember(council=council)
    )
    return save_form(request, form, save, saved=saved, then=lambda _member: council) or render(
        request, "councils/member_form.html", {"form": form, "council": council, "member": member}
    )


# --- Meetings ------------------------------------------------------------------------------


@login_required
def meeting_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "council.view")
    filters = MeetingFilter(request.GET or None, queryset=selectors.meetings_for_council(council))
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "council": council,
        "filter": filters,
        "page": page,
        "filter_query": _filter_query(request),
        "can_record_meeting": policy.can(request.user, "meeting.create", council),
        "today": timezone.localdate(),
    }
    return render(request, "councils/meeting_list.html", context)


def _attendance_marks(formset: Any) -> list[tuple[CouncilMember, str]]:
    return [(form.cleaned_data["member"], form.cleaned_data["status"]) for form in formset]


@login_required
def meeting_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "meeting.create")
    data = request.POST if request.method == "POST" else None
    form = MeetingForm(data, instance=Meeting(council=council))
    attendance = attendance_formset(
        data, members=selectors.attendance_members(None, council), marks={}
    )
    return save_form(
        request,
        form,
        lambda cleaned: services.meeting_create(
            actor=request.user,
            council=council,
            data=cleaned,
            attendance=_attendance_marks(attendance),
        ),
        formsets=[attendance],
        saved=_("Meeting saved."),
    ) or _render_meeting_form(request, council, form, attendance, meeting=None)


@login_required
def meeting_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = policy.get_for_user(
        request.user, Meeting.objects.select_related("council__program"), "meeting.change", pk=pk
    )
    council = meeting.council
    data = request.POST if request.method == "POST" else None
    form = MeetingEditForm(data, instance=meeting, initial={"version": meeting.version})
    marks = dict(meeting.attendance.values_list("member_id", "status"))
    attendance = attendance_formset(
        data, members=selectors.attendance_members(meeting, council), marks=marks
    )
    current = None

    def stored_version() -> int:
        nonlocal current  # the page shows what the other person saved
        current = Meeting.objects.get(pk=meeting.pk)
        return current.version

    return save_form(
        request,
        form,
        lambda cleaned: services.meeting_update(
            actor=request.user,
            meeting=meeting,
            expected_version=cleaned["version"],
            data=cleaned,
            attendance=_attendance_marks(attendance),
        ),
        formsets=[attendance],
        saved=_("Meeting saved."),
        stored_version=stored_version,
    ) or _render_meeting_form(request, council, form, attendance, meeting, current)


def _render_meeting_form(
    request: AuthenticatedHttpRequest,
    council: Council,
    form: Any,
    attendance: Any,
    meeting: Meeting | None,
    current: Meeting | None = None,
) -> HttpResponse:
    context = {
        "council": council,
        "meeting": meeting,
        "form": form,
        "attendance": attendance,
        "error_forms": [form, attendance, *attendance.forms],
        "has_errors": bool(form.errors or (attendance.is_bound and attendance.total_error_count())),
        "current": current,
        "can_see_member_details": policy.can(request.user, "council.members.view", council),
    }
    return render(request, "councils/meeting_form.html", context)


def _meeting_for_reading(request: AuthenticatedHttpRequest, pk: int) -> Meeting:
    return policy.get_for_user(
        request.user, selectors.meeting_detail(request.user), "meeting.view", pk=pk
    )


@login_required
def meeting_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_reading(request, pk)
    council = meeting.council
    user = request.user
    context = {
        "meeting": meeting,
        "council": council,
        "share": selectors.meeting_lived_experience_share(meeting),
        "can_change": policy.can(user, "meeting.change", meeting),
        "can_recommend": policy.can(user, "recommendation.create", council),
        "can_see_member_details": policy.can(user, "council.members.view", council),
        "can_pay_stipends": policy.can(user, "stipend.create", council),
    }
    return render(request, "councils/meeting_detail.html", context)


@login_required
def meeting_print(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    meeting = _meeting_for_reading(request, pk)
    return render(
        request, "councils/meeting_print.html", {"meeting": meeting, "council": meeting.council}
    )


# --- Recommendations -----------------------------------------------------------------------


def _recommendation_filter(request: AuthenticatedHttpRequest) -> RecommendationFilter:
    """The list's filters over the recommendations the user may see: the page and its CSV
    show the same rows."""
    user = request.user
    councils = policy.visible(user, Council).select_related("program").order_by("-kind", "name")
    return RecommendationFilter(
        request.GET or None, queryset=selectors.recommendations_for_user(user), councils=councils
    )


@login_required
def recommendation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "recommendation.list")
    filters = _recommendation_filter(request)
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.recommendation_status_counts(policy.visible(user, Recommendation))
    context = {
        "filter": filters,
        "page": page,
        "filter_query": _filter_query(request),
        "status_query": _filter_query(request, "status"),
        "status_counts": [
            (value, label, counts.get(value, 0)) for value, label in RecommendationStatus.choices
        ],
    }
    return render(request, "councils/recommendation_list.html", context)


@login_required
def recommendation_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered list as CSV, every page of it. The export itself is audited."""
    policy.require(request.user, "recommendation.list")
    rows = _recommendation_filter(request).qs
    header = [
        _("Council"),
        _("Program"),
        _("Date proposed"),
        _("Meeting it came from"),
        _("Recommendation"),
        _("Details"),
        _("Area"),
        _("Who follows it up"),
        _("Whose idea it was"),
        _("Status"),
        _("Date of the last status change"),
        _("Date decided"),
    ]

    def line(recommendation: Any) -> list[Any]:
        return [
            recommendation.council.name,
            recommendation.council.program.name if recommendation.council.program else "",
            recommendation.proposed_on.isoformat(),
            recommendation.meeting.held_on.isoformat() if recommendation.meeting else "",
            recommendation.title,
            recommendation.details,
            recommendation.get_area_display(),
            recommendation.owner,
            recommendation.raised_by.name if recommendation.raised_by else "",
            recommendation.get_status_display(),
            timezone.localdate(recommendation.status_changed_at).isoformat(),
            recommendation.decided_on.isoformat() if recommendation.decided_on else "",
        ]

    return csv_download(
        request,
        filename=f"recommendations-{timezone.localdate().isoformat()}.csv",
        back=reverse("councils:recommendation_list"),
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: _("Recommendations CSV (%(count)s rows)") % {"count": count},
        program=only_program(rows, "council__program_id"),
    )


@login_required
def recommendation_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "recommendation.create")
    initial: dict[str, Any] = {}
    meeting_id = whole_number(request.GET.get("meeting"))
    from_meeting = council.meetings.filter(pk=meeting_id).first() if meeting_id else None
    if from_meeting is not None:
        initial = {"meeting": from_meeting, "proposed_on": from_meeting.held_on}
    form = RecommendationForm(
        request.POST or None,
        council=council,
        instance=Recommendation(council=council),
        initial=initial,
    )
    context = {"form": form, "council": council, "recommendation": None, "meeting": from_meeting}
    return save_form(
        request,
        form,
        lambda cleaned: services.recommendation_create(
            actor=request.user, council=council, data=cleaned
        ),
        saved=_("Recommendation saved as “Proposed”."),
    ) or render(request, "councils/recommendation_form.html", context)


@login_required
def recommendation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation = policy.get_for_user(
        request.user, selectors.recommendation_detail(request.user), "recommendation.view", pk=pk
    )
    return _render_recommendation(request, recommendation)


def _render_recommendation(
    request: AuthenticatedHttpRequest,
    recommendation: Recommendation,
    move_form: RecommendationMoveForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actions = []
    if policy.can(request.user, "recommendation.change", recommendation):
        for to_status in services.next_statuses(recommendation):
            bound = (
                move_form if move_form and move_form.data.get("to_status") == to_status else None
            )
            actions.append(
                (
                    to_status,
                    bound
                    or RecommendationMoveForm(
                        initial={"to_status": to_status, "version": recommendation.version},
                        auto_id=_move_form_ids(to_status),
                    ),
                )
            )
    context = {
        "recommendation": recommendation,
        "council": recommendation.council,
        "history": recommendation.status_changes.select_related("actor"),
        "actions": actions,
        "can_change": policy.can(request.user, "recommendation.change", recommendation),
        "can_see_member_details": policy.can(
            request.user, "council.members.view", recommendation.council
        ),
        "form": move_form,
    }
    return render(request, "councils/recommendation_detail.html", context, status=status)


def _move_form_ids(to_status: str) -> str:
    """Each status button's form has its own field ids (several share the page)."""
    known = to_status if to_status in RecommendationStatus.values else "move"
    return f"id_{known}_%s"


@login_required
def recommendation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation = policy.get_for_user(
        request.user,
        selectors.recommendation_detail(request.user),
        "recommendation.change",
        pk=pk,
    )
    council = recommendation.council
    form = RecommendationEditForm(
        request.POST or None,
        council=council,
        instance=recommendation,
        initial={"version": recommendation.version},
    )
    context = {"form": form, "council": council, "recommendation": recommendation}
    return save_form(
        request,
        form,
        lambda cleaned: services.recommendation_update(
            actor=request.user,
            recommendation=recommendation,
            expected_version=cleaned["version"],
            data=cleaned,
        ),
        saved=_("Recommendation saved."),
        stored_version=lambda: Recommendation.objects.values_list("version", flat=True).get(pk=pk),
    ) or render(request, "councils/recommendation_form.html", context)


@login_required
@require_POST
def recommendation_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    recommendation = policy.get_for_user(
        request.user, selectors.recommendation_detail(request.user), "recommendation.view", pk=pk
    )
    policy.require(request.user, "recommendation.change", recommendation)
    form = RecommendationMoveForm(
        request.POST, auto_id=_move_form_ids(request.POST.get("to_status", ""))
    )
    if not form.is_valid():
        return _render_recommendation(request, recommendation, form, status=400)
    try:
        services.recommendation_move(
            actor=request.user,
            recommendation=recommendation,
            to_status=form.cleaned_data["to_status"],
            expected_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except services.StatusMoveError as error:
        messages.error(request, str(error))
    except ConcurrentEditError:
        messages.error(
            request,
            _("Someone else changed this recommendation a moment ago. Here is what it says now."),
        )
    else:
        messages.success(
            request,
            _("The recommendation is now “%(status)s”.")
            % {"status": recommendation.get_status_display()},
        )
    return redirect("councils:recommendation_detail", pk=recommendation.pk)


# --- Stipends ------------------------------------------------------------------------------


def _stipend_year(request: AuthenticatedHttpRequest, years: list[int]) -> int:
    wanted = whole_number(request.GET.get("year"))
    if wanted is not None and wanted in years:
        return wanted
    return timezone.localdate().year


@login_required
def stipend_list(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "stipend.list")
    years = selectors.stipend_years(council)
    year = _stipend_year(request, years)
    totals = selectors.stipend_totals_by_member(council, year)
    filters = StipendFilter(
        request.GET or None,
        queryset=selectors.stipends_for_council(council).filter(awarded_on__year=year),
        council=council,
    )
    page = Paginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "council": council,
        "years": years,
        "year": year,
        "totals": totals,
        "grand_total": sum((row.total for row in totals), start=0),
        "grand_paid": sum((row.paid for row in totals), start=0),
        "grand_pending": sum((row.pending for row in totals), start=0),
        "filter": filters,
        "page": page,
        "filter_query": _filter_query(request),
        "can_pay": policy.can(request.user, "stipend.create", council),
        "can_export": policy.can(request.user, "stipend.export", council),
    }
    return render(request, "councils/stipend_list.html", context)


@login_required
def stipend_export(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """One year's stipends as CSV, for finance. The export itself is audited."""
    council = _council(request, pk, "stipend.export")
    year = _stipend_year(request, selectors.stipend_years(council))
    rows = StipendFilter(
        request.GET or None,
        queryset=selectors.stipends_for_council(council)
        .filter(awarded_on__year=year)
        .order_by("awarded_on", "member__name", "id"),
        council=council,
    ).qs
    header = [
        _("Member"),
        _("Organisation"),
        _("Council"),
        _("Date of the contribution"),
        _("Meeting"),
        _("Amount"),
        _("Paid?"),
        _("Date paid"),
        _("Note"),
    ]

    def line(stipend: Any) -> list[Any]:
        return [
            stipend.member.name,
            stipend.member.organisation,
            council.name,
            stipend.awarded_on.isoformat(),
            stipend.meeting.held_on.isoformat() if stipend.meeting else "",
            f"{stipend.amount:.2f}",
            stipend.get_status_display(),
            stipend.paid_on.isoformat() if stipend.paid_on else "",
            stipend.note,
        ]

    return csv_download(
        request,
        filename=f"stipends-{council.pk}-{year}.csv",
        back=reverse("councils:stipend_list", args=[council.pk]),
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: (
            _("Stipends CSV, %(year)s (%(count)s rows)") % {"year": year, "count": count}
        ),
        obj=council,
        program=council.program_id,
        details={"year": year},
    )


@login_required
def stipend_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    council = _council(request, pk, "stipend.create")
    last = selectors.stipends_for_council(council).first()
    initial: dict[str, Any] = {
        "amount": last.amount if last is not None else DEFAULT_STIPEND,
        "status": StipendStatus.PENDING,
    }
    meeting_id = whole_number(request.GET.get("meeting"))
    if meeting_id:
        meeting = council.meetings.filter(pk=meeting_id).first()
        if meeting is not None:
            initial.update(meeting=meeting, awarded_on=meeting.held_on)
    form = StipendForm(request.POST or None, council=council, instance=Stipend(), initial=initial)
    return save_form(
        request,
        form,
        lambda cleaned: services.stipend_create(actor=request.user, council=council, data=cleaned),
        saved=lambda stipend: (
            _("Stipend of %(amount)s for %(name)s saved.")
            % {"amount": f"${stipend.amount:.2f}", "name": stipend.member}
        ),
        then=lambda stipend: _stipends_url(council, stipend),
    ) or render(
        request, "councils/stipend_form.html", {"form": form, "council": council, "stipend": None}
    )


@login_required
def stipend_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    stipend = policy.get_for_user(
        request.user,
        Stipend.objects.select_related("member__council__program", "meeting"),
        "stipend.change",
        pk=pk,
    )
    council = stipend.member.council
    form = StipendForm(request.POST or None, council=council, instance=stipend)
    return save_form(
        request,
        form,
        lambda cleaned: services.stipend_update(actor=request.user, stipend=stipend, data=cleaned),
        saved=_("Stipend saved."),
        then=lambda changed: _stipends_url(council, changed),
    ) or render(
        request,
        "councils/stipend_form.html",
        {"form": form, "council": council, "stipend": stipend},
    )


def _stipends_url(council: Council, stipend: Stipend) -> str:
    return f"{reverse('councils:stipend_list', args=[council.pk])}?year={stipend.awarded_on.year}"


# --- Outreach ------------------------------------------------------------------------------


def _outreach_filter(request: AuthenticatedHttpRequest) -> OutreachFilter:
    """The list's filters over the events the user may see: the page and its CSV show the
    same rows."""
    user = request.user
    programs = policy.visible(user, Program)
    if not (user.is_state_staff or user.is_administrator):
        programs = programs.filter(pk__in=policy.program_ids_where(user, policy.COORDINATORS))
    return OutreachFilter(
        request.GET or None, queryset=selectors.outreach_for_user(user), programs=programs
    )


@login_required
def outreach_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "outreach.list")
    filters = _outreach_filter(request)
    page = CappedPaginator(filters.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filters,
        "page": page,
        "filter_query": _filter_query(request),
        "can_create": policy.can(user, "outreach.create"),
    }
    return render(request, "councils/outreach_list.html", context)


@login_required
def outreach_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered list as CSV, every page of it. Events only: no family names or referral
    numbers, just how many referrals named the event. The export itself is audited."""
    policy.require(request.user, "outreach.list")
    rows = _outreach_filter(request).qs
    header = [
        _("Date"),
        _("Program"),
        _("Event"),
        _("Audience"),
        _("Organisation"),
        _("Presenters"),
        _("People who came"),
        _("Referrals from it"),
        _("Notes"),
    ]

    def line(event: Any) -> list[Any]:
        return [
            event.held_on.isoformat(),
            event.program.name,
            event.title,
            event.get_audience_type_display(),
            event.organisation,
            event.presenters,
            "" if event.attendance is None else event.attendance,
            event.referral_count,
            event.notes,
        ]

    return csv_download(
        request,
        filename=f"outreach-events-{timezone.localdate().isoformat()}.csv",
        back=reverse("councils:outreach_list"),
        header=header,
        rows=rows,
        line=line,
        describe=lambda count: _("Outreach events CSV (%(count)s rows)") % {"count": count},
        program=only_program(rows),
    )


@login_required
def outreach_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    policy.require(user, "outreach.create")
    programs = Program.objects.filter(pk__in=policy.program_ids_where(user, policy.COORDINATORS))
    form = OutreachEventCreateForm(request.POST or None, programs=programs)

    def save(cleaned: dict[str, Any]) -> OutreachEvent:
        policy.require(user, "outreach.create", cleaned["program"])
        return services.outreach_create(actor=user, program=cleaned["program"], data=cleaned)

    return save_form(request, form, save, saved=_("Outreach event saved.")) or render(
        request, "councils/outreach_form.html", {"form": form, "event": None}
    )


@login_required
def outreach_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = policy.get_for_user(
        request.user, selectors.outreach_detail(request.user), "outreach.view", pk=pk
    )
    referrals = selectors.referrals_from_event(request.user, event)
    context = {
        "event": event,
        "referral_total": event.referral_sources.count(),
        "referrals": list(referrals[:50]),
        "visible_referral_count": referrals.count(),
        "can_change": policy.can(request.user, "outreach.change", event),
    }
    return render(request, "councils/outreach_detail.html", context)


@login_required
def outreach_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    event = policy.get_for_user(
        request.user, selectors.outreach_detail(request.user), "outreach.change", pk=pk
    )
    form = OutreachEventEditForm(
        request.POST or None, instance=event, initial={"version": event.version}
    )
    return save_form(
        request,
        form,
        lambda cleaned: services.outreach_update(
            actor=request.user, event=event, expected_version=cleaned["version"], data=cleaned
        ),
        saved=_("Outreach event saved."),
        stored_version=lambda: OutreachEvent.objects.values_list("version", flat=True).get(pk=pk),
    ) or render(request, "councils/outreach_form.html", {"form": form, "event": event})
