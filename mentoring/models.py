"""Parent Partners, the cases they work, the contacts they log, and the support around them.

A ``Case`` is one accepted referral being worked; a Parent Partner is put on it by an
``Assignment`` (reassignment ends one assignment and starts another, so history stays).
``Activity`` is one logged contact. Supervision, monthly clinical support and training
records describe the workforce, never a family.
"""

from __future__ import annotations

import datetime
import time
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psp.dates import format_when
from psp.indexes import ListOrderIndex
from psp.models import KeepsDatabaseColumns, Program, ProgramType, VersionedModel
from referrals.models import Family, Language, RaceEthnicity, Referral


def is_in_future(day: datetime.date, time: datetime.time | None = None) -> bool:
    """Whether a date (and a wall-clock time, if given) in the program's time zone is still
    to come. A date alone is never in the future on that day itself; a time gets five
    minutes' grace for a tablet clock that runs fast."""
    now = timezone.localtime()
    if day != now.date() or time is None:
        return day > now.date()
    # Wall-clock times, as the Parent Partner reads them on the clock: on the day clocks
    # fall back, 01:30 typed at 01:10 (the second time round) is still to come.
    latest = now + datetime.timedelta(minutes=5)
    return latest.date() == day and time > latest.time()


def one_year_after(day: datetime.date) -> datetime.date:
    """The same date a year later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, month=3, day=1)


MINUTES_IN_A_DAY = 24 * 60


def minutes_validators() -> list[MinValueValidator | MaxValueValidator]:
    message = _("Enter a number of minutes from 1 to 1,440.")
    return [
        MinValueValidator(1, message=message),
        MaxValueValidator(MINUTES_IN_A_DAY, message=message),
    ]


def minutes_from_1_to_1440(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q(duration_minutes__gte=1, duration_minutes__lte=MINUTES_IN_A_DAY),
        name=name,
    )


# --- Parent Partners ----------------------------------------------------------------------


class Stage(models.TextChoices):
    """Recruitment pipeline and working status in one: inquiry -> screening -> training ->
    active; inactive when they stop."""

    INQUIRY = "inquiry", _("Inquiry")
    SCREENING = "screening", pgettext_lazy("recruitment stage", "Screening")
    TRAINING = "training", _("In training")
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")


APPLICANT_STAGES = frozenset({Stage.INQUIRY, Stage.SCREENING})


class EligibilityBasis(models.TextChoices):
    REUNIFIED = "reunified", _("Reunified with their children")
    TPR_RESOLVED = "tpr_resolved", _("Resolved a termination of parental rights")
    OTHER_PERMANENCY = "other_permanency", _("Resolved another permanency decision")
    # School-based Parent Peer Support: the daily caregiver of a child with
    # mental-health or behavioural challenges.
    CAREGIVER = "caregiver", _("Raised a child with mental-health or behavioural challenges")


class Employer(models.TextChoices):
    COUNTY = "county", _("The county agency")
    PARTNER = "partner", _("The partner agency")


class PartnerSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PUBLIC_FORM = "public_form", _("The program's public page")


class ParentPartner(VersionedModel):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="parent_partners")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="parent_partner_profiles",
        help_text=_("The sign-in account, once they have one."),
    )
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    employer = models.CharField(
        _("employed by"), max_length=10, choices=Employer.choices, default=Employer.COUNTY
    )
    eligibility_basis = models.CharField(
        _("lived experience"), max_length=20, choices=EligibilityBasis.choices
    )
    eligibility_date = models.DateField(
        _("date reunified or permanency resolved"),
        help_text=_("A Parent Partner can start one full year after this date."),
    )
    languages = models.JSONField(_("languages"), default=list)
    # Bilingual is more than a language: the communities a Parent Partner belongs to and can
    # bridge (bicultural Parent Peer Specialists of school-based programs).
    cultural_communities = models.CharField(
        _("cultural communities they are part of"),
        max_length=200,
        blank=True,
        help_text=_("For example: the Hmong community of Wausau, Spanish-speaking families."),
    )
    # Asked, never required, and shown only in suppressed totals (the equity view): does the
    # program's workforce reflect the families it serves? "Prefer not to say" is an answer.
    race_ethnicity = models.CharField(
        _("race or ethnicity"),
        max_length=20,
        choices=RaceEthnicity.choices,
        blank=True,
        help_text=_(
            "Their own answer, if they want to give one. It is only ever counted in totals, "
            "to see whether the Parent Partners reflect the families served."
        ),
    )
    trained_by = models.CharField(
        _("trained by"),
        max_length=160,
        blank=True,
        help_text=_("The organisation that trained them, such as Wisconsin Family Ties."),
    )
    capacity = models.PositiveSmallIntegerField(
        _("most families at once"),
        default=4,
        validators=[
            MinValueValidator(0, message=_("Enter a number of families from 0 to 20.")),
            MaxValueValidator(20, message=_("Enter a number of families from 0 to 20.")),
        ],
    )
    stage = models.CharField(
        _("stage"), max_length=12, choices=Stage.choices, default=Stage.INQUIRY
    )
    stage_changed_at = models.DateTimeField(default=timezone.now)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(
        _("came from"), max_length=12, choices=PartnerSource.choices, default=PartnerSource.STAFF
    )
    # What someone interested wrote on the public page, as they wrote it.
    interest_message = models.TextField(
        _("what they told us"), max_length=2000, blank=True, editable=False
    )
    best_time = models.CharField(_("best time to call"), max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=models.Q(user__isnull=False),
                name="one_profile_per_user_and_program",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def eligible_from(self) -> datetime.date:
        return one_year_after(self.eligibility_date)

    def is_eligible(self, on: datetime.date | None = None) -> bool:
        return (on or timezone.localdate()) >= self.eligible_from

    @property
    def is_applicant(self) -> bool:
        return self.stage in APPLICANT_STAGES

    def language_labels(self) -> list[str]:
        labels = dict(Language.choices)
        return [str(labels.get(code, code)) for code in self.languages]

    def clean(self) -> None:
        if self.eligibility_date and self.eligibility_date > timezone.localdate():
            raise ValidationError({"eligibility_date": _("The date cannot be in the future.")})
        unknown = set(self.languages) - set(Language.values)
        if unknown:
            raise ValidationError({"languages": _("Choose languages from the list.")})


class StageChange(models.Model):
    parent_partner = models.ForeignKey(
        ParentPartner, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=12, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.parent_partner}: {self.to_stage}"

    @property
    def audit_program_id(self) -> int:
        return self.parent_partner.program_id


# --- Cases --------------------------------------------------------------------------------


class PermanencyGoal(models.TextChoices):
    REUNIFICATION = "reunification", _("Reunification")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    ADOPTION = "adoption", _("Adoption")
    RELATIVE = "relative", _("Placement with a relative")
    OTHER = "other", pgettext_lazy("a permanency goal", "Other")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ClosureOutcome(models.TextChoices):
    GOALS_MET = "goals_met", _("Goals met")
    REUNIFIED = "reunified", _("Family reunified")
    OTHER_PERMANENCY = "other_permanency", _("Other permanency reached")
    DISENGAGED = "disengaged", _("Parent stopped taking part")
    MOVED = "moved", _("Family moved away")
    CPS_CLOSED = "cps_closed", _("CPS case closed")
    OTHER = "other", pgettext_lazy("a closure outcome", "Other")


# Outcomes only a child-welfare case can end with.
CHILD_WELFARE_OUTCOMES = frozenset(
    {ClosureOutcome.REUNIFIED, ClosureOutcome.OTHER_PERMANENCY, ClosureOutcome.CPS_CLOSED}
)


def closure_outcomes_for(school_based: bool) -> list[tuple[str, Any]]:
    return [
        (outcome.value, outcome.label)
        for outcome in ClosureOutcome
        if not (school_based and outcome in CHILD_WELFARE_OUTCOMES)
    ]


def contact_due_since() -> models.Case:
    """An open case's day its 14 days without contact are counted from: its last contact,
    or its opening when it has had none; nothing for a closed case. "No contact in 14 days"
    is this before the first of the 14 days (``selectors.no_contact_in_14_days``).

    One expression, indexed as it is (``case_contact_due``), so that PostgreSQL keeps
    statistics of it: of the separate columns it would guess from every case, and closed
    cases' old last contacts made it expect thousands of overdue cases where there were a
    few, and read the program's whole history instead of the index's range."""
    return models.Case(
        models.When(
            status=CaseStatus.OPEN,
            then=Coalesce("last_contact_on", "opened_on"),
        ),
        output_field=models.DateField(),
    )


class Case(KeepsDatabaseColumns, VersionedModel):
    # Worked out by the pages that list cases, for their templates; never stored.
    overdue: bool
    court_soon: bool

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="case")
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="cases")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="cases")
    opened_on = models.DateField(_("opened on"), default=timezone.localdate)
    permanency_goal = models.CharField(
        _("permanency goal"),
        max_length=20,
        choices=PermanencyGoal.choices,
        default=PermanencyGoal.REUNIFICATION,
        # Empty for a school-based program's case: no child is in out-of-home care.
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_outcome = models.CharField(
        _("outcome"), max_length=20, choices=ClosureOutcome.choices, blank=True
    )
    closure_note = models.TextField(_("closing note"), blank=True)
    next_court_date = models.DateField(_("next court hearing"), null=True, blank=True)
    # The day of the case's latest contact, kept by the database itself (triggers on the
    # contacts table, migration 0007) so that "no contact in 14 days" is a range of an index
    # rather than every open case's contacts looked up. Never written by the app: ``save``
    # leaves it out.
    last_contact_on = models.DateField(_("last contact"), null=True, editable=False)
    database_kept = frozenset({"last_contact_on"})

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [
            # The case list: a program's open (or closed) cases, newest first, a page at a time.
            models.Index(fields=["program", "status", "opened_on"]),
            # Overdue contacts: a program's open cases by their last contact.
            models.Index(fields=["program", "status", "last_contact_on"]),
            # No contact in 14 days: a program's open cases by the day the 14 days count from.
            models.Index(models.F("program"), contact_due_since(), name="case_contact_due"),
            # Court hearings soon: a program's open cases by their next hearing.
            models.Index(fields=["program", "status", "next_court_date"]),
            # The case list of every program (state staff, administrators), newest first.
            models.Index(fields=["status", "opened_on", "id"]),
            # The data-quality panel's cases closed in a quarter, with their family, from the
            # index alone (on PostgreSQL): the quarter's entries, not the program's history.
            models.Index(
                fields=["program", "closed_on"],
                include=["family"],
                condition=models.Q(status=CaseStatus.CLOSED),
                name="case_closed_on",
            ),
        ]

    def __str__(self) -> str:
        return str(self.referral.number)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("mentoring:case_detail", args=[self.pk])

    def clean(self) -> None:
        if self.status == CaseStatus.CLOSED:
            errors = {}
            if not self.closed_on:
                errors["closed_on"] = _("Enter the date the case closed.")
            elif self.closed_on < self.opened_on:
                errors["closed_on"] = _("The case cannot close before it opened.")
            elif self.closed_on > timezone.localdate():
                errors["closed_on"] = _("The closing date cannot be in the future.")
            if not self.closure_outcome:
                errors["closure_outcome"] = _("Choose how the case ended.")
            if errors:
                raise ValidationError(errors)


class Assignment(models.Model):
    """A Parent Partner on a case, from ``started_on`` until ``ended_on`` (open while None)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    parent_partner = models.ForeignKey(
        ParentPartner, on_delete=models.PROTECT, related_name="assignments"
    )
    started_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    end_reason = models.CharField(max_length=200, blank=True)
    over_capacity = models.BooleanField(default=False)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_on__isnull=True),
                name="one_current_assignment_per_case",
            ),
        ]
        # A Parent Partner's current families (caseloads, suggestions), without reading the
        # assignments that ended.
        indexes = [
            models.Index(
                fields=["parent_partner"],
                condition=models.Q(ended_on__isnull=True),
                name="current_assignments_by_partner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case}: {self.parent_partner}"

    @property
    def audit_program_id(self) -> int:
        return self.case.program_id


class HearingType(models.Model):
    """A kind of court hearing (plea, dispositional, permanency plan review...). Types with no
    program are offered everywhere; a program adds its own court's in the admin."""

    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="hearing_types",
        help_text=_("Empty: offered to every program."),
    )
    name = models.CharField(_("name"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["order", "name", "id"]
        verbose_name = _("hearing type")
        verbose_name_plural = _("hearing types")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="hearing_type_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Hearing(VersionedModel):
    """A court hearing in a family's case: one to come (the court set it) or one held, with
    what the court decided. The case's ``next_court_date`` is the first one still to come."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="hearings")
    day = models.DateField(_("date"))
    time = models.TimeField(_("time (optional)"), null=True, blank=True)
    hearing_type = models.ForeignKey(
        HearingType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("kind of hearing"),
    )
    court = models.CharField(_("court (optional)"), max_length=200, blank=True)
    judge = models.CharField(_("judge or commissioner (optional)"), max_length=200, blank=True)
    outcome = models.TextField(_("what the court decided (optional)"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["day", "time", "id"]
        verbose_name = _("court hearing")
        verbose_name_plural = _("court hearings")
        indexes = [models.Index(fields=["case", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        kind = self.hearing_type.name if self.hearing_type is not None else _("Court hearing")
        return f"{kind} {format_when(self.day, 'date')}"

    @property
    def audit_program_id(self) -> int:
        return self.case.program_id

    def clean(self) -> None:
        kind = self.hearing_type
        if kind is not None and kind.program_id not in (None, self.case.program_id):
            raise ValidationError({"hearing_type": _("Choose one of this program's kinds.")})

    def is_to_come(self, today: datetime.date | None = None) -> bool:
        return self.day >= (today or timezone.localdate())


class DocumentType(models.TextChoices):
    CONSENT = "consent", _("Signed consent")
    RELEASE = "release", _("Release of information")
    COURT_ORDER = "court_order", _("Court order")
    CASE_PLAN = "case_plan", _("Case plan")
    OTHER = "other", pgettext_lazy("a kind of document", "Other")


class Document(models.Model):
    """A paper kept with a family's referral or case: a signed consent, a release of
    information, a court order, a copy of the case plan. The file itself is in the
    ``documents`` storage under a random name (``mentoring.documents``); it is read only
    through the policy. A release that lapsed is marked expired, never deleted."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="documents", verbose_name=_("program")
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("referral"),
    )
    case = models.ForeignKey(
        Case,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("case"),
    )
    document_type = models.CharField(
        _("type of document"), max_length=20, choices=DocumentType.choices
    )
    dated_on = models.DateField(_("date of the document"))
    description = models.CharField(_("note (optional)"), max_length=300, blank=True)
    expires_on = models.DateField(_("expires on (optional)"), null=True, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("kind of file"), max_length=50)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    # Where the file is in the ``documents`` storage: a random name; empty once the file has
    # been removed (a closed family anonymised).
    stored_name = models.CharField(_("stored file"), max_length=100, blank=True, editable=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    expired_at = models.DateTimeField(_("marked expired at"), null=True, blank=True)
    expired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked expired by"),
    )

    class Meta:
        ordering = ["-dated_on", "-id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(referral__isnull=False, case__isnull=True)
                    | models.Q(referral__isnull=True, case__isnull=False)
                ),
                name="document_of_one_referral_or_case",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "dated_on"]),
            models.Index(fields=["referral", "dated_on"]),
        ]

    def __str__(self) -> str:
        # No file name: it may name the family, and this is what the audit log keeps.
        return f"{self.get_document_type_display()} {format_when(self.dated_on, 'date')}"

    @property
    def is_expired(self) -> bool:
        return self.expired_at is not None

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.dated_on and self.dated_on > timezone.localdate():
            errors["dated_on"] = _("The document's date cannot be in the future.")
        if self.dated_on and self.expires_on and self.expires_on < self.dated_on:
            errors["expires_on"] = _("Enter a date on or after the document's date.")
        if errors:
            raise ValidationError(errors)


class GoalStatus(models.TextChoices):
    WORKING = "working", _("Working on it")
    MET = "met", _("Met")
    CHANGED = "changed", _("Changed or dropped")


class CaseGoal(models.Model):
    """A goal from the family's case plan that the Parent Partner helps with. The case plan
    belongs to the social worker; the Parent Partner gives input on goals and progress."""

    # The form for a progress note, set by the case page for its template; never stored.
    progress_form: Any

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal"), max_length=300)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus.choices, default=GoalStatus.WORKING
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def audit_program_id(self) -> int:
        return self.case.program_id


class GoalProgress(models.Model):
    goal = models.ForeignKey(CaseGoal, on_delete=models.CASCADE, related_name="progress")
    note = models.TextField(_("progress"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    shared_with_referrer = models.BooleanField(
        _("share with the referring social worker"), default=True
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.note[:60]

    @property
    def audit_program_id(self) -> int:
        return self.goal.case.program_id


# --- Contacts -----------------------------------------------------------------------------


class ActivityType(models.TextChoices):
    """What a Parent Partner does. Testifying, writing the case plan, supervising family
    time and transporting children are not a Parent Partner's role and are not offered."""

    HOME_VISIT = "home_visit", _("Home visit")
    CHECK_IN = "check_in", _("Phone or text check-in")
    TEAM_MEETING = "team_meeting", _("Team meeting")
    COURT_HEARING = "court_hearing", _("Court hearing (attended or supported)")
    FAMILY_TIME = "family_time", _("Family time support (not supervision)")
    CASE_PLAN_INPUT = "case_plan_input", _("Case-plan meeting (gave input on goals)")
    IEP_MEETING = "iep_meeting", _("IEP meeting at school")
    RESOURCE_LINKAGE = "resource_linkage", _("Connected to a resource")
    # School-based programs.
    PLAN_504_MEETING = "504_meeting", _("504 plan meeting at school")
    SCHOOL_MEETING = "school_meeting", _("Other school meeting (teacher, conference)")
    TRANSITION_PLANNING = "transition", _("Planning a move to a new school")
    MENTAL_HEALTH_LINK = "mental_health_link", _("Connected to mental-health services")
    BASIC_NEEDS = "basic_needs", _("Basic needs (food, housing, utilities)")
    OTHER = "other", pgettext_lazy("a kind of contact", "Other")


# Contacts that belong to one kind of program: child welfare's court, family time and case
# plan are not a school-based provider's work, and the school's own meetings, mental-health
# services and basic needs are how a school-based program reports (an IEP meeting and a
# resource belong to both).
CHILD_WELFARE_CONTACTS = frozenset(
    {ActivityType.COURT_HEARING, ActivityType.FAMILY_TIME, ActivityType.CASE_PLAN_INPUT}
)
SCHOOL_CONTACTS = frozenset(
    {
        ActivityType.PLAN_504_MEETING,
        ActivityType.SCHOOL_MEETING,
        ActivityType.TRANSITION_PLANNING,
        ActivityType.MENTAL_HEALTH_LINK,
        ActivityType.BASIC_NEEDS,
    }
)
# What a school-based program's outcomes count: the school meetings a parent went to with
# support, and the services a family was connected to.
SCHOOL_MEETINGS = frozenset(
    {
        ActivityType.IEP_MEETING,
        ActivityType.PLAN_504_MEETING,
        ActivityType.SCHOOL_MEETING,
        ActivityType.TRANSITION_PLANNING,
    }
)
SERVICES_CONNECTED = frozenset(
    {ActivityType.MENTAL_HEALTH_LINK, ActivityType.BASIC_NEEDS, ActivityType.RESOURCE_LINKAGE}
)


def contact_kinds_for(school_based: bool) -> list[ActivityType]:
    """The kinds of contact a program of this kind offers, in the list's order."""
    left_out = CHILD_WELFARE_CONTACTS if school_based else SCHOOL_CONTACTS
    return [kind for kind in ActivityType if kind not in left_out]


class ContactMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    VIDEO = "video", _("Video call")


class Present(models.TextChoices):
    PARENT = "parent", _("Parent")
    OTHER_PARENT = "other_parent", _("Other parent")
    CHILDREN = "children", _("Children")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    FOSTER_PARENT = "foster_parent", _("Foster parent or relative caregiver")
    ATTORNEY = "attorney", _("Attorney or guardian ad litem")
    PROVIDER = "provider", _("Service provider")
    # School-based programs: a teacher, counsellor or other staff member of the child's school.
    SCHOOL_STAFF = "school_staff", _("Teacher or other school staff")
    OTHER = "other", pgettext_lazy("someone present", "Someone else")


# Who is there at a contact of one kind of program only: a foster parent and an attorney or
# guardian ad litem are a child-welfare case's, the school's staff a school-based program's.
CHILD_WELFARE_PRESENT = frozenset({Present.FOSTER_PARENT, Present.ATTORNEY})
SCHOOL_PRESENT = frozenset({Present.SCHOOL_STAFF})


def present_for(school_based: bool) -> list[Present]:
    """Whom a contact of a program of this kind may record as there, in the list's order."""
    left_out = CHILD_WELFARE_PRESENT if school_based else SCHOOL_PRESENT
    return [person for person in Present if person not in left_out]


class ReviewStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for review")
    SENT_BACK = "sent_back", _("Sent back")
    SIGNED_OFF = "signed_off", _("Signed off")


# Contacts newest first: by date, then time (those without one after those with one), then
# the order they were logged.
NEWEST_FIRST = (
    models.F("occurred_on").desc(),
    models.F("occurred_time").desc(nulls_last=True),
    models.F("id").desc(),
)


class Activity(VersionedModel):
    """One contact a Parent Partner logged. ``client_uuid`` comes from the form (or the
    offline queue) so a repeated submit is recognised and not saved twice."""

    client_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Looked up through the (case, occurred_on) index below; a second index on case alone
    # only tempted the planner to read every contact of a case for its latest.
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="activities", db_index=False
    )
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="activities")
    parent_partner = models.ForeignKey(
        ParentPartner, on_delete=models.PROTECT, related_name="activities"
    )
    occurred_on = models.DateField(_("date"))
    # Wall-clock time in the program's time zone, only when the Parent Partner gave one:
    # a time nobody gave is never invented.
    occurred_time = models.TimeField(_("time"), null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("how long (minutes)"), validators=minutes_validators()
    )
    activity_type = models.CharField(
        _("what kind of contact"), max_length=20, choices=ActivityType.choices
    )
    mode = models.CharField(_("how"), max_length=10, choices=ContactMode.choices)
    location = models.CharField(_("where"), max_length=160, blank=True)
    present = models.JSONField(_("who was there"), default=list, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    mileage = models.DecimalField(
        _("miles driven"),
        max_digits=6,
        decimal_places=1,
        default=Decimal("0"),
        validators=[
            MinValueValidator(Decimal("0"), message=_("Enter the miles driven, from 0 to 1,000.")),
            MaxValueValidator(
                Decimal("1000"), message=_("Enter the miles driven, from 0 to 1,000.")
            ),
        ],
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_court_date = models.DateField(
        _("next hearing date"),
        null=True,
        blank=True,
        help_text=_("The next court date heard at this hearing; the case takes it."),
    )
    resource = models.ForeignKey(
        "Resource",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("resource"),
    )
    review_status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.WAITING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities_reviewed",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(_("comment for the Parent Partner"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities_logged",
    )

    class Meta:
        verbose_name_plural = _("activities")
        ordering = ["-occurred_on", models.F("occurred_time").desc(nulls_last=True), "-id"]
        # The contact list's order, for a program and for a Parent Partner: a page of it is
        # the first rows of one of these, however many contacts the years have brought.
        indexes = [
            ListOrderIndex("program", *NEWEST_FIRST, name="activity_program_newest"),
            ListOrderIndex("parent_partner", *NEWEST_FIRST, name="activity_partner_newest"),
            models.Index(fields=["case", "occurred_on"]),
            models.Index(fields=["program", "review_status"]),
            # The contacts waiting for review: the review list's order (a page of it is the
            # first rows, however many wait on one day), and the data-quality panel's
            # waiting contacts of a quarter (program and day).
            ListOrderIndex(
                "program",
                *NEWEST_FIRST,
                condition=models.Q(review_status=ReviewStatus.WAITING),
                name="activity_waiting_newest",
            ),
            # The calendar's team meetings of a month, in every program or in one.
            models.Index(
                fields=["occurred_on", "program"],
                condition=models.Q(activity_type=ActivityType.TEAM_MEETING),
                name="activity_team_meeting_day",
            ),
        ]
        # The quarterly report adds these up: a typing slip must not reach it.
        constraints = [
            minutes_from_1_to_1440("activity_duration_1_to_1440"),
            models.CheckConstraint(
                condition=models.Q(mileage__gte=0, mileage__lte=1000),
                name="activity_mileage_0_to_1000",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_type_display()} {format_when(self.occurred_on, 'date')}"

    @property
    def is_locked(self) -> bool:
        return self.review_status == ReviewStatus.SIGNED_OFF

    def when_label(self) -> str:
        """The date, and the time only when one was given."""
        if self.occurred_time is None:
            return format_when(self.occurred_on, "date")
        return format_when(
            datetime.datetime.combine(self.occurred_on, self.occurred_time), "datetime"
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.occurred_on and is_in_future(self.occurred_on, self.occurred_time):
            field = "occurred_on" if self.occurred_on > timezone.localdate() else "occurred_time"
            errors[field] = str(_("A contact cannot be in the future."))
        elif self.occurred_on and self.case_id:
            # A Parent Partner may meet the parent while the referral is screened, before the
            # case opens; not before the family was referred at all.
            referred = self.case.referral.received_on
            if self.occurred_on < referred:
                errors["occurred_on"] = str(
                    _("The contact is before the family was referred (%(date)s). Check the date.")
                    % {"date": format_when(referred, "date")}
                )
        if (
            self.activity_type
            and self.program_id
            and self.activity_type not in contact_kinds_for(self.program.is_school_based)
        ):
            errors["activity_type"] = str(
                _("This program does not log this kind of contact. Choose another.")
            )
        if self.activity_type == ActivityType.RESOURCE_LINKAGE and not self.resource_id:
            errors["resource"] = str(_("Choose the resource the family was connected to."))
        offered = present_for(self.program.is_school_based) if self.program_id else list(Present)
        unknown = set(self.present) - {person.value for person in offered}
        if unknown:
            errors["present"] = str(_("Choose who was there from the list."))
        if errors:
            raise ValidationError(errors)


class FollowUp(VersionedModel):
    """Something someone on the case team will do for a family, by a day: the next step a
    Parent Partner noted with a contact, or one a coordinator sets. Open until marked done."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="follow_ups")
    what = models.CharField(_("what to do"), max_length=300)
    due_on = models.DateField(_("by"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="follow_ups",
        verbose_name=_("who"),
    )
    from_contact = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up",
        verbose_name=_("from the contact"),
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            # A person's open follow-ups, and a case's, soonest first.
            models.Index(
                fields=["owner", "due_on"],
                condition=models.Q(done_at__isnull=True),
                name="follow_up_open_by_owner",
            ),
            models.Index(fields=["case", "due_on"], name="follow_up_case_due"),
        ]

    def __str__(self) -> str:
        return str(_("Follow-up by %(day)s") % {"day": format_when(self.due_on, "date")})

    @property
    def audit_program_id(self) -> int:
        return self.case.program_id

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())


# --- Support for Parent Partners ----------------------------------------------------------


class SupervisionSession(models.Model):
    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    parent_partner = models.ForeignKey(
        ParentPartner, on_delete=models.PROTECT, related_name="supervision_sessions"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    held_on = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(
        _("how long (minutes)"), default=60, validators=minutes_validators()
    )
    topics = models.TextField(_("topics (optional)"), blank=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [minutes_from_1_to_1440("supervision_duration_1_to_1440")]

    def __str__(self) -> str:
        return f"{self.parent_partner} {format_when(self.held_on, 'date')}"


class ClinicalSupportSession(models.Model):
    """The monthly team support a licensed clinician facilitates: held or not, and who came.
    No clinical content is stored."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="clinical_sessions")
    held_on = models.DateField(_("date"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    attendees = models.ManyToManyField(
        ParentPartner, related_name="clinical_sessions", blank=True, verbose_name=_("who came")
    )
    duration_minutes = models.PositiveIntegerField(
        _("how long (minutes)"), default=60, validators=minutes_validators()
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [minutes_from_1_to_1440("clinical_duration_1_to_1440")]

    def __str__(self) -> str:
        return f"{self.program} {format_when(self.held_on, 'date')}"


class TrainingTopic(models.TextChoices):
    """The core topics every Parent Partner completes (Iowa's model), then anything else."""

    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    MANDATORY_REPORTING = "mandatory_reporting", _("Mandatory reporting")
    BOUNDARIES_SAFETY = "boundaries_safety", _("Boundaries and safety")
    ETHICS = "ethics", _("Ethics")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    CHILD_WELFARE_101 = "child_welfare_101", _("Child-welfare system 101")
    CONFIDENTIALITY = "confidentiality", _("Confidentiality")
    CULTURAL_COMPETENCY = "cultural_competency", _("Cultural competency")
    OTHER = "other", _("Other professional development")


CORE_TOPICS = [topic for topic in TrainingTopic if topic != TrainingTopic.OTHER]


class TrainingRequirement(models.Model):
    """The core topics a program asks of every Parent Partner before they start work.
    A program without one asks for all of ``CORE_TOPICS``."""

    program = models.OneToOneField(
        Program, on_delete=models.CASCADE, related_name="training_requirement"
    )
    topics = models.JSONField(_("core topics"), default=list)

    class Meta:
        verbose_name = _("training requirement")

    def __str__(self) -> str:
        return str(self.program)

    def clean(self) -> None:
        unknown = set(self.topics) - {topic.value for topic in CORE_TOPICS}
        if unknown:
            raise ValidationError({"topics": _("Choose topics from the list of core topics.")})


def core_topics_for(program_id: int) -> list[TrainingTopic]:
    """The core topics ``program_id`` requires, in the standard order."""
    requirement = TrainingRequirement.objects.filter(program_id=program_id).first()
    if requirement is None:
        return list(CORE_TOPICS)
    return [topic for topic in CORE_TOPICS if topic in requirement.topics]


class TrainingRecord(models.Model):
    parent_partner = models.ForeignKey(
        ParentPartner, on_delete=models.CASCADE, related_name="trainings"
    )
    topic = models.CharField(_("topic"), max_length=30, choices=TrainingTopic.choices)
    title = models.CharField(_("title (optional)"), max_length=200, blank=True)
    completed_on = models.DateField(_("completed on"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=5,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.25"), message=_("Enter the hours, from 0.25 to 200.")),
            MaxValueValidator(Decimal("200"), message=_("Enter the hours, from 0.25 to 200.")),
        ],
    )
    provider = models.CharField(_("given by (optional)"), max_length=160, blank=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=Decimal("0.25"), hours__lte=200),
                name="training_hours_0_25_to_200",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent_partner}: {self.get_topic_display()}"

    @property
    def audit_program_id(self) -> int:
        return self.parent_partner.program_id

    def clean(self) -> None:
        if self.completed_on and self.completed_on > timezone.localdate():
            raise ValidationError({"completed_on": _("The date cannot be in the future.")})


# --- Leadership and participation ---------------------------------------------------------


class ParticipationKind(models.TextChoices):
    """Where a Parent Partner brings their lived experience beyond their families."""

    COUNCIL = "council", _("Advisory council or board")
    COMMITTEE = "committee", _("Committee or work group")
    TRAINING = "training", _("A training they presented")
    SPEAKING = "speaking", _("Panel, conference or speaking event")
    OTHER = "other", pgettext_lazy("a kind of participation", "Other")


class Participation(models.Model):
    """A Parent Partner's part in a council, committee, training they presented or event,
    with what they were paid for their time (lived-experience contributions are compensated,
    as council stipends are): dated by the contribution, so a year's totals include what is
    still unpaid."""

    parent_partner = models.ForeignKey(
        ParentPartner,
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("Parent Partner"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ParticipationKind.choices)
    title = models.CharField(_("what it was"), max_length=200)
    held_on = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"),
        max_digits=4,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.25"), message=_("Enter the hours, from 0.25 to 24.")),
            MaxValueValidator(Decimal("24"), message=_("Enter the hours, from 0.25 to 24.")),
        ],
    )
    amount = models.DecimalField(
        _("paid for their time"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        help_text=_("0 when it was unpaid."),
        validators=[
            MinValueValidator(Decimal("0"), message=_("Enter an amount from 0 to 10,000.")),
            MaxValueValidator(Decimal("10000"), message=_("Enter an amount from 0 to 10,000.")),
        ],
    )
    paid_on = models.DateField(_("date paid"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(hours__gte=Decimal("0.25"), hours__lte=24),
                name="participation_hours_0_25_to_24",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, amount__lte=10000),
                name="participation_amount_0_to_10000",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent_partner}: {self.title}"

    @property
    def audit_program_id(self) -> int:
        return self.parent_partner.program_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.held_on and self.held_on > today:
            errors["held_on"] = str(_("The date cannot be in the future."))
        if self.paid_on:
            if not self.amount:
                errors["paid_on"] = str(_("Leave the date paid empty when nothing was paid."))
            elif self.paid_on > today:
                errors["paid_on"] = str(_("The date cannot be in the future."))
            elif self.held_on and self.paid_on < self.held_on:
                errors["paid_on"] = str(_("Enter a date on or after the participation."))
        if errors:
            raise ValidationError(errors)


# --- Community resources ------------------------------------------------------------------


class ResourceCategory(models.TextChoices):
    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use treatment")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    LEGAL_AID = "legal_aid", _("Legal aid")
    EMPLOYMENT = "employment", _("Work and income")
    CHILD_CARE = "child_care", _("Child care")
    HEALTH = "health", _("Health care")
    TRANSPORTATION = "transportation", _("Transportation")
    OTHER = "other", pgettext_lazy("a kind of resource", "Other")


class Resource(models.Model):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="resources")
    name = models.CharField(_("name"), max_length=160)
    category = models.CharField(_("kind of help"), max_length=20, choices=ResourceCategory.choices)
    description = models.TextField(_("what they offer (optional)"), blank=True)
    phone = models.CharField(_("phone (optional)"), max_length=30, blank=True)
    website = models.URLField(_("website (optional)"), blank=True)
    address = models.CharField(_("address (optional)"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name


# --- Parent surveys -----------------------------------------------------------------------


class SurveyInstrument(models.Model):
    """A short questionnaire: ``questions`` is a list of {"key", "text", "text_es",
    "text_hmn"} answered on a 1-5 scale: English, and each question in Spanish and Hmong
    (empty until a translator writes it). The default asks about hope and feeling supported."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    questions = models.JSONField(_("questions"))
    is_default = models.BooleanField(default=False)
    # The survey of every program of one type (a school-based program asks how confident the
    # parent feels working with the school); empty: the default's programs.
    program_type = models.CharField(
        _("for programs of type"), max_length=10, choices=ProgramType.choices, blank=True
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The languages a survey question is written in besides English, each in ``text_<code>``.
SURVEY_LANGUAGES = ("es", "hmn")


def question_text(question: dict[str, str], language: str) -> tuple[str, str]:
    """A survey question in ``language``, with the language it is really in: English when
    the question has no words in that language (yet)."""
    if language in SURVEY_LANGUAGES and question.get(f"text_{language}"):
        return question[f"text_{language}"], language
    return question["text"], "en"


class SurveyTiming(models.TextChoices):
    INTAKE = "intake", _("At intake")
    CLOSURE = "closure", _("At closure")


class SurveyResponse(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survey_responses")
    instrument = models.ForeignKey(SurveyInstrument, on_delete=models.PROTECT)
    timing = models.CharField(_("when"), max_length=10, choices=SurveyTiming.choices)
    answered_on = models.DateField(_("date"), default=timezone.localdate)
    answers = models.JSONField(default=dict)
    # The mean of answers from 1 to 5.
    score = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )

    class Meta:
        ordering = ["answered_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="survey_score_1_to_5"
            ),
            models.UniqueConstraint(fields=["case", "timing"], name="one_survey_per_case_timing"),
        ]

    def __str__(self) -> str:
        return f"{self.case} {self.timing}"

    @property
    def audit_program_id(self) -> int:
        return self.case.program_id


# --- Reminders ----------------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    NO_CONTACT = "no_contact", _("No contact in 14 days")
    COURT_HEARING = "court_hearing", _("Court hearing within 7 days")
    NO_CLINICAL_SESSION = "no_clinical_session", _("No clinical support session this month")
    FOLLOW_UP_DUE = "follow_up_due", _("Follow-up due")
    SCHOOL_TRANSITION = "school_transition", _("A move to a new school to plan")


class ReminderSent(models.Model):
    """Which reminder e-mail went out, so the daily job sends each one once."""

    kind = models.CharField(max_length=30, choices=ReminderKind.choices)
    key = models.CharField(max_length=100)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    sent_on = models.DateField(default=timezone.localdate)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key", "recipient"], name="one_reminder_per_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


# --- Mileage and expenses -----------------------------------------------------------------


class MileageRate(models.Model):
    """What a program pays per mile from a date on, until a later rate starts. A claim keeps
    the rate of each contact's day, so a new rate never changes a claim already made."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="mileage_rates", verbose_name=_("program")
    )
    starts_on = models.DateField(_("from"))
    per_mile = models.DecimalField(
        _("dollars per mile"),
        max_digits=5,
        decimal_places=3,
        validators=[
            MinValueValidator(Decimal("0.01"), message=_("Enter a rate from 0.01 to 2.00.")),
            MaxValueValidator(Decimal("2"), message=_("Enter a rate from 0.01 to 2.00.")),
        ],
    )
    created_at = models.DateTimeField(_("saved at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saved by"),
    )

    class Meta:
        verbose_name = _("mileage rate")
        verbose_name_plural = _("mileage rates")
        ordering = ["program", "-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "starts_on"], name="one_mileage_rate_per_program_and_day"
            ),
            models.CheckConstraint(
                condition=models.Q(per_mile__gt=0, per_mile__lte=2), name="mileage_rate_0_to_2"
            ),
        ]

    def __str__(self) -> str:
        return f"${self.per_mile} {format_when(self.starts_on, 'date')}"


class ClaimStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for approval")
    SENT_BACK = "sent_back", pgettext_lazy("a claim", "Sent back")
    APPROVED = "approved", _("Approved, not paid yet")
    PAID = "paid", pgettext_lazy("a claim", "Paid")


class ExpenseClaim(VersionedModel):
    """A Parent Partner's claim for one month: the miles of their contacts that month (each
    at the rate of its day) and other expenses with a note. Submitted, then approved by a
    Program Coordinator (or sent back with the reason), then paid."""

    program = models.ForeignKey(
        Program, on_delete=models.PROTECT, related_name="expense_claims", verbose_name=_("program")
    )
    parent_partner = models.ForeignKey(
        ParentPartner,
        on_delete=models.PROTECT,
        related_name="expense_claims",
        verbose_name=_("Parent Partner"),
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month claimed."))
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.SUBMITTED
    )
    miles = models.DecimalField(_("miles"), max_digits=8, decimal_places=1, default=Decimal("0"))
    mileage_amount = models.DecimalField(
        _("for miles"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    other_amount = models.DecimalField(
        _("other expenses"), max_digits=9, decimal_places=2, default=Decimal("0")
    )
    total = models.DecimalField(_("total"), max_digits=9, decimal_places=2, default=Decimal("0"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    decided_at = models.DateTimeField(_("approved or sent back at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved or sent back by"),
    )
    decision_note = models.TextField(_("reason it was sent back"), blank=True, max_length=1000)
    paid_on = models.DateField(_("date paid"), null=True, blank=True)
    payment_reference = models.CharField(
        _("payment reference (optional)"), max_length=60, blank=True
    )
    paid_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("payment recorded by"),
    )

    class Meta:
        verbose_name = _("expense claim")
        verbose_name_plural = _("expense claims")
        ordering = ["-month", "-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["program", "status", "month"]),
            models.Index(fields=["parent_partner", "month"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="expense_claim_month_first_day"
            ),
            models.CheckConstraint(
                condition=models.Q(total=models.F("mileage_amount") + models.F("other_amount")),
                name="expense_claim_total_adds_up",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="paid") | models.Q(paid_on__isnull=False),
                name="expense_claim_paid_has_a_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.parent_partner} {format_when(self.month, 'month')}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("mentoring:claim_detail", args=[self.pk])

    @property
    def audit_program_id(self) -> int:
        return self.program_id


class ClaimedMileage(models.Model):
    """One contact's miles on a claim, as claimed: the day, the case, the miles and the rate
    are kept here, so the claim reads the same whatever later happens to the contact."""

    claim = models.ForeignKey(
        ExpenseClaim,
        on_delete=models.CASCADE,
        related_name="mileage_lines",
        verbose_name=_("expense claim"),
    )
    # One contact's miles are claimed once: a second claim for the same month takes only
    # the contacts logged since.
    activity = models.OneToOneField(
        Activity,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_mileage",
        verbose_name=_("contact"),
    )
    occurred_on = models.DateField(_("date"))
    case_number = models.CharField(_("case number"), max_length=40, blank=True)
    activity_type = models.CharField(
        _("what kind of contact"), max_length=20, choices=ActivityType.choices
    )
    miles = models.DecimalField(_("miles"), max_digits=6, decimal_places=1)
    per_mile = models.DecimalField(_("dollars per mile"), max_digits=5, decimal_places=3)
    amount = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("claimed miles")
        verbose_name_plural = _("claimed miles")
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.miles} {format_when(self.occurred_on, 'date')}"


class ClaimedExpense(models.Model):
    """Another expense on a claim (parking, a bus fare, a meal with a parent), with a note."""

    claim = models.ForeignKey(
        ExpenseClaim,
        on_delete=models.CASCADE,
        related_name="expenses",
        verbose_name=_("expense claim"),
    )
    spent_on = models.DateField(_("date"))
    description = models.CharField(_("what it was for"), max_length=200)
    amount = models.DecimalField(
        _("amount"),
        max_digits=7,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01"), message=_("Enter an amount from 0.01 to 1,000.")),
            MaxValueValidator(Decimal("1000"), message=_("Enter an amount from 0.01 to 1,000.")),
        ],
    )

    class Meta:
        verbose_name = _("other expense")
        verbose_name_plural = _("other expenses")
        ordering = ["spent_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, amount__lte=1000),
                name="claimed_expense_0_to_1000",
            )
        ]

    def __str__(self) -> str:
        return f"{self.description} ${self.amount}"


class CaseworkVersion(models.Model):
    """How many times a program's casework has changed: kept by the database, never by the
    app (migration 0023). Every statement that writes a case, an assignment, a contact, a
    follow-up, a Parent Partner, a referral, a family or its parents and children counts one
    more for each program whose families it touched, in the same transaction.

    A page made from a program's casework can then be kept and shown again for as long as the
    program's number has not moved (the Parent Partner's home): one row read tells whether
    anything it shows may have changed, however the change was written (a page, the API,
    the admin, a bulk update, a restore)."""

    # The program's id, not a foreign key: the count must never stop a program's deletion,
    # nor a write the triggers follow.
    program_id = models.BigIntegerField(primary_key=True)
    number = models.BigIntegerField(_("version number"), default=0)

    class Meta:
        verbose_name = _("casework version")
        verbose_name_plural = _("casework versions")

    def __str__(self) -> str:
        return f"{self.program_id}: {self.number}"

    @classmethod
    def advance_past_everything(cls, **kwargs: Any) -> int:
        """Give every program a number higher than any it may have had before: after a
        restore (``psp.backup.database_restored``), when the table and the sequence come back
        as they were at the backup, and the numbers counted since would otherwise be counted
        again for different casework, matching pages kept before the restore.

        The new number is the clock in microseconds, or past the highest number known if that
        is higher: numbers only count one per change, so no program can have reached it since
        the last time it was set (a million changes a second would be needed). Returns it."""
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # No writer moves a version between the highest read here and the update.
                cursor.execute("LOCK TABLE mentoring_caseworkversion IN EXCLUSIVE MODE")
            highest = (
                CaseworkVersion.objects.aggregate(highest=models.Max("number"))["highest"] or 0
            )
            number = max(int(time.time() * 1_000_000), highest + 1)
            if connection.vendor == "postgresql":
                cursor.execute("SELECT last_value FROM mentoring_casework_number")
                number = max(number, cursor.fetchone()[0] + 1)
                # The next change of any program counts from here.
                cursor.execute("SELECT setval('mentoring_casework_number', %s)", [number])
            CaseworkVersion.objects.update(number=number)
            CaseworkVersion.objects.bulk_create(
                [
                    CaseworkVersion(program_id=program, number=number)
                    for program in Program.objects.values_list("pk", flat=True)
                ],
                ignore_conflicts=True,
            )
        return number
