"""Everybody's dashboard, and the quarterly report pages: the list with the request form,
one report's progress, and the downloads. The report itself is made by
``reporting.tasks.generate_report``."""

from __future__ import annotations

import calendar as pycalendar
import csv
import datetime
import io
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from mentoring.models import Hearing
from mentoring.selectors import attention_summary, follow_up_summary
from psp import audit, policy
from psp import selectors as psp_selectors
from psp.dates import format_when
from psp.exports import csv_safe
from psp.forms import add_model_errors
from psp.http import AuthenticatedHttpRequest, takes_a_large_file, whole_number
from psp.models import AuditAction, Program, Role
from referrals.models import Family
from reporting import (
    calendar,
    comparison_services,
    dashboards,
    equity,
    filing,
    matching,
    metrics,
    outcomes,
    quality,
    selectors,
    services,
)
from reporting.comparison import COMPARISON_LARGEST_BODY, COMPARISON_MAX_BYTES, COMPARISON_MAX_ROWS
from reporting.comparison_forms import ComparisonUploadForm, LimitedUploadHandler
from reporting.forms import (
    CalendarForm,
    CloseQuarterForm,
    QualityForm,
    ReportRequestForm,
    completed_quarters,
    program_value,
    quarter_value,
)
from reporting.models import (
    CalendarFeed,
    ComparisonExtract,
    ExtractStatus,
    OutcomeComparison,
    OutcomeStatus,
    Report,
)

logger = logging.getLogger(__name__)

PAGE_SIZE = 25
CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role's start page: what needs attention, and the numbers and lists for the role
    (a program's coordinators, state staff, social workers, clinical support)."""
    policy.require(request.user, "dashboard.view")
    user = request.user
    coordinated = dashboards.coordinated_programs(user)
    program = dashboards.chosen_program(coordinated, request.GET.get("program"))
    social_worker = bool(policy.program_ids_where(user, policy.REFERRERS))
    today = timezone.localdate()
    board_html, board = (
        dashboards.program_board(user, program, coordinated, today)
        if program and policy.can(user, "dashboard.program", program)
        else (None, None)
    )
    context = {
        "attention": attention_summary(user) if policy.can(user, "case.list") else None,
        # Court hearings are a child-welfare program's: no link to them for a person who
        # works in school-based programs only.
        "court_hearings": user.is_administrator
        or bool(set(policy.program_ids_where(user)) - policy.school_program_ids(user)),
        "follow_ups": (follow_up_summary(user) if policy.can(user, "follow_up.list") else None),
        "today": today,
        "my_programs": psp_selectors.my_program_roles(user),
        "all_programs": psp_selectors.programs_for_user(user) if user.is_administrator else None,
        "coordinated": coordinated,
        # The program's panel, made or kept; the board it was made from (None when kept).
        "program_board": board_html,
        "program_dashboard": board,
        "statewide": (
            dashboards.statewide_dashboard(user)
            if policy.can(user, "dashboard.statewide")
            else None
        ),
        "parent_partner": bool(policy.program_ids_where(user, {Role.PARENT_PARTNER})),
        "my_referrals": dashboards.referrals_made_by(user) if social_worker else None,
        "can_refer": social_worker and policy.can(user, "referral.create"),
        "clinical_months": dashboards.clinical_support_this_month(user),
    }
    return render(request, "reporting/dashboard.html", context)


def _request_form(request: AuthenticatedHttpRequest, data: Any = None) -> ReportRequestForm:
    return ReportRequestForm(
        data,
        programs=selectors.programs_to_report_on(request.user),
        statewide=policy.can(request.user, "report.generate", None),
    )


def _list_page(request: AuthenticatedHttpRequest, form: ReportRequestForm) -> HttpResponse:
    reports = selectors.reports_for_user(request.user)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    last = completed_quarters(1, timezone.localdate())[0]
    context = {
        "page": page,
        "form": form if form.can_generate else None,
        "is_state_staff": request.user.is_state_staff,
        "can_check_quality": policy.can(request.user, "report.quality"),
        "can_see_equity": policy.can(request.user, "equity.view"),
        "can_import_comparison": policy.can(request.user, "comparison.import"),
        "can_see_outcomes": policy.can(request.user, "outcomes.view"),
        "closing": selectors.closing_status(request.user, last),
    }
    return render(request, "reporting/report_list.html", context)


@login_required
def report_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "report.list")
    return _list_page(request, _request_form(request))


@login_required
@require_POST
def report_generate(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy.require(request.user, "report.list")
    form = _request_form(request, request.POST)
    if not form.can_generate:
        raise PermissionDenied
    if not form.is_valid():
        return _list_page(request, form)
    program = form.cleaned_data["program"]
    policy.require(request.user, "report.generate", program)
    try:
        report = services.report_request(
            actor=request.user,
            program=program,
            quarter=form.cleaned_data["quarter"],
            language=form.cleaned_data["language"],
        )
    except ValidationError as error:
        add_model_errors(form, error)
        return _list_page(request, form)
    if report.waiting_for_service:
        messages.warning(
            request,
            _(
                "The report service is not answering right now. Your request is kept, and the "
                "report will be made as soon as the service is back."
            ),
        )
    return redirect("reporting:detail", pk=report.pk)


def _get_report(request: AuthenticatedHttpRequest, pk: int, action: str) -> Report:
    queryset = Report.objects.select_related("program", "requested_by", "filing__closed_by")
    return policy.get_for_user(request.user, queryset, action, pk=pk)


def _status_context(request: AuthenticatedHttpRequest, report: Report) -> dict[str, Any]:
    amendments = []
    if report.filing_id and report.filing is not None:
        amendments = [
            amendment
            for amendment in report.filing.amendments.all()
            if not (report.suppressed and amendment.section in filing.PRIVATE_SECTIONS)
        ]
    return {
        "amendments": amendments,
        "report": report,
        "polling": not report.is_finished and not report.is_stale,
        "can_retry": policy.can(request.user, "report.generate", report.program),
        "retry_quarter": quarter_value(report.period),
        "retry_program": program_value(report.program),
    }


@login_required
def report_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    report = _get_report(request, pk, "report.view")
    context = _status_context(request, report)
    context["largest_hidden"] = metrics.small_count_threshold() - 1
    return render(request, "reporting/report_detail.html", context)


@login_required
def report_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The progress bar alone, which the detail page asks for every 2 seconds."""
    report = _get_report(request, pk, "report.view")
    return render(request, "reporting/report_detail_status.html", _status_context(request, report))


def _download(request: AuthenticatedHttpRequest, pk: int, kind: str) -> FileResponse:
    report = _get_report(request, pk, "report.download")
    stored = report.pdf if kind == "pdf" else report.csv
    if not report.is_ready:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        logger.error("Report %s: its %s file %s is missing", report.pk, kind, stored.name)
        raise Http404 from error
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=report,
        changes={
            "file": kind,
            "sha256": report.pdf_sha256 if kind == "pdf" else report.csv_sha256,
        },
    )
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{report.file_stem()}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )


@login_required
def report_pdf(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "pdf")


@login_required
def report_csv(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return _download(request, pk, "csv")


@login_required
def quality_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """What is missing from a program's records for a quarter (``reporting.quality``): the
    counts, and for the program's coordinators the first records of each check, each with a
    link to the page that fixes it, and every record of one check a page at a time
    (``?check=<key>&page=<n>``). The last quarter that ended unless another is chosen."""
    policy.require(request.user, "report.quality")
    today = timezone.localdate()
    form = QualityForm(
        request.GET or None, programs=selectors.programs_to_check(request.user), today=today
    )
    program, quarter = form.chosen()
    checks: list[quality.Check] = []
    with_rows = False
    page = None
    query = ""
    if program is not None:
        policy.require(request.user, "report.quality", program)
        with_rows = policy.can(request.user, "report.quality_records", program)
        scope = quality.Scope(program=program, quarter=quarter, today=today)
        query = urlencode({"program": program.slug, "quarter": quarter_value(quarter)})
        key = request.GET.get("check", "")
        if with_rows and key in quality.FINDERS:
            check, page = quality.check_page(request.user, scope, key, request.GET.get("page"))
            checks = [check]
        else:
            checks = quality.panel(request.user, scope, with_rows=with_rows)
    closed = filing.filing_for(program, quarter) if program is not None else None
    context = {
        "form": form,
        "program": program,
        "quarter": quarter,
        "under_way": quarter.end >= today,
        "closed": closed,
        "quarter_value": quarter_value(quarter),
        "can_close": (
            program is not None
            and closed is None
            and quarter.end < today
            and policy.can(request.user, "quarter.close", program)
        ),
        "checks": checks,
        "total": sum(check.count for check in checks),
        "with_rows": with_rows,
        # One check's full list, a page at a time, and the query string of its pages.
        "page": page,
        "panel_query": query,
        "filter_query": f"{query}&check={checks[0].key}" if page is not None else "",
    }
    response = render(request, "reporting/quality.html", context)
    if with_rows:
        audit.record_list_view(request, Family, response)
    return response


@login_required
@require_POST
def quarter_close(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Close a program's quarter (posted from the data-quality panel) and go to its filed
    report."""
    policy.require(request.user, "quarter.close")
    today = timezone.localdate()
    form = CloseQuarterForm(
        request.POST, programs=selectors.programs_to_close_for(request.user), today=today
    )
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.errors.values()))
        return redirect("reporting:quality")
    program = form.cleaned_data["program"]
    quarter = form.cleaned_data["quarter"]
    policy.require(request.user, "quarter.close", program)
    back = f"{reverse('reporting:quality')}?program={program.slug}&quarter={quarter_value(quarter)}"
    try:
        services.close_quarter(actor=request.user, program=program, quarter=quarter)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request,
        _("%(quarter)s is closed for %(program)s and its numbers are filed. Its report is being "
          "made from them.") % {"quarter": quarter.label, "program": program.name},
    )  # fmt: skip
    report = (
        Report.objects.filter(
            program=program,
            year=quarter.year,
            quarter=quarter.number,
            requested_by=request.user,
            filing__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if report is not None and policy.can(request.user, "report.view", report):
        return redirect("reporting:detail", pk=report.pk)
    return redirect(back)


# --- The calendar -------------------------------------------------------------------------

FEED_SHOWN = "psp-calendar-feed-token"
# How many events a day each way of showing the calendar lists before "N more"; a day's
# own page lists them all, this many a page.
CALENDAR_PER_DAY = {"month": 3, "week": 10, "agenda": 5}
CALENDAR_DAY_PAGE = 50


def _calendar_span(view: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    if view == "week":
        start = day - datetime.timedelta(days=(day.weekday() + 1) % 7)  # from Sunday
        return start, start + datetime.timedelta(days=6)
    if view == "agenda":
        return day, day + datetime.timedelta(days=30)
    if view == "day":
        return day, day
    weeks = pycalendar.Calendar(firstweekday=6).monthdatescalendar(day.year, day.month)
    return weeks[0][0], weeks[-1][-1]


def _page_number(given: str | None) -> int:
    """The page of a day's events the address asks for; the first for anything else (it is
    only ever written by the page's own links)."""
    try:
        number = int(given or 1)
    except ValueError:
        return 1
    return number if 1 <= number <= 1000 else 1


def _calendar_step(view: str, day: datetime.date, forward: bool) -> datetime.date:
    if view == "month":
        first = day.replace(day=1)
        if forward:
            return (first + datetime.timedelta(days=32)).replace(day=1)
        return (first - datetime.timedelta(days=1)).replace(day=1)
    step = datetime.timedelta(days={"week": 7, "day": 1}.get(view, 31))
    return day + step if forward else day - step


@login_required
@audit.audited_list(Hearing)
def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Month, week or agenda of what the person may see (``reporting.calendar``)."""
    user = request.user
    if not calendar.may_use(user):
        raise PermissionDenied
    form = CalendarForm(
        request.GET or None, programs=calendar.programs_for(user), people=calendar.people_for(user)
    )
    chosen: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()  # what was given wrong is said at its field; the rest is used
        chosen = form.cleaned_data
    today = timezone.localdate()
    view = chosen.get("view") or "month"
    day = chosen.get("day") or today
    start, end = _calendar_span(view, day)
    page = _page_number(request.GET.get("page")) if view == "day" else 1
    # A month shows a few events a day, a week and the agenda more; each day's "N more"
    # opens that day, which shows them all, a page at a time.
    per_day = CALENDAR_DAY_PAGE * page if view == "day" else CALENDAR_PER_DAY[view]
    found = calendar.days(
        user,
        start,
        end,
        per_day=per_day,
        program=chosen.get("program"),
        person=chosen.get("person"),
    )
    query = request.GET.copy()
    query.pop("page", None)

    def link(**changes: str) -> str:
        changed = query.copy()
        for name, value in changes.items():
            changed[name] = value
        return "?" + changed.urlencode()

    def cell(one: datetime.date) -> dict[str, Any]:
        more = found.more(one)
        return {
            "day": one,
            "iso": one.isoformat(),
            "label": format_when(one, "day"),
            "events": found.on(one),
            "more": more,
            "more_url": link(view="day", day=one.isoformat()) if more else "",
        }

    weeks = []
    if view == "month":
        weeks = [
            [{**cell(one), "in_month": one.month == day.month} for one in week]
            for week in pycalendar.Calendar(firstweekday=6).monthdatescalendar(day.year, day.month)
        ]
    days = [(start + datetime.timedelta(days=offset)) for offset in range((end - start).days + 1)]
    shown_days = []
    if view != "month":
        shown_days = [cell(one) for one in days if view in ("week", "day") or found.total.get(one)]
    pages: dict[str, Any] = {}
    if view == "day":
        # Only this page's events of the day; the ones before it were read to find them.
        on_day = found.on(day)[CALENDAR_DAY_PAGE * (page - 1) :]
        shown_days = [{**cell(day), "events": on_day, "more": 0}]
        total = found.total.get(day, 0)
        pages = {
            "first": CALENDAR_DAY_PAGE * (page - 1) + 1 if on_day else 0,
            "last": CALENDAR_DAY_PAGE * (page - 1) + len(on_day),
            "total": total,
            "paged": total > CALENDAR_DAY_PAGE,
            "previous": link(view=view, page=str(page - 1)) if page > 1 else "",
            "next": link(view=view, page=str(page + 1)) if CALENDAR_DAY_PAGE * page < total else "",
        }
    context = {
        "form": form,
        "view": view,
        "day": day,
        "today": today,
        "start": start,
        "end": end,
        "weeks": weeks,
        "days": shown_days,
        "pages": pages,
        "count": found.count,
        "weekday_names": [WEEKDAYS[(index + 6) % 7] for index in range(7)],
        "views": [(key, label, link(view=key), key == view) for key, label in CalendarForm.VIEWS],
        "previous": link(view=view, day=_calendar_step(view, day, False).isoformat()),
        "next": link(view=view, day=_calendar_step(view, day, True).isoformat()),
        "this_day": link(view=view, day=today.isoformat()),
        "can_feed": True,
    }
    return render(request, "reporting/calendar.html", context)


@login_required
def calendar_feed(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's own feed address: made (shown once), made anew, or stopped."""
    user = request.user
    if not calendar.may_use(user):
        raise PermissionDenied
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            calendar.feed_stop(user)
            messages.success(
                request, _("Your calendar link is stopped. Calendars using it get nothing more.")
            )
        else:
            request.session[FEED_SHOWN] = calendar.feed_make(user)
            messages.success(
                request, _("Your new calendar link is below. Any link you had before has stopped.")
            )
        return redirect("calendar_feed")
    token = request.session.pop(FEED_SHOWN, None)
    address = (
        request.build_absolute_uri(reverse("calendar_feed_ics", args=[token])) if token else ""
    )
    return render(
        request,
        "reporting/calendar_feed.html",
        {"feed": calendar.feed_live(user), "address": address},
    )


def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The feed a phone's calendar reads: no sign-in, the secret address is the key; the
    same answer (404) for an address that never was and one that was stopped."""
    feed = calendar.feed_owner(token)
    if feed is None:
        raise Http404
    with translation.override(feed.user.language or settings.LANGUAGE_CODE):
        body = calendar.feed_ics(
            feed.user, timezone.localdate(), request.build_absolute_uri("/").rstrip("/")
        )
    CalendarFeed.objects.filter(pk=feed.pk).update(last_read_at=timezone.now())
    audit.record(actor=feed.user, action=AuditAction.EXPORT, obj=feed)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="psp-calendar.ics"'
    return response


@dataclass(frozen=True)
class _EquityScope:
    """Whose figures the equity view shows and for which years, by role: state staff and
    administrators every program, small counts hidden, only the years filed
    (``equity.filing_for``); a Program Coordinator their programs in full, counted live,
    this year too."""

    programs: list[Program]
    years: list[int]
    year: int | None
    statewide: bool


def _equity_scope(request: AuthenticatedHttpRequest, today: datetime.date) -> _EquityScope:
    policy.require(request.user, "equity.view")
    user = request.user
    statewide = user.is_state_staff or user.is_administrator
    if statewide:
        programs: list[Program] = []  # the filing's own
        years = equity.filed_years()
    else:
        programs = list(
            Program.objects.filter(
                pk__in=policy.program_ids_where(user, {Role.PROGRAM_COORDINATOR})
            ).order_by("name")
        )
        first = selectors.first_referral_year(programs)
        years = list(range(today.year, first - 1, -1)) if first is not None else []
    chosen = whole_number(request.GET.get("year"))
    year = chosen if chosen in years else (years[0] if years else None)
    return _EquityScope(programs=programs, years=years, year=year, statewide=statewide)


@dataclass(frozen=True)
class _EquityShown:
    """A year's figures as the view shows them, and when they were filed (state staff)."""

    figures: equity.Figures
    programs: list[tuple[str, str, bool]]  # (slug, name, school based)
    filed_at: datetime.datetime | None


def _equity_shown(scope: _EquityScope, year: int, today: datetime.date) -> _EquityShown | None:
    """State staff: the year as filed (None if it is not); a coordinator: counted now."""
    if scope.statewide:
        filing = equity.filing_for(year)
        if filing is None:
            return None
        return _EquityShown(
            figures=equity.filed_figures(filing),
            programs=[(slug, name, bool(school)) for slug, name, school in filing.programs],
            filed_at=filing.filed_at,
        )
    figures = equity.figures(year=year, programs=scope.programs, suppressed=False, today=today)
    return _EquityShown(
        figures=figures,
        programs=[(p.slug, p.name, p.is_school_based) for p in scope.programs],
        filed_at=None,
    )


def _equity_sections(scope: _EquityScope, shown: _EquityShown) -> list[dict[str, Any]]:
    """Each program's funnel and people (and statewide, for state staff), as shown."""
    figures = shown.figures
    funnel, partners, members = figures.funnel, figures.partners, figures.members
    slugs: list[tuple[str | None, str]] = [(slug, name) for slug, name, _ in shown.programs]
    if scope.statewide:
        slugs.append((None, _("Statewide: every program together")))
    school_based = {slug for slug, _name, school in shown.programs if school}
    return [
        {
            "slug": slug or "statewide",
            "name": name,
            # A school-based program's families are not reunified: no such row.
            "funnel": [
                row
                for row in funnel.rows(slug)
                if not (slug in school_based and row.stage == "reunified")
            ],
            "partners": partners.shown(slug),
            "members": members.shown(slug),
        }
        for slug, name in slugs
    ]


@login_required
def equity_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The equity view (``reporting.equity``): a calendar year's referrals by race or
    ethnicity through the funnel, and who the Parent Partners and council members are, per
    program and statewide (``_EquityScope`` says whose, and which years)."""
    today = timezone.localdate()
    scope = _equity_scope(request, today)
    context: dict[str, Any] = {
        "years": scope.years,
        "year": scope.year,
        "statewide": scope.statewide,
        "suppressed": scope.statewide,
        "columns": metrics.race_ethnicity_columns(),
        "settings": metrics.definition_values(),
    }
    shown = _equity_shown(scope, scope.year, today) if scope.year is not None else None
    if shown is None:
        context.update(years=[], year=None)
    else:
        context["columns"] = shown.figures.funnel.columns
        context["sections"] = _equity_sections(scope, shown)
        context["year_end"] = equity.people_day(shown.figures.funnel.year)
        context["filed_at"] = shown.filed_at
    return render(request, "reporting/equity.html", context)


@login_required
def equity_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The equity view's year as CSV, exactly the counts the page shows ("*" where it hides
    one, so two downloads recover nothing the page does not show): one row per program (or
    statewide), table, row and race or ethnicity. The export is audited."""
    today = timezone.localdate()
    scope = _equity_scope(request, today)
    shown = _equity_shown(scope, scope.year, today) if scope.year is not None else None
    if scope.year is None or shown is None:
        return redirect("reporting:equity")  # which says there is no year to show yet
    year = scope.year
    columns = [*shown.figures.funnel.columns, ("total", _("Total"))]
    funnel_table = _("From referral to reunification, referrals received in %(year)s") % {
        "year": year
    }
    people_table = _("Who serves the families: on %(day)s") % {
        "day": format_when(equity.people_day(year), "date")
    }
    rows: list[list[Any]] = []
    for section in _equity_sections(scope, shown):
        for row in section["funnel"]:
            printed = [cell.shown for cell in row.cells] + [str(row.total)]
            rows += [
                [section["name"], funnel_table, row.label, label, value]
                for (_code, label), value in zip(columns, printed, strict=True)
            ]
        for label_row, counts in (
            (_("Parent Partners active"), section["partners"]),
            (_("Council members serving"), section["members"]),
        ):
            rows += [
                [section["name"], people_table, label_row, label, counts[code]]
                for code, label in columns
            ]
    if shown.filed_at is not None:
        rows.append(["", _("Filed"), _filed_sentence(shown.filed_at), "", ""])
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=None,
        object_repr=_("Equity CSV, %(year)s (%(count)s rows)") % {"year": year, "count": len(rows)},
        changes={"year": year, "suppressed": scope.statewide, "rows": len(rows)},
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        csv_safe([_("Program"), _("Table"), _("Row"), _("Race or ethnicity"), _("Count")])
    )
    for line in rows:
        writer.writerow(csv_safe(line))
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type=CONTENT_TYPES["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="equity-{year}.csv"'
    return response


def _filed_sentence(filed_at: datetime.datetime) -> str:
    return _("These figures were filed on %(day)s and are not counted again.") % {
        "day": format_when(filed_at, "date")
    }


# --- The state comparison extract ---------------------------------------------------------


@takes_a_large_file(COMPARISON_LARGEST_BODY)
@csrf_exempt  # checked by _comparison_page, once the upload handler is in place
@login_required
def comparison_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The state comparison extract (``reporting.comparison``): the upload form, the layout
    and the extracts uploaded before. State staff and administrators."""
    policy.require(request.user, "comparison.import")
    handler = LimitedUploadHandler(request, limit=COMPARISON_MAX_BYTES)
    if request.method == "POST":
        # First, so that no more than the limit of a file is ever kept. (A list until the
        # body is read; nothing has read it yet, the CSRF check included.)
        handlers = request.upload_handlers
        assert isinstance(handlers, list)
        handlers.insert(0, handler)
    return _comparison_page(request, handler)


@csrf_protect
def _comparison_page(
    request: AuthenticatedHttpRequest, handler: LimitedUploadHandler
) -> HttpResponse:
    form = ComparisonUploadForm()
    if request.method == "POST":
        form = ComparisonUploadForm(request.POST, request.FILES, too_large=handler.too_large)
        if form.is_valid():
            data = form.cleaned_data
            extract = comparison_services.comparison_extract_upload(
                actor=request.user,
                upload=data["file"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                data_as_of=data["data_as_of"],
                note=data["note"],
            )
            return redirect("reporting:comparison_detail", pk=extract.pk)
    extracts = policy.visible(request.user, ComparisonExtract).select_related("uploaded_by")
    context = {
        "form": form,
        "page": Paginator(extracts, PAGE_SIZE).get_page(request.GET.get("page")),
        "in_use": extracts.filter(status=ExtractStatus.IN_USE).first(),
        "max_rows": f"{COMPARISON_MAX_ROWS:,}",
    }
    return render(request, "reporting/comparison_list.html", context)


def _get_extract(request: AuthenticatedHttpRequest, pk: int) -> ComparisonExtract:
    queryset = ComparisonExtract.objects.select_related("uploaded_by")
    return policy.get_for_user(request.user, queryset, "comparison.import", pk=pk)


def _extract_context(extract: ComparisonExtract) -> dict[str, Any]:
    return {"extract": extract, "polling": extract.is_checking and not extract.is_stale}


@login_required
def comparison_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One extract: its check's progress, then its counts and problems, and the choice to use
    it or discard it. Never its rows."""
    extract = _get_extract(request, pk)
    return render(request, "reporting/comparison_detail.html", _extract_context(extract))


@login_required
def comparison_status(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The check's progress alone, which the extract's page asks for every 2 seconds."""
    extract = _get_extract(request, pk)
    return render(request, "reporting/comparison_detail_status.html", _extract_context(extract))


@login_required
@require_POST
def comparison_use(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    extract = _get_extract(request, pk)
    try:
        comparison_services.comparison_extract_use(actor=request.user, extract=extract)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("This extract is in use now, in place of any used before."))
    return redirect("reporting:comparison_detail", pk=extract.pk)


@login_required
@require_POST
def comparison_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    extract = _get_extract(request, pk)
    try:
        comparison_services.comparison_extract_discard(actor=request.user, extract=extract)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The extract is discarded: its rows are deleted."))
    return redirect("reporting:comparison_detail", pk=extract.pk)


# --- Outcomes against a matched comparison group ----------------------------------------------


def _outcomes_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The extract in use, the comparisons the user may see, and the one chosen (the
    ``county`` asked for; statewide for state staff, the first county otherwise)."""
    user = request.user
    extract = ComparisonExtract.objects.filter(status=ExtractStatus.IN_USE).first()
    comparisons = (
        [
            one
            for one in OutcomeComparison.objects.filter(extract=extract)
            if policy.can(user, "outcomes.view", one.county)
        ]
        if extract is not None
        else []
    )
    asked = request.GET.get("county")
    chosen = next((one for one in comparisons if one.county == asked), None)
    if chosen is None and comparisons:
        chosen = comparisons[0]  # statewide ("") sorts first
    statewide_reader = user.is_state_staff or user.is_administrator
    context: dict[str, Any] = {
        "extract": extract,
        "choices": [(one.county, one.county or _("Statewide")) for one in comparisons],
        "chosen": chosen,
        "polling": chosen is not None
        and chosen.status in (OutcomeStatus.WAITING, OutcomeStatus.RUNNING),
        "too_few_to_show": statewide_reader
        and chosen is not None
        and chosen.county != outcomes.STATEWIDE
        and chosen.served < outcomes.SMALLEST_SHOWN,
        "smallest_shown": outcomes.SMALLEST_SHOWN,
        "least_pairs": matching.MIN_PAIRS,
        "balance_bar": matching.BALANCE_BAR,
        "can_import": policy.can(user, "comparison.import", None),
    }
    if chosen is not None and chosen.status == OutcomeStatus.DONE and chosen.result:
        evaluation = matching.Evaluation.from_json(chosen.result)
        context["evaluation"] = evaluation
        context["outcome_rows"] = outcomes.outcome_rows(evaluation)
        context["naive"] = outcomes.naive_summary(context["outcome_rows"])
        context["left_out"] = outcomes.left_out_label(chosen.left_out)
        context["balance_rows"] = outcomes.balance_rows(evaluation)
    return context


@login_required
def outcomes_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Do children of served families do better than similar children who were not served?
    (``reporting.outcomes``): statewide and per county for state staff, their own counties
    for a Program Coordinator."""
    policy.require(request.user, "outcomes.view")
    asked = request.GET.get("county")
    if asked is not None and not policy.can(request.user, "outcomes.view", asked):
        raise Http404
    return render(request, "reporting/outcomes.html", _outcomes_context(request))


@login_required
def outcomes_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The comparison's progress, for the page to poll while it is made."""
    policy.require(request.user, "outcomes.view")
    context = _outcomes_context(request)
    response = render(request, "reporting/outcomes_status.html", context)
    if not context["polling"]:
        response["HX-Refresh"] = "true"  # compared: the whole page, with the results
    return response
