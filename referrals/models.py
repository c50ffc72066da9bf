"""Families, their parents and children, and the referrals that bring them to a program.

A ``Family`` belongs to exactly one program; everything under it (parents, children,
referrals) inherits that program for permissions and the audit log. Children carry the
dates the outcome measures are computed from (removal, permanency, re-entry).
"""

from __future__ import annotations

import datetime
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from psp.models import Program, VersionedModel


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
    """Self-reported; the categories the state reports use (OMB, with Hispanic or Latino)."""

    AMERICAN_INDIAN = "american_indian", _("American Indian or Alaska Native")
    ASIAN = "asian", _("Asian")
    BLACK = "black", _("Black or African American")
    HISPANIC = "hispanic", _("Hispanic or Latino")
    PACIFIC_ISLANDER = "pacific_islander", _("Native Hawaiian or Other Pacific Islander")
    WHITE = "white", _("White")
    MULTIRACIAL = "multiracial", _("Two or more races")
    NOT_REPORTED = "not_reported", _("Prefer not to say")


class Family(VersionedModel):
    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="families")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the retention rule replaced the family's identifying details with placeholders
    # (``referrals.retention``); such a family is never anonymised again.
    anonymised_at = models.DateTimeField(_("anonymised on"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name_plural = _("families")
        ordering = ["-created_at"]

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
    race_ethnicity = models.CharField(
        _("race or ethnicity (self-reported)"),
        max_length=20,
        choices=RaceEthnicity.choices,
        default=RaceEthnicity.NOT_REPORTED,
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


class PermanencyType(models.TextChoices):
    REUNIFICATION = "reunification", _("Reunification with parents")
    GUARDIANSHIP = "guardianship", _("Guardianship")
    ADOPTION = "adoption", _("Adoption")
    RELATIVE_CUSTODY = "relative_custody", _("Living with other relatives")
    OTHER = "other", _("Other")


class Child(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="children")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    placement_status = models.CharField(
        _("where the child lives now"),
        max_length=20,
        choices=PlacementStatus.choices,
        default=PlacementStatus.AT_HOME,
    )
    out_of_home_type = models.CharField(
        _("type of out-of-home care"), max_length=20, choices=OutOfHomeCareType.choices, blank=True
    )
    removal_date = models.DateField(_("date removed from home"), null=True, blank=True)
    permanency_date = models.DateField(
        _("date of reunification or other permanency"), null=True, blank=True
    )
    permanency_type = models.CharField(
        _("type of permanency"), max_length=20, choices=PermanencyType.choices, blank=True
    )
    reentry_date = models.DateField(_("date re-entered care"), null=True, blank=True)

    class Meta:
        verbose_name_plural = _("children")
        ordering = ["birth_date", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def audit_program_id(self) -> int:
        return self.family.program_id

    def clean(self) -> None:
        errors: dict[str, str] = {}
        today = timezone.localdate()
        dates = {
            "birth_date": self.birth_date,
            "removal_date": self.removal_date,
            "permanency_date": self.permanency_date,
            "reentry_date": self.reentry_date,
        }
        for name, value in dates.items():
            if value and value > today:
                errors[name] = str(_("This date cannot be in the future."))
        if (
            "removal_date" not in errors
            and self.removal_date
            and self.birth_date
            and self.removal_date < self.birth_date
        ):
            errors["removal_date"] = str(_("The removal date must be after the date of birth."))
        if "permanency_date" not in errors and self.permanency_date:
            if not self.removal_date:
                errors["removal_date"] = str(
                    _("Enter the removal date: a permanency date needs one.")
                )
            elif self.permanency_date < self.removal_date:
                errors["permanency_date"] = str(
                    _("The reunification or permanency date must be after the removal date.")
                )
            if not self.permanency_type:
                errors["permanency_type"] = str(_("Choose the type of permanency."))
        if "reentry_date" not in errors and self.reentry_date:
            if not self.permanency_date:
                errors["reentry_date"] = str(
                    _("A child can only re-enter care after a reunification or permanency date.")
                )
            elif self.reentry_date < self.permanency_date:
                errors["reentry_date"] = str(
                    _("The re-entry date must be after the reunification or permanency date.")
                )
        if self.placement_status == PlacementStatus.OUT_OF_HOME:
            if not self.removal_date and "removal_date" not in errors:
                errors["removal_date"] = str(_("Enter the date the child was removed from home."))
            if not self.out_of_home_type:
                errors["out_of_home_type"] = str(_("Choose the type of out-of-home care."))
        elif self.out_of_home_type:
            self.out_of_home_type = ""
        if errors:
            raise ValidationError(errors)

    @property
    def days_in_out_of_home_care(self) -> int | None:
        """Days from removal to permanency (or to today while still in care)."""
        if not self.removal_date:
            return None
        end = self.permanency_date or timezone.localdate()
        return (end - self.removal_date).days


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
