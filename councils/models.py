"""Advisory councils, their members, meetings, recommendations and stipends; outreach events.

Each program has one Local Advisory Council (``kind="local"``, ``program`` set); the state has
one State Advisory Council (``kind="state"``, no program). Everything under a council
(members, meetings, attendance, recommendations, stipends) inherits its council for
permissions and the audit log. Outreach and education events belong to a program; a referral
whose family heard of the program at one of them is linked to it here (``ReferralSource``),
so intake (``referrals``) knows nothing of outreach.

No family records live here: council members are adults who chose to serve, and the
lived-experience flag is theirs to share.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psp.dates import format_when
from psp.models import Program, VersionedModel
from referrals.models import RaceEthnicity


class CouncilKind(models.TextChoices):
    LOCAL = "local", _("Local Advisory Council")
    STATE = "state", _("State Advisory Council")


class Council(models.Model):
    program = models.ForeignKey(
        Program,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="councils",
        verbose_name=_("program"),
        help_text=_("Empty for the State Advisory Council."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CouncilKind.choices)
    name = models.CharField(_("name"), max_length=160)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-kind", "name"]  # the State Advisory Council first, then by name
        constraints = [
            models.UniqueConstraint(
                fields=["program"],
                condition=models.Q(kind="local"),
                name="one_local_council_per_program",
                violation_error_message=_("This program already has a Local Advisory Council."),
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="state"),
                name="one_state_council",
                violation_error_message=_("There is already a State Advisory Council."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind="local", program__isnull=False)
                    | models.Q(kind="state", program__isnull=True)
                ),
                name="local_council_has_a_program",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("councils:detail", args=[self.pk])

    @property
    def is_state(self) -> bool:
        return self.kind == CouncilKind.STATE

    def clean(self) -> None:
        if self.kind == CouncilKind.LOCAL and self.program_id is None:
            raise ValidationError({"program": _("Choose the program this council advises.")})
        if self.kind == CouncilKind.STATE and self.program_id is not None:
            raise ValidationError(
                {"program": _("The State Advisory Council does not belong to a program.")}
            )


class CouncilRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice-chair")
    SECRETARY = "secretary", _("Secretary")
    MEMBER = "member", _("Member")
    STAFF = "staff", _("Staff support")


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="council_memberships",
        verbose_name=_("user account"),
        help_text=_("Lets them read the council's meetings and minutes in this system."),
    )
    name = models.CharField(_("name"), max_length=120)
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    council_role = models.CharField(
        _("role on the council"),
        max_length=20,
        choices=CouncilRole.choices,
        default=CouncilRole.MEMBER,
    )
    lived_experience = models.BooleanField(
        _("has lived experience of the child welfare system"), default=False
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    # Asked, never required, shown only in suppressed totals (the equity view).
    race_ethnicity = models.CharField(
        _("race or ethnicity"), max_length=20, choices=RaceEthnicity.choices, blank=True
    )
    term_start = models.DateField(_("term starts"), default=timezone.localdate)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["council", "user"],
                condition=models.Q(user__isnull=False),
                name="one_council_seat_per_user",
                violation_error_message=_("This person is already a member of the council."),
            ),
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True)
                | models.Q(term_end__gt=models.F("term_start")),
                name="council_term_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_program_id(self) -> int | None:
        return self.council.program_id

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            raise ValidationError({"term_end": _("Enter an end date after the start of the term.")})


class Meeting(VersionedModel):
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("date"))
    starts_at = models.TimeField(_("start time"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_link = models.URLField(_("video link"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    guests = models.TextField(_("guests"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["council", "held_on"])]

    def __str__(self) -> str:
        return _("%(council)s, %(date)s") % {
            "council": self.council.name,
            "date": format_when(self.held_on, "date"),
        }

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("councils:meeting_detail", args=[self.pk])

    @property
    def audit_program_id(self) -> int | None:
        return self.council.program_id

    @property
    def is_upcoming(self) -> bool:
        return self.held_on >= timezone.localdate()

    def clean(self) -> None:
        if not self.location and not self.video_link:
            raise ValidationError(
                {"location": _("Enter where the meeting is held, or a video link.")}
            )


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CouncilMember, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        ordering = ["member__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendance_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"

    @property
    def audit_program_id(self) -> int | None:
        return self.meeting.council.program_id

    def clean(self) -> None:
        if self.meeting_id and self.member_id and self.member.council_id != self.meeting.council_id:
            raise ValidationError(_("Only members of this council can be marked at its meetings."))


class RecommendationArea(models.TextChoices):
    PRACTICE = "practice", _("Practice")
    POLICY = "policy", _("Policy")
    PROGRAMMING = "programming", _("Programming")


class RecommendationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    UNDER_REVIEW = "under_review", _("Under review")
    ADOPTED = "adopted", _("Adopted")
    DECLINED = "declined", _("Declined")


class Recommendation(VersionedModel):
    """An idea a council puts to the agency or the state, followed until it is decided."""

    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="recommendations")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        verbose_name=_("meeting it came from"),
    )
    raised_by = models.ForeignKey(
        CouncilMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations_raised",
        verbose_name=_("whose idea it was"),
    )
    title = models.CharField(_("recommendation"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    area = models.CharField(_("area"), max_length=20, choices=RecommendationArea.choices)
    owner = models.CharField(
        _("who follows it up"),
        max_length=160,
        help_text=_("A person or an agency, for example “CPS supervisor” or “DCF policy team”."),
    )
    proposed_on = models.DateField(_("date proposed"), default=timezone.localdate)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.PROPOSED,
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    decided_on = models.DateField(_("date decided"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-proposed_on", "-id"]
        indexes = [models.Index(fields=["council", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("councils:recommendation_detail", args=[self.pk])

    @property
    def audit_program_id(self) -> int | None:
        return self.council.program_id

    @property
    def is_open(self) -> bool:
        return self.status in {RecommendationStatus.PROPOSED, RecommendationStatus.UNDER_REVIEW}

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.proposed_on and self.proposed_on > timezone.localdate():
            errors["proposed_on"] = str(_("The date proposed cannot be in the future."))
        if (
            self.council_id
            and self.meeting is not None
            and self.meeting.council_id != self.council_id
        ):
            errors["meeting"] = str(_("Choose a meeting of this council."))
        if (
            self.council_id
            and self.raised_by is not None
            and self.raised_by.council_id != self.council_id
        ):
            errors["raised_by"] = str(_("Choose a member of this council."))
        if errors:
            raise ValidationError(errors)


class RecommendationStatusChange(models.Model):
    """One step of a recommendation from proposed to adopted or declined."""

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=20, choices=RecommendationStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=RecommendationStatus.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.recommendation}: {self.from_status or '-'} -> {self.to_status}"

    @property
    def audit_program_id(self) -> int | None:
        return self.recommendation.council.program_id


class StipendStatus(models.TextChoices):
    PENDING = "pending", _("Not paid yet")
    PAID = "paid", _("Paid")


class Stipend(models.Model):
    """What a member with lived experience is paid for their time (SPEC: contributions are
    compensated). Dated by the contribution, so yearly totals include what is still unpaid."""

    member = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="stipends")
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stipends",
        verbose_name=_("meeting"),
    )
    awarded_on = models.DateField(_("date of the contribution"), default=timezone.localdate)
    amount = models.DecimalField(
        _("amount"),
        max_digits=8,
        decimal_places=2,
        validators=[
            MinValueValidator(Decimal("0.01"), message=_("Enter an amount above zero.")),
            MaxValueValidator(
                Decimal("10000"), message=_("Enter an amount of 10,000 dollars or less.")
            ),
        ],
    )
    status = models.CharField(
        _("paid?"), max_length=10, choices=StipendStatus.choices, default=StipendStatus.PENDING
    )
    paid_on = models.DateField(_("date paid"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-awarded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="stipend_amount_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__lte=10000), name="stipend_amount_at_most_10000"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.amount} ({format_when(self.awarded_on, 'date')})"

    @property
    def audit_program_id(self) -> int | None:
        return self.member.council.program_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        if self.member_id and not self.member.lived_experience:
            errors["member"] = str(
                _("Stipends are for members with lived experience. Choose one of them.")
            )
        if (
            self.member_id
            and self.meeting is not None
            and self.meeting.council_id != self.member.council_id
        ):
            errors["meeting"] = str(_("Choose a meeting of the member's council."))
        if self.awarded_on and self.awarded_on > today:
            errors["awarded_on"] = str(_("The date of the contribution cannot be in the future."))
        if self.status == StipendStatus.PAID and not self.paid_on:
            errors["paid_on"] = str(_("Enter the date the stipend was paid."))
        if self.status == StipendStatus.PENDING and self.paid_on:
            errors["paid_on"] = str(_("Remove the date paid, or mark the stipend as paid."))
        if self.paid_on and self.paid_on > today:
            errors["paid_on"] = str(_("The date paid cannot be in the future."))
        if errors:
            raise ValidationError(errors)


class AudienceType(models.TextChoices):
    AGENCY = "agency", _("Agency")
    COURT = "court", _("Court")
    SCHOOL = "school", _("School")
    COMMUNITY = "community", _("Community group")
    OTHER = "other", _("Other")


class OutreachEvent(VersionedModel):
    """A talk, training or stand where the program told others about Parent Partners."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="outreach_events")
    held_on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    audience_type = models.CharField(_("audience"), max_length=20, choices=AudienceType.choices)
    organisation = models.CharField(_("organisation"), max_length=160, blank=True)
    attendance = models.PositiveIntegerField(
        _("number of people who came"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(0, message=_("Enter 0 or more.")),
            MaxValueValidator(10_000, message=_("Enter a number of people from 0 to 10,000.")),
        ],
    )
    presenters = models.CharField(_("presenters"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_events_created",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        # The list's order, for a program and for state staff who see every program.
        indexes = [
            models.Index(fields=["program", "-held_on", "-id"], name="outreach_program_newest"),
            models.Index(fields=["-held_on", "-id"], name="outreach_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(attendance__isnull=True)
                | models.Q(attendance__gte=0, attendance__lte=10_000),
                name="outreach_attendance_0_to_10000",
            ),
        ]

    def __str__(self) -> str:
        return f"{format_when(self.held_on, 'date')} {self.title}".strip()

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("councils:outreach_detail", args=[self.pk])

    def clean(self) -> None:
        if self.attendance is not None and self.held_on and self.held_on > timezone.localdate():
            raise ValidationError(
                {"attendance": _("Enter the number of people once the event has taken place.")}
            )


class ReferralSource(models.Model):
    """The outreach event where a referred family heard of the program: at most one per
    referral, of the referral's own program. Written when the referral is entered (hook
    ``referral.created``); deleting the event leaves the referral without a source."""

    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.CASCADE,
        related_name="source",
        verbose_name=_("referral"),
    )
    event = models.ForeignKey(
        OutreachEvent,
        on_delete=models.CASCADE,
        related_name="referral_sources",
        verbose_name=_("heard about the program at"),
    )

    def __str__(self) -> str:
        return f"{self.referral} <- {self.event}"

    @property
    def audit_program_id(self) -> int:
        return int(self.referral.program_id)

    def clean(self) -> None:
        if (
            self.referral_id is not None
            and self.event_id is not None
            and self.event.program_id != self.referral.program_id
        ):
            raise ValidationError(
                {"event": _("Choose an event of the program the family is referred to.")}
            )


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
