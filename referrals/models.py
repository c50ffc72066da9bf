"""Families, their parents and children, and the referrals that bring them to a program.

A ``Family`` belongs to exactly one program; everything under it (parents, children,
referrals) inherits that program for permissions and the audit log. A child's stays in
out-of-home care are removal episodes, each with its placement history: the outcome measures
are computed from them.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psp.dates import format_when
from psp.models import KeepsDatabaseColumns, Program, VersionedModel
from referrals import schooling


def normalize_name(*parts: str) -> str:
    """Accent- and case-insensitive form of a name, for finding duplicates.

    "José  MARTÍNEZ" and "jose martinez" give the same key.
    """
    text = " ".join(part for part in parts if part)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.casefold().split())


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    HMONG = "hmn", _("Hmong")
    OTHER = "other", _("Other language")


class RaceEthnicity(models.TextChoices):
    """Self-reported; the categories the state reports use (OMB, with Hispanic or Latino).
    ``NOT_REPORTED`` is the parent's answer "Prefer not to say"; a parent not asked yet has
    no answer at all (a blank ``Parent.race_ethnicity``)."""

    AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic", _("Hispanic or Latino")
    PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Other Pacific Islander")
    WHITE = "white", _("White")
    MULTIRACIAL = "multiracial", _("Two or more races")
    NOT_REPORTED = "not_reported", _("Prefer not to say")


class Family(KeepsDatabaseColumns, VersionedModel):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="families")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention rule replaced the family's identifying details with placeholders
    # (``referrals.retention``); such a family is never anonymised again.
    anonymised_at = models.DateTimeField(_("anonymised on"), null=True, blank=True, editable=False)
    # Whether the family's race and ethnicity, as the quarterly report counts it, is not
    # recorded: its first parent has none recorded (blank: not asked yet), or it has no parent
    # at all. Kept by the database (triggers on the parents table, migration 0010), so that
    # the data-quality panel reads the few families it lists from an index instead of
    # comparing every family of the program with its parents. Never written by the app:
    # ``save`` leaves it out.
    race_not_recorded = models.BooleanField(default=True, editable=False)
    # The family's race or ethnicity as the reports count it: its first parent's answer, blank
    # when not asked yet or when it has no parent. Kept by the same triggers (migration 0014),
    # so the reports read a column instead of looking up each family's first parent.
    race_ethnicity = models.CharField(
        _("race or ethnicity (the first parent's)"),
        max_length=20,
        blank=True,
        default="",
        editable=False,
    )
    database_kept = frozenset({"race_not_recorded", "race_ethnicity"})

    class Meta:
        verbose_name_plural = _("families")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["program"],
                condition=models.Q(race_not_recorded=True),
                name="family_race_not_recorded",
            )
        ]

    def __str__(self) -> str:
        parent = self.parents.first()
        return str(parent) if parent else _("Family %(id)s") % {"id": self.pk}


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Said so (verbal)")
    WRITTEN = "written", _("Signed a form (written)")


class Parent(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="parents")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=Language.choices, default=Language.ENGLISH
    )
    interpreter_needed = models.BooleanField(_("needs an interpreter"), default=False)
    # Blank until the parent is asked: "Prefer not to say" is an answer the parent gives, so it
    # is never filled in for them.
    race_ethnicity = models.CharField(
        _("race or ethnicity (self-reported)"),
        max_length=20,
        choices=RaceEthnicity.choices,
        blank=True,
        default="",
    )
    consent_to_contact = models.BooleanField(_("agrees to be contacted"), default=False)
    consent_date = models.DateField(_("date of consent"), null=True, blank=True)
    consent_method = models.CharField(
        _("how the parent agreed"),
        max_length=10,
        choices=ConsentMethod.choices,
        blank=True,
        default="",
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent recorded by"),
    )
    consent_recorded_at = models.DateTimeField(_("consent recorded at"), null=True, blank=True)
    name_key = models.CharField(max_length=170, editable=False, db_index=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(consent_to_contact=True)
                | models.Q(consent_date__isnull=True, consent_method=""),
                name="no_consent_date_without_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def audit_program_id(self) -> int:
        return self.family.program_id

    @property
    def has_recorded_consent(self) -> bool:
        """Agreed to be contacted, with when and how written down."""
        return bool(self.consent_to_contact and self.consent_date and self.consent_method)

    def clean(self) -> None:
        errors: dict[str, str | Promise] = {}
        today = timezone.localdate()
        if self.birth_date and self.birth_date > today:
            errors["birth_date"] = _("Date of birth must be in the past.")
        if self.consent_to_contact:
            if not self.consent_date:
                errors["consent_date"] = _("Enter the date the parent agreed to be contacted.")
            elif self.consent_date > today:
                errors["consent_date"] = _("The date of consent cannot be in the future.")
            if not self.consent_method:
                errors["consent_method"] = _("Choose how the parent agreed.")
        elif self.consent_date or self.consent_method:
            errors["consent_to_contact"] = _(
                "Tick that the parent agrees to be contacted, or leave the date and how empty."
            )
        if errors:
            raise ValidationError(errors)
        self.name_key = normalize_name(self.first_name, self.last_name)


class PlacementStatus(models.TextChoices):
    AT_HOME = "at_home", _("At home")
    OUT_OF_HOME = "out_of_home", _("In out-of-home care")


class OutOfHomeCareType(models.TextChoices):
    RELATIVE = "relative", _("With a relative (kinship care)")
    FOSTER = "foster", _("Foster home")
    GROUP = "group", _("Group home")
    RESIDENTIAL = "residential", _("Residential care center")
    OTHER = "other", _("Other")


class DischargeReason(models.TextChoices):
    """Why a removal episode ended: AFCARS's reasons for discharge, in the program's words.

    The first four are permanency in the CFSR's sense; reunification, living with other
    relatives and guardianship are the discharges after which the CFSR measures re-entry.
    """

    REUNIFICATION = "reunification", _("Reunification with parents")
    RELATIVE_CUSTODY = "relative_custody", _("Living with other relatives")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    ADOPTION = "adoption", _("Adoption")
    EMANCIPATION = "emancipation", _("Reached adulthood (aged out)")
    OTHER = "other", _("Other")


class Sex(models.TextChoices):
    """A child's sex as the child welfare agency records it (AFCARS); blank when not recorded.
    Asked so that the outcomes comparison can match children of served families with
    children alike in the state's records (``reporting.outcomes``)."""

    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class RemovalReason(models.TextChoices):
    """Why a child was removed from home: the circumstances AFCARS records for a removal, in
    the program's words. A removal can have several."""

    NEGLECT = "neglect", _("Neglect")
    PHYSICAL_ABUSE = "physical_abuse", _("Physical abuse")
    SEXUAL_ABUSE = "sexual_abuse", _("Sexual abuse")
    PARENT_DRUG_ABUSE = "parent_drug_abuse", _("Parent's drug use")
    PARENT_ALCOHOL_ABUSE = "parent_alcohol_abuse", _("Parent's alcohol use")
    CHILD_DRUG_ABUSE = "child_drug_abuse", _("Child's drug or alcohol use")
    CHILD_BEHAVIOUR = "child_behaviour", _("Child's behaviour")
    CHILD_DISABILITY = "child_disability", _("Child's disability")
    CARETAKER_INABILITY = "caretaker_inability", _("Caretaker unable to cope")
    INADEQUATE_HOUSING = "inadequate_housing", _("Inadequate housing")
    PARENT_INCARCERATION = "parent_incarceration", _("Parent in jail or prison")
    PARENT_DEATH = "parent_death", _("Death of a parent")
    ABANDONMENT = "abandonment", _("Abandonment")
    RELINQUISHMENT = "relinquishment", _("Relinquishment")


class EducationPlan(models.TextChoices):
    """A child's special-education plan at school (school-based programs)."""

    NONE = "none", _("No plan")
    IEP = "iep", _("IEP (Individualized Education Program)")
    PLAN_504 = "504", _("504 plan")
    EVALUATION = "evaluation", _("Being evaluated for special education")


class Child(models.Model):
    """A child of the family. Where the child lives and every stay in out-of-home care are
    the child's removal episodes (``RemovalEpisode``); nothing about them is stored here, so
    there is one place to correct them."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=10, choices=Sex.choices, blank=True, default="")
    # The name without accents or case, for search (kept by ``save``).
    name_key = models.CharField(max_length=170, editable=False, default="")
    # School-based programs only (``Program.is_school_based``): the child's school, the grade
    # in the school year it was given (``referrals.schooling``: the grade moves on each July),
    # their plan, and needs the school and the family work on.
    school = models.ForeignKey(
        "psp.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("school"),
    )
    grade = models.SmallIntegerField(
        _("grade"), null=True, blank=True, choices=schooling.GRADE_CHOICES
    )
    grade_school_year = models.SmallIntegerField(
        _("school year the grade was given in"), null=True, blank=True, editable=False
    )
    education_plan = models.CharField(
        _("special-education plan"), max_length=12, choices=EducationPlan.choices, blank=True
    )
    mental_health_needs = models.BooleanField(_("has mental-health needs"), default=False)
    behaviour_needs = models.BooleanField(_("has behavioural needs"), default=False)

    class Meta:
        verbose_name_plural = _("children")
        ordering = ["birth_date", "id"]
        indexes = [
            # A family's children from the index alone, one entry each: the data-quality
            # panel goes from the quarter's closed cases to their children's stays in care.
            models.Index(fields=["family", "id"], name="child_family_id"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = normalize_name(self.first_name, self.last_name)
        fields = kwargs.get("update_fields")
        if fields is not None and {"first_name", "last_name"} & set(fields):
            kwargs["update_fields"] = [*fields, "name_key"]
        super().save(*args, **kwargs)

    @property
    def audit_program_id(self) -> int:
        return self.family.program_id

    def current_grade(self, on: datetime.date | None = None) -> int | None:
        """The grade the child is in on ``on`` (today): the grade given, moved on by each
        school year since (``referrals.schooling``)."""
        return schooling.grade_on(self.grade, self.grade_school_year, on)

    def current_grade_label(self) -> str:
        return schooling.grade_label(self.current_grade())

    @property
    def upcoming_transition(self) -> schooling.Upcoming | None:
        """The move to a new school at the end of this school year, if the child makes one."""
        return schooling.upcoming_transition(self.current_grade())

    @property
    def transition_to_plan(self) -> bool:
        """Whether that move is to be planned now (from February 1)."""
        return schooling.transition_due(self.current_grade()) is not None

    def clean(self) -> None:
        self.name_key = normalize_name(self.first_name, self.last_name)
        if self.grade is not None and self.grade_school_year is None:
            self.grade_school_year = schooling.school_year()
        if (
            self.school is not None
            and self.family_id is not None
            and self.school.district.program_id != self.family.program_id
        ):
            raise ValidationError({"school": _("Choose a school this program works with.")})
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("This date cannot be in the future.")})
        if self.birth_date and self.pk:
            removed_before_birth = self.episodes.filter(removed_on__lt=self.birth_date).exists()
            if removed_before_birth:
                raise ValidationError(
                    {
                        "birth_date": _(
                            "The child has a removal before this date of birth. Correct the "
                            "removal first, or check the date of birth."
                        )
                    }
                )

    # Reading these uses ``episodes`` as prefetched (``prefetch_related("episodes")``), so a
    # list of children costs one query for all their episodes.

    @property
    def episode_list(self) -> list[RemovalEpisode]:
        return sorted(self.episodes.all(), key=lambda episode: episode.removed_on)

    @property
    def current_episode(self) -> RemovalEpisode | None:
        """The episode the child is in care in now: the one without a discharge date."""
        return next((e for e in self.episode_list if e.discharged_on is None), None)

    @property
    def placement_status(self) -> str:
        if self.current_episode is not None:
            return PlacementStatus.OUT_OF_HOME
        return PlacementStatus.AT_HOME

    def get_placement_status_display(self) -> str:
        return str(PlacementStatus(self.placement_status).label)

    @property
    def current_placement(self) -> PlacementChange | None:
        """Where the child lives in care now: the latest placement of the open episode."""
        episode = self.current_episode
        return episode.latest_placement if episode is not None else None


class RemovalEpisode(models.Model):
    """One stay in out-of-home care: from the day the child was removed from home to the day
    they left care (empty while they are still in care), and why they left. A child who goes
    home and is removed again has a second episode.

    Ages are worked out from the child's date of birth when asked (``age_at_entry``,
    ``age_at_discharge``, and the same in the database for the report), never stored, so a
    corrected date of birth cannot leave a stale age behind.
    """

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="episodes")
    removed_on = models.DateField(_("date removed from home"))
    discharged_on = models.DateField(_("date left care"), null=True, blank=True)
    discharge_reason = models.CharField(
        _("why the child left care"), max_length=20, choices=DischargeReason.choices, blank=True
    )
    # ``RemovalReason`` values, as many as the agency recorded; empty when not known.
    removal_reasons = models.JSONField(_("why the child was removed"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["removed_on", "id"]
        indexes = [
            # A child's stays still in care, from the index alone: most stays of the history
            # have ended, and the data-quality panel looks for the ones that have not.
            models.Index(
                fields=["child", "removed_on"],
                condition=models.Q(discharged_on__isnull=True),
                name="episode_in_care",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True)
                | models.Q(discharged_on__gte=models.F("removed_on")),
                name="episode_discharged_after_removal",
            ),
            models.CheckConstraint(
                condition=models.Q(discharged_on__isnull=True, discharge_reason="")
                | models.Q(discharged_on__isnull=False) & ~models.Q(discharge_reason=""),
                name="episode_discharge_has_reason",
            ),
            models.UniqueConstraint(
                fields=["child", "removed_on"], name="one_episode_per_child_and_removal_day"
            ),
        ]

    def __str__(self) -> str:
        return _("%(child)s: removed %(day)s") % {
            "child": self.child,
            "day": format_when(self.removed_on, "date"),
        }

    @property
    def removal_reason_labels(self) -> list[str]:
        labels = dict(RemovalReason.choices)
        return [str(labels[reason]) for reason in self.removal_reasons if reason in labels]

    @property
    def audit_program_id(self) -> int:
        return self.child.family.program_id

    @property
    def is_open(self) -> bool:
        return self.discharged_on is None

    @property
    def placement_list(self) -> list[PlacementChange]:
        """Placements oldest first, from ``placements`` as prefetched."""
        return sorted(self.placements.all(), key=lambda placement: placement.started_on)

    @property
    def latest_placement(self) -> PlacementChange | None:
        placements = self.placement_list
        return placements[-1] if placements else None

    @property
    def age_at_entry(self) -> int | None:
        return age_on(self.child.birth_date, self.removed_on)

    @property
    def age_at_discharge(self) -> int | None:
        if self.discharged_on is None:
            return None
        return age_on(self.child.birth_date, self.discharged_on)

    @property
    def days_in_care(self) -> int:
        """Days from removal to discharge, or to today while the child is still in care."""
        return ((self.discharged_on or timezone.localdate()) - self.removed_on).days

    def clean(self) -> None:
        errors: dict[str, Promise | str] = {}
        today = timezone.localdate()
        birth_date = self.child.birth_date if self.child_id else None
        if self.removed_on:
            if self.removed_on > today:
                errors["removed_on"] = _("The removal date cannot be in the future.")
            elif birth_date and self.removed_on < birth_date:
                errors["removed_on"] = _("The removal date must be on or after the date of birth.")
        if self.discharged_on:
            if self.discharged_on > today:
                errors["discharged_on"] = _("The date the child left care cannot be in the future.")
            elif self.removed_on and self.discharged_on < self.removed_on:
                errors["discharged_on"] = _(
                    "The date the child left care must be on or after the removal date."
                )
            if not self.discharge_reason:
                errors["discharge_reason"] = _("Choose why the child left care.")
        elif self.discharge_reason:
            errors["discharged_on"] = _(
                "Enter the date the child left care, or leave the reason empty."
            )
        reasons = self.removal_reasons
        if not isinstance(reasons, list) or any(
            reason not in RemovalReason.values for reason in reasons
        ):
            errors["removal_reasons"] = _("Choose the reasons from the list.")
        elif len(set(reasons)) != len(reasons):
            self.removal_reasons = list(dict.fromkeys(reasons))
        if not errors and self.removed_on and self.child_id:
            clash = self.overlapping_episode()
            if clash is not None:
                errors["removed_on"] = _overlap_message(clash)
        if errors:
            raise ValidationError(errors)

    def overlapping_episode(self) -> RemovalEpisode | None:
        """Another episode of the same child sharing a day in care with this one. A child
        can be removed again on the day they went home, never before it."""
        others = RemovalEpisode.objects.filter(child_id=self.child_id).exclude(pk=self.pk)
        # Half-open stays [removed_on, discharged_on); an open one runs on for ever.
        overlapping = others.filter(
            models.Q(discharged_on__isnull=True) | models.Q(discharged_on__gt=self.removed_on)
        )
        if self.discharged_on is not None:
            overlapping = overlapping.filter(removed_on__lt=self.discharged_on)
        same_day = others.filter(removed_on=self.removed_on)
        return (overlapping | same_day).order_by("removed_on").first()


def _overlap_message(other: RemovalEpisode) -> str:
    if other.discharged_on is None:
        return _(
            "The child is still in care from an earlier removal on %(day)s. Enter the date "
            "they left care on that stay first."
        ) % {"day": format_when(other.removed_on, "date")}
    return _(
        "These dates overlap another stay in care (%(start)s to %(end)s). A child can be in "
        "only one stay at a time."
    ) % {
        "start": format_when(other.removed_on, "date"),
        "end": format_when(other.discharged_on, "date"),
    }


class PlacementChange(models.Model):
    """Where the child lived during a removal episode, from ``started_on`` until the next
    change or the end of the episode."""

    episode = models.ForeignKey(RemovalEpisode, on_delete=models.CASCADE, related_name="placements")
    started_on = models.DateField(_("date the child moved there"))
    setting = models.CharField(
        _("type of out-of-home care"), max_length=20, choices=OutOfHomeCareType.choices
    )

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "started_on"], name="one_placement_change_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_setting_display()} ({format_when(self.started_on, 'date')})"

    @property
    def audit_program_id(self) -> int:
        return self.episode.child.family.program_id

    def clean(self) -> None:
        if not self.started_on or not self.episode_id:
            return
        episode = self.episode
        if self.started_on > timezone.localdate():
            raise ValidationError({"started_on": _("This date cannot be in the future.")})
        if self.started_on < episode.removed_on:
            raise ValidationError(
                {
                    "started_on": _("Enter a date on or after the removal on %(day)s.")
                    % {"day": format_when(episode.removed_on, "date")}
                }
            )
        if episode.discharged_on is not None and self.started_on > episode.discharged_on:
            raise ValidationError(
                {
                    "started_on": _("Enter a date on or before the child left care on %(day)s.")
                    % {"day": format_when(episode.discharged_on, "date")}
                }
            )
        taken = PlacementChange.objects.filter(episode=episode, started_on=self.started_on)
        if taken.exclude(pk=self.pk).exists():
            raise ValidationError(
                {"started_on": _("This stay already has a placement starting on that day.")}
            )


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    SOON = "soon", _("Within a week")
    URGENT = "urgent", _("Urgent: within 2 days")


class Need(models.TextChoices):
    HOUSING = "housing", _("Housing")
    FOOD = "food", _("Food")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    PARENTING = "parenting", _("Parenting support")
    EMPLOYMENT = "employment", _("Work and income")
    LEGAL = "legal", _("Legal help")
    COURT = "court", _("Understanding court and the case plan")
    EDUCATION = "education", _("School and IEP meetings")
    OTHER = "other", pgettext_lazy("a need", "Other")


class Status(models.TextChoices):
    RECEIVED = "received", _("Received")
    SCREENING = "screening", _("Screening")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ASSIGNED = "assigned", _("Assigned")


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("Not eligible for the program")
    NO_CONSENT = "no_consent", _("Parent did not agree to take part")
    UNREACHABLE = "unreachable", _("Could not reach the parent")
    NO_CAPACITY = "no_capacity", _("No Parent Partner available")
    OUT_OF_AREA = "out_of_area", _("Lives outside the program's county")
    CASE_CLOSED = "case_closed", _("CPS case closed")
    OTHER = "other", _("Other reason")


class Referral(VersionedModel):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referrals")
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="referrals")
    number = models.CharField(_("referral number"), max_length=30, unique=True)
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_made",
        verbose_name=_("referred by"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_entered",
    )
    referrer_name = models.CharField(_("referrer's name"), max_length=120)
    referrer_agency = models.CharField(_("referrer's agency"), max_length=160, blank=True)
    referrer_email = models.EmailField(_("referrer's e-mail address"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    needs = models.JSONField(_("needs"), default=list, blank=True)
    reason = models.TextField(_("why the family is referred"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    status_changed_at = models.DateTimeField(default=timezone.now)
    decline_reason = models.CharField(
        _("reason for declining"), max_length=20, choices=DeclineReason.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["program", "status"]),
            models.Index(fields=["program", "received_on"]),
            # The referral list of every program (state staff, administrators), newest first.
            models.Index(fields=["received_on", "id"]),
            # The data-quality panel's referrals still waiting for a decision: few at any
            # time, however many the program has decided over the years.
            models.Index(
                fields=["program", "received_on"],
                condition=models.Q(status__in=[Status.RECEIVED, Status.SCREENING]),
                name="referral_undecided",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("referrals:detail", args=[self.pk])

    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(need, need)) for need in self.needs]

    @property
    def is_open(self) -> bool:
        return self.status in {Status.RECEIVED, Status.SCREENING, Status.ACCEPTED}


class Transition(models.Model):
    """One step of a referral through triage: who moved it, when, and why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral}: {self.from_status or '-'} -> {self.to_status}"

    @property
    def audit_program_id(self) -> int:
        return self.referral.program_id


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# --- Requests from a program's public page ------------------------------------------------


class Sender(models.TextChoices):
    SELF = "self", _("I am the parent, asking for myself")
    COMMUNITY = "community", _("I am asking for a parent I know")


class CpsCase(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNSURE = "unsure", _("Not sure")


class RequestStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    REFERRED = "referred", _("Referral made")
    CLOSED = "closed", _("Closed without a referral")


class RequestCloseReason(models.TextChoices):
    UNREACHABLE = "unreachable", _("Could not reach the parent")
    NOT_WANTED = "not_wanted", _("The parent did not want the program")
    ALREADY_REFERRED = "already_referred", _("The family is already referred")
    NOT_FOR_PROGRAM = "not_for_program", _("Not for this program")
    NOT_GENUINE = "not_genuine", _("Not a real request")


# What a program's public page asks of someone asking for a Parent Partner.
REQUEST_PUBLIC_FIELDS = (
    "sender",
    "sender_name",
    "sender_relationship",
    "sender_contact",
    "parent_agrees",
    "parent_first_name",
    "parent_last_name",
    "phone",
    "email",
    "best_time",
    "language",
    "children",
    "cps_case",
    "message",
)


class ReferralRequest(models.Model):
    """A parent, or someone who knows one, asking on the program's public page to be put in
    touch. It is not a referral: nobody has checked who wrote it. It waits for the Program
    Coordinator, who calls the parent and either makes a referral from it (the intake form
    starts filled in from it) or closes it with a reason."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="referral_requests")
    sender = models.CharField(_("who is writing"), max_length=10, choices=Sender.choices)
    sender_name = models.CharField(_("your name"), max_length=120, blank=True)
    sender_relationship = models.CharField(_("how you know the parent"), max_length=120, blank=True)
    sender_contact = models.CharField(
        _("your phone number or e-mail address"), max_length=120, blank=True
    )
    parent_first_name = models.CharField(_("parent's first name"), max_length=80)
    parent_last_name = models.CharField(_("parent's last name"), max_length=80, blank=True)
    phone = models.CharField(_("phone number"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(
        _("language the parent prefers"),
        max_length=10,
        choices=Language.choices,
        default=Language.ENGLISH,
    )
    best_time = models.CharField(_("best time to call"), max_length=120, blank=True)
    children = models.CharField(_("children and their ages"), max_length=200, blank=True)
    cps_case = models.CharField(
        _("is there a child protective services case?"),
        max_length=10,
        choices=CpsCase.choices,
        blank=True,
    )
    # Someone asking for a parent says the parent knows and agrees to be called.
    parent_agrees = models.BooleanField(_("the parent agrees to be called"), default=False)
    message = models.TextField(_("what help the parent is looking for"), max_length=2000)
    # The language of the page the form was sent from (the parent's may differ).
    page_language = models.CharField(_("language of the page"), max_length=10, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.WAITING
    )
    close_reason = models.CharField(
        _("reason"), max_length=20, choices=RequestCloseReason.choices, blank=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled"), null=True, blank=True)
    referral = models.OneToOneField(
        Referral,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_request",
        verbose_name=_("referral"),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("request from the public page")
        verbose_name_plural = _("requests from the public page")
        indexes = [
            models.Index(
                fields=["program", "received_at"],
                condition=models.Q(status="waiting"),
                name="referral_request_waiting",
            ),
        ]

    def __str__(self) -> str:
        return _("Request %(id)s") % {"id": self.pk}

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("referrals:request_detail", args=[self.pk])

    @property
    def is_waiting(self) -> bool:
        return self.status == RequestStatus.WAITING

    def clean(self) -> None:
        if not self.phone and not self.email:
            raise ValidationError(
                {
                    "phone": _(
                        "Enter a phone number or an e-mail address, so the program can reach "
                        "the parent."
                    )
                }
            )
        if self.sender == Sender.COMMUNITY:
            errors = {}
            if not self.sender_name:
                errors["sender_name"] = _("Enter your name.")
            if not self.parent_agrees:
                errors["parent_agrees"] = _(
                    "Ask the parent first: the program calls only parents who know and agree."
                )
            if errors:
                raise ValidationError(errors)
