"""The data-quality panel: what is missing from a program's records for a quarter, before the
quarter's report is made and the quarter closed.

Each check is one query whatever the number of rows, and is stated in ``Check.definition``
in the words the page prints. A check lists what is wrong *now* (fixing a record takes it off
the list), about the quarter asked for:

- ``closed_without_outcome``: cases closed in the quarter with no outcome recorded.
- ``in_care_after_closing``: stays in care still open (no date the child left care) for a
  child whose family's case closed in the quarter and who has no open case since. The
  database refuses a stay that ended without a reason, so this is the gap that remains.
- ``contacts_waiting``: contacts of the quarter still waiting for a coordinator's review.
- ``undecided_referrals``: referrals still received or being screened more than
  ``PSP_DECISION_DAYS`` days after they arrived, counted at the quarter's last day (or today,
  for the quarter under way).
- ``no_intake_survey`` and ``no_closure_survey``: cases opened (closed) in the quarter without
  the parent's survey at intake (at closure).
- ``race_not_recorded``: families served in the quarter (a contact in the quarter, as the
  report counts them) whose first recorded parent has no race or ethnicity recorded (blank:
  not asked yet), or who have no parent on record: the report's race and ethnicity table counts
  them as "Not recorded". "Prefer not to say" is the parent's answer, so it is not missing.

``counts`` gives every check's count in one query (aggregates only, for state staff and the
dashboard); ``panel`` gives each check's first ``PAGE_SIZE`` rows read through the user's
scope, with its count from the same query, and ``check_page`` one check's full list a page at
a time.

What a check reads grows with the quarter, never with the program's history: each starts from
an index of the quarter's records (or of the few records still wrong, as the families whose
race is not recorded), and a coordinator's scope is applied through the cases' scope (the
program's cases), not through the families' (every referral of the program).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mentoring.models import Activity, Case, CaseStatus, ReviewStatus, SurveyResponse, SurveyTiming
from psp import policy
from psp.dates import format_when
from psp.models import Program, User
from referrals.models import Child, Family, Parent, Referral, RemovalEpisode, Status
from reporting.quarters import Quarter

UNDECIDED = [Status.RECEIVED, Status.SCREENING]

# The rows a check lists on the panel, and a page of its full list.
PAGE_SIZE = 25


def decision_days() -> int:
    return int(getattr(settings, "PSP_DECISION_DAYS", 14))


@dataclass(frozen=True)
class Scope:
    """What the checks are about: a program, a quarter, and the day the quarter is seen from
    (its last day, or today while it is under way)."""

    program: Program
    quarter: Quarter
    today: datetime.date

    @property
    def as_of(self) -> datetime.date:
        return min(self.quarter.end, self.today)

    @property
    def decision_cutoff(self) -> datetime.date:
        """Referrals received before this day have waited more than the allowed days."""
        return self.as_of - datetime.timedelta(days=decision_days())


@dataclass(frozen=True)
class Row:
    number: str  # the referral number that names the family
    missing: str
    fix_url: str
    fix_label: str


@dataclass
class Check:
    key: str
    title: str
    definition: str
    count: int
    rows: list[Row] = field(default_factory=list)

    @property
    def more(self) -> int:
        """How many records the check finds beyond the rows shown."""
        return max(self.count - len(self.rows), 0) if self.rows else 0


# --- The records each check finds ----------------------------------------------------------

Source = Callable[[Any], QuerySet[Any]]  # a model -> its queryset (scoped or not)


def _in_quarter(name: str, quarter: Quarter) -> Q:
    return Q(**{f"{name}__gte": quarter.start, f"{name}__lte": quarter.end})


def _cases_closed(source: Source, scope: Scope) -> QuerySet[Case]:
    return source(Case).filter(
        _in_quarter("closed_on", scope.quarter), program=scope.program, status=CaseStatus.CLOSED
    )


def closed_without_outcome(source: Source, scope: Scope) -> QuerySet[Case]:
    return _cases_closed(source, scope).filter(closure_outcome="")


def in_care_after_closing(source: Source, scope: Scope) -> QuerySet[RemovalEpisode]:
    closed_in_quarter = Case.objects.filter(
        _in_quarter("closed_on", scope.quarter), program=scope.program, status=CaseStatus.CLOSED
    )
    closed = closed_in_quarter.filter(
        family=OuterRef("child__family"), closed_on__gte=OuterRef("removed_on")
    )
    still_open = Case.objects.filter(family=OuterRef("child__family"), status=CaseStatus.OPEN)
    # Read from the quarter's closed cases the user may see (the cases' own scope: a
    # coordinator's is the program's cases, a range of the closed-cases index): their
    # families' children, then those children's stays, instead of every stay still open in
    # the program's history. Not through the stays' scope, which goes through every family,
    # and so every referral, of the program.
    return (
        RemovalEpisode.objects.filter(
            child__family__in=_cases_closed(source, scope).values("family_id"),
            discharged_on__isnull=True,
        )
        .filter(Exists(closed))
        .exclude(Exists(still_open))
        .annotate(
            closed_number=Subquery(
                closed.order_by("-closed_on", "-pk").values("referral__number")[:1]
            )
        )
    )


def contacts_waiting(source: Source, scope: Scope) -> QuerySet[Activity]:
    return source(Activity).filter(
        _in_quarter("occurred_on", scope.quarter),
        program=scope.program,
        review_status=ReviewStatus.WAITING,
    )


def undecided_referrals(source: Source, scope: Scope) -> QuerySet[Referral]:
    return source(Referral).filter(
        program=scope.program, status__in=UNDECIDED, received_on__lt=scope.decision_cutoff
    )


def _without_survey(cases: QuerySet[Case], timing: str) -> QuerySet[Case]:
    answered = SurveyResponse.objects.filter(case=OuterRef("pk"), timing=timing)
    return cases.exclude(Exists(answered))


def no_intake_survey(source: Source, scope: Scope) -> QuerySet[Case]:
    opened = source(Case).filter(
        _in_quarter("opened_on", scope.quarter), program=scope.program, opened_on__lte=scope.as_of
    )
    return _without_survey(opened, SurveyTiming.INTAKE)


def no_closure_survey(source: Source, scope: Scope) -> QuerySet[Case]:
    return _without_survey(_cases_closed(source, scope), SurveyTiming.CLOSURE)


def race_not_recorded(source: Source, scope: Scope) -> QuerySet[Family]:
    # Families whose race is not recorded are few, and the database keeps which they are
    # (``Family.race_not_recorded``, with a partial index): start from them, then keep those
    # served in the quarter, through the scope of the cases served (a coordinator's is the
    # program's cases), instead of every family of the program and its parents.
    contact = Activity.objects.filter(
        _in_quarter("occurred_on", scope.quarter), program=scope.program, case=OuterRef("pk")
    )
    served = Case.objects.filter(family=OuterRef("pk")).filter(Exists(contact))
    first_parent = Parent.objects.filter(family=OuterRef("pk")).order_by("id")
    latest_referral = Referral.objects.filter(family=OuterRef("pk")).order_by("-received_on", "-pk")
    return (
        source(Family)
        .filter(program=scope.program, race_not_recorded=True)
        .filter(Exists(served))
        .annotate(
            parent_id=Subquery(first_parent.values("pk")[:1]),
            number=Subquery(latest_referral.values("number")[:1]),
        )
    )


FINDERS: dict[str, Callable[[Source, Scope], QuerySet[Any]]] = {
    "closed_without_outcome": closed_without_outcome,
    "in_care_after_closing": in_care_after_closing,
    "contacts_waiting": contacts_waiting,
    "undecided_referrals": undecided_referrals,
    "no_intake_survey": no_intake_survey,
    "no_closure_survey": no_closure_survey,
    "race_not_recorded": race_not_recorded,
}

TITLES: dict[str, Promise] = {
    "closed_without_outcome": gettext_lazy("Closed cases without an outcome"),
    "in_care_after_closing": gettext_lazy("Children still in care after their case closed"),
    "contacts_waiting": gettext_lazy("Contacts waiting for review"),
    "undecided_referrals": gettext_lazy("Referrals without a decision"),
    "no_intake_survey": gettext_lazy("New cases without an intake survey"),
    "no_closure_survey": gettext_lazy("Closed cases without a closing survey"),
    "race_not_recorded": gettext_lazy("Families without race or ethnicity"),
}


def definitions(scope: Scope) -> dict[str, str]:
    """Each check in plain words, with the quarter's dates filled in."""
    values = {
        "start": format_when(scope.quarter.start, "date"),
        "end": format_when(scope.quarter.end, "date"),
        "as_of": format_when(scope.as_of, "date"),
        "days": decision_days(),
    }
    return {
        "closed_without_outcome": _(
            "Cases closed from %(start)s to %(end)s with no outcome recorded."
        )
        % values,
        "in_care_after_closing": _(
            "Children whose family's case closed from %(start)s to %(end)s and who still have "
            "a stay in care with no date they left care, while the family has no open case. "
            "Record the day the child left care and why, or check that the case should be "
            "closed."
        )
        % values,
        "contacts_waiting": _(
            "Contacts dated from %(start)s to %(end)s that are still waiting for a "
            "coordinator to review them. Contacts sent back to the Parent Partner are not "
            "counted."
        )
        % values,
        "undecided_referrals": _(
            "Referrals that are still received or being screened more than %(days)s days "
            "after they arrived, counted on %(as_of)s."
        )
        % values,
        "no_intake_survey": _(
            "Cases opened from %(start)s to %(end)s with no parent survey at intake."
        )
        % values,
        "no_closure_survey": _(
            "Cases closed from %(start)s to %(end)s with no parent survey at closure."
        )
        % values,
        "race_not_recorded": _(
            "Families served from %(start)s to %(end)s (a contact in those dates) whose first "
            "recorded parent has no race or ethnicity recorded yet. The report counts these "
            "families as “Not recorded”. Ask the parent and record the answer; “Prefer not to "
            "say” is an answer too, and is not listed here."
        )
        % values,
    }


# --- The counts, in one query ---------------------------------------------------------------


def _count(queryset: QuerySet[Any]) -> Any:
    rows = queryset.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _unscoped(model: Any) -> QuerySet[Any]:
    return model.objects.all()


def counts(scope: Scope, keys: Iterable[str] = FINDERS) -> dict[str, int]:
    """The checks' counts for ``scope`` (1 query): aggregates, no family named."""
    keys = list(keys)
    row = (
        Program.objects.filter(pk=scope.program.pk)
        .annotate(**{key: _count(FINDERS[key](_unscoped, scope)) for key in keys})
        .values(*keys)
        .first()
    )
    return {key: int(row[key]) if row else 0 for key in keys}


def total(scope: Scope) -> int:
    return sum(counts(scope).values())


# --- The rows, for the program's coordinators -----------------------------------------------


def _date(day: datetime.date | None) -> str:
    return format_when(day, "date") if day else ""


# A record's fields, in the check's order, and the row that shows them.
Records = tuple[QuerySet[Any], Callable[..., Row]]


def _case_number(queryset: QuerySet[Any], case: str = "pk") -> QuerySet[Any]:
    """``queryset`` with the number of each record's case's referral, looked up for the rows
    shown only, not joined to every record found before the page is taken."""
    number = Referral.objects.filter(case=OuterRef(case)).order_by().values("number")[:1]
    return queryset.annotate(case_number=Subquery(number))


def _records(key: str, queryset: QuerySet[Any], *extra: str) -> Records:
    """The records ``queryset`` finds as values in the check's order (with the ``extra``
    fields after the row's own), and how to make a row of one record's values."""
    if key == "closed_without_outcome":

        def closed(pk: int, number: str, day: datetime.date) -> Row:
            return Row(
                number=number,
                missing=_("Closed %(day)s with no outcome") % {"day": _date(day)},
                fix_url=reverse("mentoring:case_edit", args=[pk]),
                fix_label=_("Give the outcome"),
            )

        fields: tuple[str, ...] = ("pk", "case_number", "closed_on")
        ordered = _case_number(queryset).order_by("closed_on", "pk")
        return ordered.values_list(*fields, *extra), closed
    if key == "in_care_after_closing":
        # The child's name looked up for the rows shown only: the stays are found from the
        # children's index alone (their family and id), without reading each child's row.
        name = Child.objects.filter(pk=OuterRef("child_id")).order_by().values("first_name")[:1]

        def in_care(pk: int, number: str | None, child: str, day: datetime.date) -> Row:
            return Row(
                number=number or "",
                missing=_("%(child)s: in care since %(day)s, no date they left care")
                % {"child": child, "day": _date(day)},
                fix_url=reverse("referrals:episode_edit", args=[pk]),
                fix_label=_("Record when the child left care"),
            )

        fields = ("pk", "closed_number", "child_name", "removed_on")
        ordered = queryset.annotate(child_name=Subquery(name)).order_by("removed_on", "pk")
        return ordered.values_list(*fields, *extra), in_care
    if key == "contacts_waiting":

        def waiting(pk: int, number: str, day: datetime.date) -> Row:
            return Row(
                number=number,
                missing=_("Contact on %(day)s waiting for review") % {"day": _date(day)},
                fix_url=f"{reverse('mentoring:review_queue')}#activity-{pk}",
                fix_label=_("Review it in the queue"),
            )

        fields = ("pk", "case_number", "occurred_on")
        ordered = _case_number(queryset, "case_id").order_by("occurred_on", "pk")
        return ordered.values_list(*fields, *extra), waiting
    if key == "undecided_referrals":
        labels = dict(Status.choices)

        def undecided(pk: int, number: str, day: datetime.date, status: str) -> Row:
            return Row(
                number=number,
                missing=_("Received %(day)s, still %(status)s")
                % {"day": _date(day), "status": str(labels[status]).lower()},
                fix_url=reverse("referrals:detail", args=[pk]),
                fix_label=_("Decide on the referral"),
            )

        fields = ("pk", "number", "received_on", "status")
        return queryset.order_by("received_on", "pk").values_list(*fields, *extra), undecided
    if key in ("no_intake_survey", "no_closure_survey"):
        timing = SurveyTiming.INTAKE if key == "no_intake_survey" else SurveyTiming.CLOSURE
        day_field = "opened_on" if timing == SurveyTiming.INTAKE else "closed_on"
        missing = (
            _("Opened %(day)s, no intake survey")
            if timing == SurveyTiming.INTAKE
            else _("Closed %(day)s, no closing survey")
        )

        def no_survey(pk: int, number: str, day: datetime.date) -> Row:
            return Row(
                number=number,
                missing=missing % {"day": _date(day)},
                fix_url=reverse("mentoring:survey", args=[pk, timing]),
                fix_label=_("Enter the survey"),
            )

        fields = ("pk", "case_number", day_field)
        ordered = _case_number(queryset).order_by(day_field, "pk")
        return ordered.values_list(*fields, *extra), no_survey

    # race_not_recorded
    def race(parent_id: int | None, number: str | None) -> Row:
        return Row(
            number=number or "",
            missing=_("No race or ethnicity for the first parent")
            if parent_id
            else _("No parent on record"),
            fix_url=reverse("referrals:parent_edit", args=[parent_id])
            if parent_id
            else reverse("referrals:list"),
            fix_label=_("Edit the parent") if parent_id else _("Find the referral"),
        )

    fields = ("parent_id", "number")
    return queryset.order_by("number", "pk").values_list(*fields, *extra), race


def _rows(key: str, queryset: QuerySet[Any], start: int, stop: int) -> list[Row]:
    """The rows ``start`` to ``stop`` of the records ``queryset`` finds, in the check's order."""
    records, make = _records(key, queryset)
    return [make(*values) for values in records[start:stop]]


def _counted_rows(
    key: str, queryset: QuerySet[Any], start: int, stop: int
) -> tuple[list[Row], int | None]:
    """``_rows``, and how many records ``queryset`` finds in all, in the same query (a window
    count over the records found before the page is taken): the records are found once, not
    once to count them and again for the page. The count is None when the page is past the
    last record (no row to carry it), 0 when there is none at all."""
    counted = queryset.annotate(matching=Window(Count("*")))
    records, make = _records(key, counted, "matching")
    found = list(records[start:stop])
    if not found:
        return [], 0 if start == 0 else None
    return [make(*values[:-1]) for values in found], int(found[0][-1])


def panel(user: User, scope: Scope, *, with_rows: bool) -> list[Check]:
    """Every check for ``scope``, with its count and, for ``with_rows``, its first
    ``PAGE_SIZE`` rows read through ``user``'s scope: the counts in one query, or with rows
    one query per check, which counts the records it finds as it lists the first."""
    texts = definitions(scope)
    if not with_rows:
        numbers = counts(scope)
        return [
            Check(key=key, title=str(TITLES[key]), definition=texts[key], count=numbers[key])
            for key in FINDERS
        ]
    # Counted through the user's scope: those who may see the rows (the program's
    # coordinators, administrators) see every record of the program, so the counts are the
    # program's, as state staff see them.
    source = _scoped_to(user)
    checks = []
    for key, find in FINDERS.items():
        rows, count = _counted_rows(key, find(source, scope), 0, PAGE_SIZE)
        checks.append(
            Check(
                key=key,
                title=str(TITLES[key]),
                definition=texts[key],
                count=count or 0,
                rows=rows,
            )
        )
    return checks


class _CheckRows(Sequence[Row]):
    """One check's rows as a sequence a ``Paginator`` reads a page at a time, its length
    counted beforehand, and the page already read (from its first row) kept."""

    def __init__(
        self, key: str, queryset: QuerySet[Any], count: int, read: dict[int, list[Row]]
    ) -> None:
        self.key, self.queryset, self.total, self.read = key, queryset, count, read

    def __len__(self) -> int:
        return self.total

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            start, stop = index.start or 0, index.stop or self.total
            if start in self.read and len(self.read[start]) >= stop - start:
                return self.read[start][: stop - start]
            return _rows(self.key, self.queryset, start, stop)
        return _rows(self.key, self.queryset, index, index + 1)[0]


def _page_asked(page_number: str | None) -> int:
    try:
        return max(int(page_number or 1), 1)
    except ValueError:
        return 1


def check_page(
    user: User, scope: Scope, key: str, page_number: str | None
) -> tuple[Check, Page[Row]]:
    """Every record of one check, ``PAGE_SIZE`` a page, read through ``user``'s scope: the
    page asked for and the count in one query, or, past the last page, the count (one query)
    and the last page (one query)."""
    source = _scoped_to(user)
    queryset = FINDERS[key](source, scope)
    start = (_page_asked(page_number) - 1) * PAGE_SIZE
    rows, count = _counted_rows(key, queryset, start, start + PAGE_SIZE)
    if count is None:
        count = counts(scope, keys=[key])[key]
    read = {start: rows} if rows else {}
    page = Paginator(_CheckRows(key, queryset, count, read), PAGE_SIZE).get_page(page_number)
    check = Check(
        key=key,
        title=str(TITLES[key]),
        definition=definitions(scope)[key],
        count=count,
        rows=list(page.object_list),
    )
    return check, page


def _scoped_to(user: User) -> Source:
    def scoped(model: Any) -> QuerySet[Any]:
        return policy.visible(user, model)

    return scoped
