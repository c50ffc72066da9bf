"""Stored quarterly reports: one row per request, with its progress and its two files.

A ``Report`` is made by ``reporting.services.report_request`` and filled in by the Celery task
``reporting.tasks.generate_report``; the row is never edited by hand. ``program`` is None for
the statewide report. ``suppressed`` says whether small race/ethnicity counts are hidden in
the files: always for the statewide report and for every report state staff may read, never
for a report a program's own coordinator asks for (see ``services.report_request`` and the
reporting rules in ``psp.policy``).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psp.dates import format_when
from psp.models import Program
from referrals.models import DischargeReason, OutOfHomeCareType, RaceEthnicity
from reporting.quarters import Quarter

# A report still queued or running after this long has been lost (a worker killed mid-way):
# the page stops waiting for it and offers to try again.
STALE_AFTER = datetime.timedelta(minutes=30)
# A report queued this long is waiting for the report service rather than a free worker.
WAITING_LONG_AFTER = datetime.timedelta(minutes=2)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class ReportStep(models.TextChoices):
    """What the task is doing now; shown beside the progress bar."""

    WAITING = "", _("Waiting for a free worker")
    METRICS = "metrics", _("Counting the quarter's numbers")
    CHARTS = "charts", _("Drawing the charts")
    PDF = "pdf", _("Laying out the PDF")
    CSV = "csv", _("Writing the CSV file")
    SAVING = "saving", _("Saving the files")
    DONE = "done", _("Finished")


QUARTER_CHOICES = [
    (1, pgettext_lazy("quarter of the year", "Q1")),
    (2, pgettext_lazy("quarter of the year", "Q2")),
    (3, pgettext_lazy("quarter of the year", "Q3")),
    (4, pgettext_lazy("quarter of the year", "Q4")),
]


class Report(models.Model):
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("program"),
        help_text=_("Empty for the statewide report."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    suppressed = models.BooleanField(
        _("small counts hidden"),
        default=True,
        help_text=_(
            "Small race and ethnicity counts (below the PSP_SMALL_COUNT_THRESHOLD setting) are "
            "hidden, so state staff may read it."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(_("step"), max_length=20, choices=ReportStep.choices, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
        help_text=_("Empty when the scheduler made it after the quarter ended."),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/%Y/", blank=True)
    csv = models.FileField(_("CSV"), upload_to="reports/%Y/", blank=True)
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, blank=True)
    csv_sha256 = models.CharField(_("CSV SHA-256"), max_length=64, blank=True)
    error = models.TextField(_("error"), blank=True)
    filing = models.ForeignKey(
        "QuarterClose",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("filed quarter"),
        help_text=_("Set when the quarter was closed: the report is made from the filed numbers."),
    )
    withdrawn_because = models.TextField(
        _("withdrawn because"),
        blank=True,
        help_text=_("A withdrawn report's files are kept but nobody downloads them."),
    )
    # No choices: the languages are settings.LANGUAGES, which may grow without a migration.
    language = models.CharField(
        _("language"),
        max_length=10,
        default="en",
        help_text=_("The language the PDF is written in (one of the site's languages)."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        indexes = [models.Index(fields=["program", "year", "quarter"], name="report_period")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="report_quarter_1_to_4"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="report_progress_at_most_100"
            ),
            models.CheckConstraint(
                condition=models.Q(year__gte=2000, year__lte=2100), name="report_year_2000_to_2100"
            ),
        ]

    # Set (not stored) when the request could not reach the report service; the page says so.
    waiting_for_service = False

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period.label}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def scope_label(self) -> str:
        return self.program.name if self.program_id and self.program else str(_("Statewide"))

    @property
    def is_finished(self) -> bool:
        return self.status in (ReportStatus.DONE, ReportStatus.FAILED)

    @property
    def is_stale(self) -> bool:
        """Still waiting or running long after it should have finished."""
        return not self.is_finished and timezone.now() - self.created_at > STALE_AFTER

    @property
    def is_waiting_long(self) -> bool:
        """Still queued minutes after it was asked for: the report service (the broker or
        every worker) is not answering; it is sent again when the service is back."""
        return self.status == ReportStatus.QUEUED and timezone.now() - self.created_at > (
            WAITING_LONG_AFTER
        )

    @property
    def is_ready(self) -> bool:
        return (
            self.status == ReportStatus.DONE
            and bool(self.pdf)
            and bool(self.csv)
            and not self.withdrawn_because
        )

    def file_stem(self) -> str:
        """``psp-report-door-2026-q2``: the downloads' file name without its extension."""
        scope = self.program.slug if self.program_id and self.program else "statewide"
        return f"psp-report-{scope}-{self.year}-q{self.quarter}"


class QuarterClose(models.Model):
    """A program's quarter (``program`` None: the statewide quarter) closed and filed.

    The Program Coordinator closes a program's quarter; the statewide quarter closes by itself
    when the last program does. ``values`` holds the quarter's numbers as they stood when it
    was filed (``reporting.frozen``), written once by the first report made for it; every
    report of the quarter afterwards is made from them, so it is the same file byte for
    byte. A later change to a record of the quarter is kept as an ``Amendment``.
    """

    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quarter_closes",
        verbose_name=_("program"),
        help_text=_("Empty for the statewide quarter."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), choices=QUARTER_CHOICES)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
        help_text=_("Empty when it closed by itself (the statewide quarter)."),
    )
    closed_at = models.DateTimeField(_("closed at"), default=timezone.now)
    values = models.JSONField(_("filed numbers"), default=dict, blank=True, editable=False)
    filed_at = models.DateTimeField(_("numbers filed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "-quarter", "program__name"]
        verbose_name = _("closed quarter")
        verbose_name_plural = _("closed quarters")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "year", "quarter"],
                condition=models.Q(program__isnull=False),
                name="quarter_close_once_per_program",
            ),
            models.UniqueConstraint(
                fields=["year", "quarter"],
                condition=models.Q(program__isnull=True),
                name="quarter_close_once_statewide",
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="quarter_close_quarter_1_to_4",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_label} {self.period.label}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.year, self.quarter)

    @property
    def scope_label(self) -> str:
        return self.program.name if self.program_id and self.program else str(_("Statewide"))

    @property
    def is_filed(self) -> bool:
        return self.filed_at is not None


class EquityFiling(models.Model):
    """A calendar year of the equity view (``reporting.equity``) as state staff see it, filed
    once when the statewide fourth quarter of the year has closed and never counted again.

    Each table is kept as ``{"rows": [[row, [count per column]], ...], "hidden": [[row,
    column], ...]}``: the funnel's rows are "program slug|stage", the people's the program
    slugs, the statewide row (``null`` among the hidden) the sum of the others. ``columns``
    are race or ethnicity codes, ``programs`` ``[slug, name, school based]`` as they were:
    the labels are the reader's language's at display.
    """

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    programs = models.JSONField(_("programs"), default=list, editable=False)
    columns = models.JSONField(_("race or ethnicity codes"), default=list, editable=False)
    funnel = models.JSONField(_("funnel"), default=dict, editable=False)
    parent_partners = models.JSONField(_("Parent Partners"), default=dict, editable=False)
    council_members = models.JSONField(_("council members"), default=dict, editable=False)
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("filed equity year")
        verbose_name_plural = _("filed equity years")

    def __str__(self) -> str:
        return str(self.year)


# The CSV's sections by the name an amendment is listed under.
SECTION_TITLES = {
    "referrals": _("Referrals"),
    "families": _("Families"),
    "contacts": _("Contacts"),
    "outcomes": _("Children's outcomes"),
    "survey": _("Parent survey"),
    "workforce": _("Workforce"),
    "councils": _("Councils"),
    "outreach": _("Outreach"),
    "race_ethnicity": _("Race or ethnicity"),
    "race_ethnicity_by_program": _("Race or ethnicity by program"),
}


def figure_label(section: str, metric: str) -> str:
    """ "Contacts: court hearing hours" for the CSV's ("contacts", "court_hearing_hours")."""
    title = SECTION_TITLES.get(section, section)
    return f"{title}: {metric.replace('_', ' ').replace('.', ' · ')}"


class Amendment(models.Model):
    """A number of a closed quarter that is different now from what was filed: a record of the
    quarter was entered or corrected after it closed. Listed on the quarter's reports page and
    printed in the scope's next report; the filed report never changes."""

    filing = models.ForeignKey(
        QuarterClose,
        on_delete=models.CASCADE,
        related_name="amendments",
        verbose_name=_("filed quarter"),
    )
    section = models.CharField(_("section"), max_length=40)
    metric = models.CharField(_("figure"), max_length=120)
    filed_value = models.CharField(_("as filed"), max_length=40, blank=True)
    current_value = models.CharField(_("now"), max_length=40, blank=True)
    found_at = models.DateTimeField(_("first found"), default=timezone.now)
    changed_at = models.DateTimeField(_("last changed"), default=timezone.now)

    class Meta:
        ordering = ["found_at", "section", "metric"]
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "section", "metric"], name="amendment_once_per_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.filing}: {self.section}.{self.metric}"

    @property
    def label(self) -> str:
        return figure_label(self.section, self.metric)

    def as_row(self) -> list[str]:
        """Quarter, section, figure, as filed, now: as the next report lists it."""
        return [self.filing.period.label, self.section, self.metric, self.filed_value,
                self.current_value]  # fmt: skip


class CalendarFeed(models.Model):
    """A person's calendar feed: a secret address their phone's calendar reads (.ics) with
    no sign-in. Only its SHA-256 is kept; the address is shown once, when it is made. Making
    a new one or stopping it (``revoked_at``) ends the old address at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    token_hash = models.CharField(_("secret address's fingerprint"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("made at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("stopped at"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("last read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {format_when(self.created_at, 'date')}"


# --- The state comparison extract -----------------------------------------------------------
# DCF's de-identified list of the children in out-of-home care in the program counties, one
# row per removal episode, for the outcomes evaluation's comparison group. Read and checked
# by ``reporting.comparison``, stored by ``reporting.tasks.check_comparison_extract``; its rows
# are never shown to anybody, row by row (no page, no admin list, no API).


class ComparisonSex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class ExtractStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked: waiting for your decision")
    REFUSED = "refused", _("Refused")
    IN_USE = "in_use", _("In use")
    REPLACED = "replaced", _("Replaced")
    DISCARDED = "discarded", _("Discarded")
    FAILED = "failed", _("Failed")


class ComparisonExtract(models.Model):
    """One upload of the state's comparison extract. Its file is kept in the private
    ``documents`` storage (``stored_name``) only while it is checked; its accepted rows are
    ``ComparisonEpisode``s. Only the extract in use (one at most) is read by the matching."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file_name = models.CharField(_("file name"), max_length=255)
    # Where the file is in the ``documents`` storage, under ``comparison-extracts/``; empty
    # once its rows are stored or it was refused or discarded.
    stored_name = models.CharField(_("stored file"), max_length=100, blank=True, editable=False)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    data_as_of = models.DateField(_("data as of"))
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ExtractStatus.choices, default=ExtractStatus.CHECKING
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    rows_accepted = models.PositiveIntegerField(_("rows accepted"), default=0)
    rows_rejected = models.PositiveIntegerField(_("rows rejected"), default=0)
    # The first problems found ({row, column, message}), and how many there were in all.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problems_total = models.PositiveIntegerField(_("problems found"), default=0)
    refusal = models.TextField(_("why the file was refused"), blank=True)
    finished_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("comparison extract")
        verbose_name_plural = _("comparison extracts")
        constraints = [
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status="in_use"),
                name="one_comparison_extract_in_use",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="comparison_extract_progress_at_most_100",
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="comparison_extract_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({format_when(self.uploaded_at, 'date')})"

    @property
    def is_checking(self) -> bool:
        return self.status == ExtractStatus.CHECKING

    @property
    def is_stale(self) -> bool:
        """Still being checked long after it should have finished (its worker died)."""
        return self.is_checking and timezone.now() - self.uploaded_at > STALE_AFTER

    @property
    def can_be_used(self) -> bool:
        return self.status == ExtractStatus.CHECKED and self.rows_accepted > 0

    @property
    def can_be_discarded(self) -> bool:
        return self.status == ExtractStatus.CHECKED or self.is_stale

    @property
    def more_problems(self) -> int:
        """How many problems were found beyond the ones kept."""
        return max(self.problems_total - len(self.problems), 0)


class ComparisonEpisode(models.Model):
    """One removal episode of the state's extract: de-identified, never shown row by row."""

    extract = models.ForeignKey(
        ComparisonExtract,
        on_delete=models.CASCADE,
        related_name="episodes",
        verbose_name=_("comparison extract"),
    )
    episode_id = models.CharField(_("state episode identifier"), max_length=64)
    child_id = models.CharField(_("state child identifier"), max_length=64)
    county = models.CharField(_("county"), max_length=20)
    age_at_entry = models.PositiveSmallIntegerField(_("age at entry"))
    sex = models.CharField(_("sex"), max_length=10, choices=ComparisonSex.choices, blank=True)
    race_ethnicity = models.CharField(
        _("race or ethnicity"), max_length=20, choices=RaceEthnicity.choices, blank=True
    )
    removal_reasons = models.JSONField(_("removal reasons"), default=list)
    placement_setting = models.CharField(
        _("first placement setting"), max_length=20, choices=OutOfHomeCareType.choices
    )
    prior_removals = models.PositiveSmallIntegerField(_("earlier removals"), default=0)
    entry_date = models.DateField(_("entry date"))
    discharge_date = models.DateField(_("discharge date"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("discharge reason"), max_length=20, choices=DischargeReason.choices, blank=True
    )

    class Meta:
        verbose_name = _("comparison episode")
        verbose_name_plural = _("comparison episodes")
        constraints = [
            models.UniqueConstraint(
                fields=["extract", "episode_id"], name="comparison_episode_once_per_extract"
            )
        ]
        indexes = [models.Index(fields=["extract", "county"], name="comparison_episode_county")]

    def __str__(self) -> str:
        return f"{self.extract_id}: {self.episode_id}"


class OutcomeStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting to be compared")
    RUNNING = "running", _("Being compared")
    DONE = "done", _("Compared")
    FAILED = "failed", _("Failed")


class OutcomeComparison(models.Model):
    """The outcomes of one county's served children (blank county: statewide) against their
    matched comparison group from the extract in use (``reporting.outcomes``): counted by
    Celery when an extract is put in use and every night, read by the outcomes page and the
    quarterly report. Aggregates only: the matching's result (``reporting.matching``)."""

    extract = models.ForeignKey(
        ComparisonExtract,
        on_delete=models.CASCADE,
        related_name="comparisons",
        verbose_name=_("comparison extract"),
    )
    county = models.CharField(_("county"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=OutcomeStatus.choices, default=OutcomeStatus.WAITING
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    served = models.PositiveIntegerField(_("served stays"), default=0)
    pool = models.PositiveIntegerField(_("comparison stays"), default=0)
    linked = models.PositiveIntegerField(_("stays of served children in the extract"), default=0)
    # Covariates too seldom recorded for the served stays to match on (``outcomes``).
    left_out = models.JSONField(_("not matched on"), default=list, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error = models.TextField(_("what went wrong"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("compared at"), null=True, blank=True)

    class Meta:
        ordering = ["county"]
        verbose_name = _("outcome comparison")
        verbose_name_plural = _("outcome comparisons")
        constraints = [
            models.UniqueConstraint(
                fields=["extract", "county"], name="one_outcome_comparison_per_county"
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="outcome_comparison_progress_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.extract_id}: {self.county or 'statewide'}"
