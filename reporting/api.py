"""reporting's JSON API: a quarter's figures (a program's or statewide) and the stored reports.

The figures are the quarterly report's own: ``figures_for`` makes the report the caller would
get for that program (or statewide) and quarter, unsaved, and reads it through the same code
as its CSV (``documents.report_data`` then ``documents.csv_rows``): the filed numbers when the
quarter is closed, the same small race and ethnicity counts hidden (``reporting.suppression``,
chosen once for the whole quarter), the same table left out while the statewide quarter is
open. The API adds no figure the files do not print, so putting its answers side by side
tells a reader nothing the downloads do not.

Who may read what is the report pages' rules (``reporting/rules.py``): the reports' readers
(state staff, a program's coordinators) or 403; state staff every program and statewide,
with small counts hidden; a program's coordinators their own program, every count shown, as
in the report they ask for themselves; another program answers 404.
"""

from __future__ import annotations

import re
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from psp import policy
from psp.api import Pagination
from psp.api_views import problem
from psp.models import Program, User
from reporting import documents, filing, metrics, selectors, suppression
from reporting.models import Report, figure_label
from reporting.quarters import Quarter
from reporting.services import shows_small_counts

STATEWIDE = "statewide"
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$", re.IGNORECASE)
# The CSV's first section describes the report; the API gives it as the answer's own fields.
ABOUT = "report"
# The sections whose cells may be hidden (``*`` in the files).
RACE_SECTIONS = frozenset({"race_ethnicity", "race_ethnicity_by_program"})


def quarter_text(quarter: Quarter) -> str:
    """``2026-Q3``: how a quarter is written in the API's paths and answers."""
    return f"{quarter.year}-Q{quarter.number}"


def parse_quarter(text: str, *, field: str = "quarter") -> Quarter:
    """The quarter written ``2026-Q3``, one that has ended; a 400 naming ``field`` if not."""
    match = _QUARTER.match(text.strip())
    if not match or not 2000 <= int(match[1]) <= 2100:
        raise exceptions.ValidationError(
            {field: [_("Write the quarter as year, “-Q” and its number, like 2026-Q3.")]}
        )
    quarter = Quarter(int(match[1]), int(match[2]))
    last = Quarter.last_completed(timezone.localdate())
    if quarter > last:
        raise exceptions.ValidationError(
            {
                field: [
                    _("%(quarter)s has not ended yet. The last quarter that has ended is "
                      "%(last)s.") % {"quarter": quarter_text(quarter), "last": quarter_text(last)}
                ]
            }
        )  # fmt: skip
    return quarter


def _require_reader(user: User) -> None:
    """The reports' readers only (state staff, programs' coordinators): 403 for the rest."""
    policy.require(user, "report.list")


# --- The figures ----------------------------------------------------------------------------


def report_for(user: User, program: Program | None, quarter: Quarter | None) -> Report:
    """The report (unsaved) ``user`` would get for ``program`` (None: statewide) and
    ``quarter``: small counts hidden unless they are its own coordinators
    (``services.shows_small_counts``, as ``services.report_request`` decides), made from the
    filed numbers when the quarter is closed. ``quarter`` None: any, to ask who may read it."""
    suppressed = not shows_small_counts(user, program)
    if quarter is None:
        return Report(program=program, suppressed=suppressed)
    filed = filing.filing_for(program, quarter)
    return Report(
        program=program,
        year=quarter.year,
        quarter=quarter.number,
        suppressed=suppressed,
        filing=filed if filed is not None and filed.is_filed else None,
    )


def _value(section: str, value: Any) -> tuple[Any, bool]:
    """A CSV cell as JSON, and whether it is hidden: numbers as numbers, an empty cell (no
    value: a median of nothing) as null, a hidden count as null."""
    if section in RACE_SECTIONS and isinstance(value, str):
        if value == suppression.HIDDEN:
            return None, True
        if value.isdigit():
            return int(value), False
    if value == "":
        return None, False
    return value, False


def figures_for(report: Report) -> dict[str, Any]:
    """``report``'s figures as its CSV prints them, with what was hidden and why."""
    data = documents.report_data(report)
    rows = documents.csv_rows(report, data)
    about = {metric: value for section, metric, value in rows if section == ABOUT}
    figures = []
    hidden = []
    for section, metric, raw in rows:
        if section == ABOUT:
            continue
        value, is_hidden = _value(section, raw)
        if is_hidden:
            hidden.append(f"{section}.{metric}")
        figures.append(
            {
                "section": section,
                "metric": metric,
                "label": figure_label(section, metric),
                "value": value,
                "suppressed": is_hidden,
            }
        )
    titles = documents.DEFINITION_TITLES
    sources = metrics.definition_sources()
    return {
        "program": report.program,
        "quarter": quarter_text(report.period),
        "start": report.period.start,
        "end": report.period.end,
        "status": about["status"],
        "closed_at": about["closed_at"] or None,
        "time_zone": about["time_zone"],
        "small_counts_suppressed": report.suppressed,
        "threshold": metrics.small_count_threshold(),
        "race_ethnicity_withheld": bool(data["race_withheld"]),
        "suppressed": hidden,
        "figures": figures,
        "definitions": [
            {"key": key, "title": str(titles.get(key, key)), "text": text, "source": sources[key]}
            for key, text in metrics.definitions().items()
        ],
    }


@extend_schema_field(
    {"type": ["number", "string", "null"], "description": "A number, a word, or null."}
)
class FigureValueField(serializers.Field[Any, Any, Any, Any]):
    def to_representation(self, value: Any) -> Any:
        return value


class FigureSerializer(serializers.Serializer[Any]):
    section = serializers.CharField()
    metric = serializers.CharField()
    # A serializer is a field too, whose ``label`` and ``source`` these shadow (the metaclass
    # takes them out of the class: only the stubs see a clash).
    label = serializers.CharField()  # type: ignore[assignment]
    value = FigureValueField(
        help_text="As the report's CSV prints it: a number, a word (yes, no, a date) or null "
        "(no value, or hidden)."
    )
    suppressed = serializers.BooleanField(
        help_text="Hidden because it is a small count, or could reveal one."
    )


class DefinitionSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    title = serializers.CharField()
    text = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]


class ProgramRefSerializer(serializers.Serializer[Any]):
    slug = serializers.SlugField()
    name = serializers.CharField()


class FiguresSerializer(serializers.Serializer[Any]):
    program = ProgramRefSerializer(allow_null=True, help_text="Null: statewide.")
    quarter = serializers.CharField(help_text="Like 2026-Q3.")
    start = serializers.DateField()
    end = serializers.DateField()
    status = serializers.ChoiceField(
        choices=["filed", "draft"],
        help_text="filed: the quarter is closed and these are its filed numbers; draft: "
        "counted from the records as they are now.",
    )
    closed_at = serializers.CharField(allow_null=True)
    time_zone = serializers.CharField()
    small_counts_suppressed = serializers.BooleanField()
    threshold = serializers.IntegerField(
        help_text="Counts from 1 to one less than this are hidden when small counts are "
        "suppressed, and other cells with them so that they cannot be worked out."
    )
    race_ethnicity_withheld = serializers.BooleanField(
        help_text="The race and ethnicity counts are left out until every program has "
        "closed the quarter."
    )
    suppressed = serializers.ListField(
        child=serializers.CharField(), help_text="The hidden figures, as section.metric."
    )
    figures = FigureSerializer(many=True)
    definitions = DefinitionSerializer(many=True)


def _require_scope(user: User, program: Program | None) -> None:
    """May ``user`` read the report they would get for ``program`` (None: statewide)? As on
    the report pages: the statewide one is for state staff (403 for the rest), a program's
    is for state staff and its coordinators (404 for the rest: not even its existence)."""
    if policy.can(user, "report.view", report_for(user, program, quarter=None)):
        return
    if program is None:
        raise exceptions.PermissionDenied()
    raise Http404


def _figures_response(user: User, program: Program | None, quarter_path: str) -> Response:
    _require_reader(user)
    _require_scope(user, program)
    quarter = parse_quarter(quarter_path)
    return Response(FiguresSerializer(figures_for(report_for(user, program, quarter))).data)


FIGURE_ERRORS = {
    400: problem("The quarter is not written like 2026-Q3, or has not ended yet."),
    401: problem("Not signed in."),
    403: problem("The caller does not read quarterly reports (or the statewide ones)."),
}


@extend_schema(
    operation_id="figures_statewide",
    responses={200: FiguresSerializer, **FIGURE_ERRORS},
)
@api_view(["GET"])
def figures(request: Request, quarter: str) -> Response:
    """Statewide figures of a quarter that has ended, exactly as the statewide quarterly
    report prints them (state staff)."""
    return _figures_response(request.user, None, quarter)  # type: ignore[arg-type]


@extend_schema(
    operation_id="figures_program",
    responses={
        200: FiguresSerializer,
        **FIGURE_ERRORS,
        404: problem("No such program, or not one the caller may see."),
    },
)
@api_view(["GET"])
def program_figures(request: Request, quarter: str, program: str) -> Response:
    """One program's figures of a quarter that has ended, exactly as the report the caller
    would get prints them."""
    user: User = request.user  # type: ignore[assignment]
    _require_reader(user)
    chosen = get_object_or_404(policy.visible(user, Program), slug=program)
    return _figures_response(user, chosen, quarter)


# --- The stored reports ---------------------------------------------------------------------


class ReportSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    program = ProgramRefSerializer(allow_null=True, help_text="Null: statewide.")
    quarter = serializers.CharField(help_text="Like 2026-Q3.")
    language = serializers.CharField()
    status = serializers.CharField()
    small_counts_suppressed = serializers.BooleanField()
    filed = serializers.BooleanField(help_text="Made from the closed quarter's filed numbers.")
    withdrawn = serializers.BooleanField()
    created = serializers.DateTimeField()
    finished = serializers.DateTimeField(allow_null=True)
    pdf_sha256 = serializers.CharField()
    csv_sha256 = serializers.CharField()
    pdf_url = serializers.URLField(allow_null=True, help_text="Null until the report is ready.")
    csv_url = serializers.URLField(allow_null=True, help_text="Null until the report is ready.")


class ReportPageSerializer(serializers.Serializer[Any]):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ReportSerializer(many=True)


def _report_row(request: Request, report: Report) -> dict[str, Any]:
    ready = report.is_ready

    def link(kind: str) -> str | None:
        if not ready:
            return None
        return request.build_absolute_uri(reverse(f"reporting:{kind}", args=[report.pk]))

    return {
        "id": report.pk,
        "program": report.program,
        "quarter": quarter_text(report.period),
        "language": report.language,
        "status": report.status,
        "small_counts_suppressed": report.suppressed,
        "filed": report.filing_id is not None,
        "withdrawn": bool(report.withdrawn_because),
        "created": report.created_at,
        "finished": report.finished_at,
        "pdf_sha256": report.pdf_sha256,
        "csv_sha256": report.csv_sha256,
        "pdf_url": link("pdf"),
        "csv_url": link("csv"),
    }


@extend_schema(
    operation_id="reports_list",
    parameters=[
        OpenApiParameter("quarter", OpenApiTypes.STR, description="Only this quarter: 2026-Q3."),
        OpenApiParameter(
            "program", OpenApiTypes.STR, description="Only this program (its slug) or statewide."
        ),
        OpenApiParameter("page", OpenApiTypes.INT),
        OpenApiParameter("page_size", OpenApiTypes.INT),
    ],
    responses={
        200: ReportPageSerializer,
        400: problem("The quarter is not written like 2026-Q3."),
        401: problem("Not signed in."),
        403: problem("The caller does not read quarterly reports."),
    },
)
@api_view(["GET"])
def reports(request: Request) -> Response:
    """The stored quarterly reports the caller may read, newest first, with their files'
    checksums and download links."""
    user: User = request.user  # type: ignore[assignment]
    _require_reader(user)
    shown = selectors.reports_for_user(user)
    quarter = request.query_params.get("quarter")
    if quarter:
        match = _QUARTER.match(quarter.strip())
        if not match:
            raise exceptions.ValidationError(
                {"quarter": [_("Write the quarter as year, “-Q” and its number, like 2026-Q3.")]}
            )
        shown = shown.filter(year=int(match[1]), quarter=int(match[2]))
    program = request.query_params.get("program")
    if program == STATEWIDE:
        shown = shown.filter(program__isnull=True)
    elif program:
        shown = shown.filter(program__slug=program)
    page = Pagination()
    rows = page.paginate_queryset(shown, request)
    return page.get_paginated_response(
        ReportSerializer([_report_row(request, report) for report in rows or []], many=True).data
    )


@extend_schema(
    operation_id="report_retrieve",
    responses={
        200: ReportSerializer,
        401: problem("Not signed in."),
        403: problem("The caller does not read quarterly reports."),
        404: problem("No such report, or not one the caller may read."),
    },
)
@api_view(["GET"])
def report(request: Request, pk: int) -> Response:
    """One stored quarterly report: its progress, checksums and download links."""
    user: User = request.user  # type: ignore[assignment]
    _require_reader(user)
    queryset = Report.objects.select_related("program")
    found = policy.get_for_user(user, queryset, "report.view", pk=pk)
    return Response(ReportSerializer(_report_row(request, found)).data)
