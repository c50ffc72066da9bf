"""People, programs and who holds which role where; the append-only audit log.

A user's power in the system comes from two places only: a ``Membership`` (a role in one
county program) or a ``statewide_role`` (state staff, administrator). Everything that
decides what a user may do reads these through ``psp.policy``.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psp.dates import format_when


class Role(models.TextChoices):
    """The roles a person can hold in one program. Permissions attach to these values."""

    PROGRAM_COORDINATOR = "program_coordinator", _("Program Coordinator")
    PARENT_PARTNER_COORDINATOR = "pp_coordinator", _("Parent Partner Coordinator")
    PARENT_PARTNER = "parent_partner", _("Parent Partner")
    CLINICAL_SUPPORT = "clinical_support", _("Clinical Support")
    SOCIAL_WORKER = "social_worker", _("Social Worker")
    # School-based programs: a teacher, counsellor or social worker of one school, who refers
    # families of that school and follows their referrals, as a social worker does.
    SCHOOL_STAFF = "school_staff", _("School staff")


class StatewideRole(models.TextChoices):
    NONE = "", _("None")
    STATE_STAFF = "state_staff", _("State staff (DCF)")
    ADMINISTRATOR = "administrator", _("Administrator")


def is_offered_language(code: str) -> bool:
    """Whether ``code`` is one of the site's languages (``settings.LANGUAGES``)."""
    return any(code == offered for offered, _name in settings.LANGUAGES)


class User(AbstractUser):
    statewide_role = models.CharField(
        _("statewide role"),
        max_length=20,
        choices=StatewideRole.choices,
        blank=True,
        default=StatewideRole.NONE,
        help_text=_("Only for DCF staff and installation administrators."),
    )
    # No choices: the languages are settings.LANGUAGES, which may grow without a migration.
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_(
            "The language of this person's pages, e-mails and reports. Empty: not chosen yet "
            "(the browser's language, and English for e-mails)."
        ),
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def language_or_default(self) -> str:
        """The language to write to this person in: their choice while the site still offers
        it, else the site's own."""
        return self.language if is_offered_language(self.language) else settings.LANGUAGE_CODE

    @property
    def is_state_staff(self) -> bool:
        return self.statewide_role == StatewideRole.STATE_STAFF

    @property
    def is_administrator(self) -> bool:
        return self.statewide_role == StatewideRole.ADMINISTRATOR or self.is_superuser


class VersionedModel(models.Model):
    """A record two people may edit at once: every save raises ``version`` by one.

    Services compare the version a form was opened with against the stored one and refuse a
    stale save (``psp.services.save_versioned``), so nobody silently overwrites anybody.
    """

    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        abstract = True


class KeepsDatabaseColumns(models.Model):
    """A model with columns the database itself keeps up to date (by triggers), named in
    ``database_kept``: ``save`` leaves them out of its UPDATE, so a row read before the
    database changed them cannot write the old values back."""

    database_kept: ClassVar[frozenset[str]] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if (
            not self._state.adding
            and kwargs.get("update_fields") is None
            and not kwargs.get("force_insert")
        ):
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in self.database_kept
            ]
        super().save(*args, **kwargs)


class ProgramType(models.TextChoices):
    CHILD_WELFARE_PSP = "psp", _("Parents Supporting Parents (child welfare)")
    PARENT_PEER_SUPPORT = "pps", _("Parent Peer Support (school-based)")


class Program(VersionedModel):
    """One county program (an Innovation Zone) or one school-based provider."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    county = models.CharField(_("county"), max_length=60)
    program_type = models.CharField(
        _("type"), max_length=10, choices=ProgramType.choices, default=ProgramType.CHILD_WELFARE_PSP
    )
    lead_agency = models.CharField(_("lead agency"), max_length=160, blank=True)
    partner_agency = models.CharField(
        _("partner agency"),
        max_length=160,
        blank=True,
        help_text=_("An agency that employs or supervises Parent Partners for the program."),
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def current_contract_period(self, on: datetime.date | None = None) -> ContractPeriod | None:
        day = on or timezone.localdate()
        for period in self.contract_periods.all():
            if period.starts_on <= day <= period.ends_on:
                return period
        return None

    @property
    def is_school_based(self) -> bool:
        """A school-based Parent Peer Support provider: schools, IEP and 504 meetings and
        transitions instead of out-of-home care, permanency and court."""
        return self.program_type == ProgramType.PARENT_PEER_SUPPORT

    def role_label(self, role: str) -> str:
        """The name this program gives a role ("Family Well-Being Coordinator")."""
        for label in self.role_labels.all():
            if label.role == role:
                return label.label
        return str(Role(role).label)


class ContractPhase(models.TextChoices):
    PLANNING = "planning", _("Planning")
    INITIAL = "initial", _("Initial implementation")
    CONTINUED = "continued", _("Continued implementation")
    RENEWAL = "renewal", _("Renewal")


class ContractPeriod(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="contract_periods")
    phase = models.CharField(_("phase"), max_length=20, choices=ContractPhase.choices)
    renewal_number = models.PositiveSmallIntegerField(
        _("renewal number"),
        null=True,
        blank=True,
        help_text=_("1 for the first renewal year."),
        validators=[
            MinValueValidator(1, message=_("Enter a renewal year from 1 to 50.")),
            MaxValueValidator(50, message=_("Enter a renewal year from 1 to 50.")),
        ],
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        ordering = ["program", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="contract_period_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        label = str(self.get_phase_display())
        if self.phase == ContractPhase.RENEWAL and self.renewal_number:
            label = f"{label} {self.renewal_number}"
        return f"{label} ({self.starts_on:%Y})"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": _("Enter an end date after the start date.")})
        if self.phase == ContractPhase.RENEWAL and not self.renewal_number:
            raise ValidationError({"renewal_number": _("Enter which renewal year this is.")})


class SchoolDistrict(models.Model):
    """A school district (a local education agency, LEA) a school-based program works with."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="districts")
    name = models.CharField(_("name"), max_length=160)

    class Meta:
        ordering = ["program", "name"]
        verbose_name = _("school district")
        constraints = [
            models.UniqueConstraint(fields=["program", "name"], name="one_district_per_name"),
        ]

    def __str__(self) -> str:
        return self.name


class School(models.Model):
    """A school of a district the program works with: where a child goes, and where a
    school staff member refers from."""

    district = models.ForeignKey(
        SchoolDistrict,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("school district"),
    )
    name = models.CharField(_("name"), max_length=160)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("school")
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="one_school_per_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_program_id(self) -> int:
        return self.district.program_id


class Membership(models.Model):
    """A user holding one role in one program. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    # School staff belong to one school of the program's districts; nobody else has one.
    school = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("school"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "role", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "program", "role"], name="one_membership_per_role"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.program}"

    def clean(self) -> None:
        if self.role == Role.SCHOOL_STAFF:
            if self.school is None:
                raise ValidationError({"school": _("Choose the school this person works at.")})
            if self.program_id and self.school.district.program_id != self.program_id:
                raise ValidationError({"school": _("Choose a school of this program's districts.")})
        elif self.school_id is not None:
            raise ValidationError({"school": _("Only school staff belong to a school.")})


class RoleLabel(models.Model):
    """A program's own name for a role; permissions stay those of ``role``."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="role_labels")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    label = models.CharField(_("label"), max_length=80)

    class Meta:
        ordering = ["program", "role"]
        constraints = [
            models.UniqueConstraint(fields=["program", "role"], name="one_label_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.program}: {self.label}"


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")


class AuditEntry(models.Model):
    """One line of the audit log. Append-only, below the ORM.

    The table is created and guarded by SQL in the migrations (``managed = False``): database
    triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) whoever asks, and Django's
    ``flush`` leaves it alone. It holds no foreign keys, so deleting a user or a record never
    deletes or rewrites its history; names are copied in at the time of the event.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    program_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        managed = False
        db_table = "psp_auditentry"
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        when = format_when(self.occurred_at, "datetime")
        return f"{when} {self.actor_username} {self.action} {self.object_repr}"


class ApiToken(models.Model):
    """A key a system (the state's, never a person's browser) uses to call the API as one
    state-staff account: read-only, made by an administrator, shown once and kept only as
    its SHA-256, expiring, revocable. Every call with it is audited (``psp.api``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("account"),
    )
    name = models.CharField(_("what it is for"), max_length=100)
    # The first characters, shown so people can tell their tokens apart; not enough to use.
    prefix = models.CharField(_("first characters"), max_length=12, editable=False)
    key_hash = models.CharField(
        _("fingerprint (SHA-256)"), max_length=64, unique=True, editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_usable(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now


class NotificationKind(models.TextChoices):
    """What a notification tells a person. Its words are written from the kind and the
    notification's ``params`` when it is shown or sent (``psp.notifications.message``), in
    the reader's language; families are named by their referral or case number only."""

    REFERRAL_ARRIVED = "referral_arrived", _("A new referral arrived")
    CONTACT_SENT_BACK = "contact_sent_back", _("A contact was sent back to you")
    CASE_ASSIGNED = "case_assigned", _("A case was assigned to you")
    HEARING_NEAR = "hearing_near", _("Court hearing within 7 days")
    FOLLOW_UP_DUE = "follow_up_due", _("A follow-up is due")
    NO_CONTACT = "no_contact", _("No contact in 14 days")
    NO_CLINICAL_SESSION = "no_clinical_session", _("No clinical support session this month")
    PUBLIC_REQUEST = "public_request", _("A parent asked for help on the public page")
    PUBLIC_INTEREST = "public_interest", _("Someone asked to become a Parent Partner")
    SCHOOL_TRANSITION = "school_transition", _("A child's move to a new school is coming")


class Notification(models.Model):
    """One thing a person is told about, in the app (the bell) and, by their choice
    (``NotificationPreference``), by e-mail. Made by ``psp.notifications.notify`` (and for the
    demo's people by its seeding, which sends no e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    program = models.ForeignKey(
        Program,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("program"),
    )
    # A path on this site ("/mentoring/cases/12/"), never another site's address.
    url = models.CharField(_("address"), max_length=300)
    # What the message needs (a referral number, an ISO date); never a family's names.
    params = models.JSONField(_("details"), default=dict, blank=True)
    # The event it is about ("<case id>:<hearing day>"): the same event is told once.
    key = models.CharField(_("event"), max_length=100)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "key"], name="one_notification_per_event"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.key})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A person's choice for one kind of notification: in the app, by e-mail, both or
    neither. No row: the kind's defaults (``psp.notifications.DEFAULTS``)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)

    class Meta:
        ordering = ["user", "kind"]
        verbose_name = _("notification choice")
        verbose_name_plural = _("notification choices")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_kind_display()}"
