"""Forms for mentoring. The contact log is built for a tablet in the field (UX.md 1-6)."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from mentoring.documents import EXTENSIONS, HEAD_BYTES, content_type_of
from mentoring.models import (
    CORE_TOPICS,
    SURVEY_LANGUAGES,
    Activity,
    ActivityType,
    Assignment,
    Case,
    CaseStatus,
    ClinicalSupportSession,
    ClosureOutcome,
    ContactMode,
    Document,
    DocumentType,
    EligibilityBasis,
    FollowUp,
    GoalStatus,
    Hearing,
    HearingType,
    ParentPartner,
    Participation,
    ParticipationKind,
    PermanencyGoal,
    Present,
    Resource,
    ReviewStatus,
    Stage,
    SupervisionSession,
    SurveyInstrument,
    TrainingRecord,
    closure_outcomes_for,
    contact_kinds_for,
    is_in_future,
    present_for,
    question_text,
)
from mentoring.selectors import follow_up_owners, no_contact_in_14_days
from psp.filters import FilterSet, OrderingFilter
from psp.forms import (
    DateField,
    IsoDateInput,
    ModelForm,
    RecentDateInput,
    SplitDateField,
    VersionField,
    set_choices,
)
from psp.models import Program, User
from psp.public import SpamTrapForm
from referrals.models import DischargeReason, Language, RemovalEpisode
from referrals.selectors import search

DURATION_CHOICES = [
    ("15", _("15 min")),
    ("30", _("30 min")),
    ("45", _("45 min")),
    ("60", _("1 hour")),
    ("90", _("1½ hours")),
    ("120", _("2 hours")),
    ("180", _("3 hours")),
    ("240", _("4 hours")),
]


class ParentPartnerForm(ModelForm):
    version = VersionField(required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages they speak with families"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = ParentPartner
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "user",
            "employer",
            "eligibility_basis",
            "eligibility_date",
            "languages",
            "cultural_communities",
            "race_ethnicity",
            "trained_by",
            "capacity",
            "notes",
        ]
        labels = {
            "cultural_communities": _("Cultural communities they are part of (optional)"),
            "race_ethnicity": _("Race or ethnicity (optional; ask, never require)"),
            "trained_by": _("Trained by (optional)"),
            "email": _("E-mail address (optional)"),
            "phone": _("Phone number (optional)"),
            "user": _("Sign-in account (optional until they start)"),
            "notes": _("Notes (optional)"),
        }
        widgets = {
            "eligibility_basis": forms.RadioSelect,
            "employer": forms.RadioSelect,
            "eligibility_date": RecentDateInput,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        accounts: QuerySet[User],
        programs: QuerySet[Program] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = accounts  # type: ignore[attr-defined]
        if not self.instance.pk:
            del self.fields["version"]
        elif not self.is_bound:
            self.initial["version"] = self.instance.version
        if programs is not None and len(programs) > 1:
            # A coordinator of several programs says which one the person will work in.
            self.fields["program"] = forms.ModelChoiceField(
                label=_("Program"),
                queryset=programs,
                widget=forms.RadioSelect,
                empty_label=None,
                error_messages={"required": _("Choose the program they will work in.")},
            )
            self.order_fields(["program"])


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput)
    version = VersionField()
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=500)


class AssignForm(forms.Form):
    parent_partner = forms.ModelChoiceField(
        label=_("Parent Partner"),
        queryset=ParentPartner.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose a Parent Partner.")},
    )
    confirm_over_capacity = forms.BooleanField(required=False, widget=forms.HiddenInput)
    confirm_language = forms.BooleanField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why a new Parent Partner? (optional)"), required=False, max_length=200
    )

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_partner"].queryset = partners  # type: ignore[attr-defined]


class CaseForm(ModelForm):
    version = VersionField()

    class Meta:
        model = Case
        fields = ["permanency_goal"]
        widgets = {"permanency_goal": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        school_based = self.instance.program.is_school_based
        if school_based:
            # No child is in out-of-home care: there is no permanency goal to set.
            del self.fields["permanency_goal"]
        else:
            set_choices(self, "permanency_goal", list(PermanencyGoal.choices))
        if self.instance.status == CaseStatus.CLOSED:
            # A closed case's outcome can be corrected (or given, when it was left out).
            self.fields["closure_outcome"] = forms.ChoiceField(
                label=_("How the case ended"),
                choices=closure_outcomes_for(school_based),
                widget=forms.RadioSelect,
                initial=self.instance.closure_outcome or None,
                error_messages={"required": _("Choose how the case ended.")},
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "closure_outcome" in cleaned:
            # Not one of Meta.fields: given to the record here, before the model's own
            # checks (a closed case needs an outcome) run on it.
            self.instance.closure_outcome = cleaned["closure_outcome"]
        return cleaned


class FollowUpForm(ModelForm):
    """A follow-up on a case: what, by when, and who does it (someone on the case)."""

    version = VersionField(required=False)
    due_on = DateField(
        label=_("By"),
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
        error_messages={"required": _("Enter the day it should be done by.")},
    )

    class Meta:
        model = FollowUp
        fields = ["what", "due_on", "owner"]
        labels = {"what": _("What to do"), "owner": _("Who does it")}
        widgets = {"owner": forms.RadioSelect}
        error_messages = {
            "what": {"required": _("Write what is to be done.")},
            "owner": {"required": _("Choose who does it.")},
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.case = case
        owners = self.fields["owner"]
        choices = follow_up_owners(case)
        if self.instance.owner_id:  # kept on offer, even if they have left the case since
            choices = (choices | User.objects.filter(pk=self.instance.owner_id)).distinct()
        owners.queryset = choices  # type: ignore[attr-defined]
        owners.empty_label = None  # type: ignore[attr-defined]
        owners.label_from_instance = lambda user: user.get_full_name() or user.email  # type: ignore[attr-defined]
        self.fields["what"].widget.attrs.setdefault("class", "form-control form-control-lg")


class HearingForm(ModelForm):
    """A court hearing: one the court set (date, and the rest when known) or one held (what
    the court decided), with the next hearing the court set."""

    version = VersionField(required=False)
    day = DateField(
        label=_("Date of the hearing"),
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
        error_messages={"required": _("Enter the date of the hearing.")},
    )
    next_day = DateField(
        label=_("Next hearing date (optional)"),
        required=False,
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
        help_text=_("If the court set one. It is added to the case's hearings."),
    )
    next_time = forms.TimeField(
        label=_("Next hearing time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-lg"}),
    )

    class Meta:
        model = Hearing
        fields = ["day", "time", "hearing_type", "court", "judge", "outcome"]
        widgets = {
            "time": forms.TimeInput(
                attrs={"type": "time", "class": "form-control form-control-lg"}
            ),
            "hearing_type": forms.RadioSelect,
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"hearing_type": _("Kind of hearing (optional)")}
        help_texts = {
            "outcome": _("Once it was held: orders, findings, what the parent needs to do.")
        }

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.case = case
        kinds = HearingType.objects.filter(active=True).filter(
            models.Q(program=None) | models.Q(program_id=case.program_id)
        )
        self.fields["hearing_type"].queryset = kinds  # type: ignore[attr-defined]
        self.fields["hearing_type"].empty_label = None  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["version"].required = True
            if not self.is_bound:
                self.initial["version"] = self.instance.version
            # The next hearing is added from the hearing it was set at, not from every edit.
            del self.fields["next_day"], self.fields["next_time"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, next_day = cleaned.get("day"), cleaned.get("next_day")
        if day and next_day and next_day <= day:
            self.add_error("next_day", _("Enter a date after this hearing."))
        if cleaned.get("next_time") and not next_day:
            self.add_error(
                "next_day", _("Enter the date of the next hearing, or leave its time empty.")
            )
        return cleaned


class DocumentForm(ModelForm):
    """A document to keep with a referral or a case. The file is taken for what its content
    is (a PDF or a picture), whatever its name says."""

    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose the file of the document."),
            "empty": _("This file is empty. Choose the file of the document again."),
            "invalid": _("Choose the file of the document."),
            "missing": _("Choose the file of the document."),
        },
        widget=forms.FileInput(
            attrs={
                "class": "form-control form-control-lg",
                "accept": ",".join([*EXTENSIONS, *EXTENSIONS.values()]),
            }
        ),
    )

    class Meta:
        model = Document
        fields = ["document_type", "dated_on", "expires_on", "description"]
        labels = {"document_type": _("Type of document"), "description": _("Note (optional)")}
        widgets = {
            "document_type": forms.RadioSelect,
            "dated_on": IsoDateInput(attrs={"class": "form-control form-control-lg"}),
            "expires_on": IsoDateInput(attrs={"class": "form-control form-control-lg"}),
        }
        help_texts = {
            "dated_on": _("The day it was signed or issued."),
            "expires_on": _("For a release of information or an order that ends on a date."),
            "description": _("For example, who signed it or what it allows."),
        }
        error_messages = {
            "document_type": {"required": _("Choose the type of document.")},
            "dated_on": {"required": _("Enter the date of the document.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A type is chosen from the list: no empty "---------" choice among the radios.
        set_choices(self, "document_type", DocumentType.choices)
        limit = filesizeformat(settings.PSP_DOCUMENT_MAX_BYTES)
        self.fields["file"].help_text = _(
            "A PDF, or a photo or scan (PNG, JPEG or WebP), up to %(limit)s."
        ) % {"limit": limit}
        self.content_type: str | None = None

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.PSP_DOCUMENT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "This file is larger than %(limit)s. Choose a smaller file, or scan the "
                    "document again at a lower quality."
                ),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        upload.seek(0)
        head = upload.read(HEAD_BYTES)
        upload.seek(0)
        self.content_type = content_type_of(head)
        if self.content_type is None:
            raise forms.ValidationError(
                _(
                    "This file is not a PDF or a picture (PNG, JPEG or WebP), whatever its name "
                    "says. Choose a PDF, or a photo or scan of the document."
                ),
                code="not_a_document",
            )
        return upload


class GoalForm(forms.Form):
    text = forms.CharField(
        label=_("Goal from the case plan"),
        max_length=300,
        error_messages={"required": _("Enter the goal.")},
    )


class ProgressForm(forms.Form):
    note = forms.CharField(
        label=_("Progress"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": _("Write what has happened with this goal.")},
    )
    status = forms.ChoiceField(label=_("Where the goal stands"), choices=GoalStatus.choices)
    shared_with_referrer = forms.BooleanField(
        label=_("Share this with the referring social worker"), required=False, initial=True
    )


class CloseCaseForm(forms.Form):
    version = VersionField()
    closed_on = DateField(label=_("Date the case closed"), widget=RecentDateInput)
    outcome = forms.ChoiceField(
        label=_("How did it end?"), choices=ClosureOutcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Closing note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, school_based: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "outcome", closure_outcomes_for(school_based))

    def clean_closed_on(self) -> datetime.date:
        day = self.cleaned_data["closed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The closing date cannot be in the future."))
        return day


class ChildOutcomeForm(ModelForm):
    """A child still in care when the case closes: the day they left care and why, which
    closes their open removal episode. Both left empty: the child is still in care."""

    class Meta:
        model = RemovalEpisode
        fields = ["discharged_on", "discharge_reason"]
        labels = {
            "discharged_on": _("Date the child left care (optional)"),
            "discharge_reason": _("Why the child left care"),
        }
        help_texts = {
            "discharged_on": _("Leave empty if the child is still in out-of-home care."),
        }
        widgets = {"discharged_on": IsoDateInput(), "discharge_reason": forms.RadioSelect}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "discharge_reason", list(DischargeReason.choices))
        self.fields["discharge_reason"].required = False
        self.summary_prefix = str(self.instance.child)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        missing_date = not cleaned.get("discharged_on") and "discharged_on" not in self.errors
        if cleaned.get("discharge_reason") and missing_date:
            self.add_error(
                "discharged_on",
                _("Enter the date the child left care, or leave the reason empty."),
            )
        return cleaned


CONTACT_IN_FUTURE = _("A contact cannot be in the future.")
RESOURCE_NEEDED = _("Choose the resource the family was connected to.")


class ActivityForm(ModelForm):
    """One screen, in the order a Parent Partner thinks: family, date, what, how, how long,
    notes. Radios as full-width rows; types in the order this person uses them most."""

    # Where the model's errors about stored fields show on this form.
    error_fields = {"occurred_on": "date", "occurred_time": "time", "duration_minutes": "duration"}

    client_uuid = forms.UUIDField(widget=forms.HiddenInput)
    case = forms.ModelChoiceField(
        label=_("Family"),
        queryset=Case.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the family.")},
    )
    date = DateField(
        label=_("Date"),
        widget=RecentDateInput,
        error_messages={"required": _("Enter the date of the contact.")},
    )
    time = forms.TimeField(
        label=_("Time (optional)"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time", "class": "form-control form-control-lg"}),
    )
    duration = forms.ChoiceField(
        label=_("How long"),
        choices=DURATION_CHOICES,
        widget=forms.RadioSelect(attrs={"class": "chip-radio"}),
        error_messages={"required": _("Choose how long the contact took.")},
    )
    present = forms.MultipleChoiceField(
        label=_("Who was there (optional)"),
        choices=Present.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    next_step_due = DateField(
        label=_("Next step by (optional)"),
        required=False,
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
        help_text=_("Left empty: a week after the contact. It goes on your follow-ups."),
    )

    class Meta:
        model = Activity
        fields = [
            "activity_type",
            "mode",
            "location",
            "notes",
            "mileage",
            "next_step",
            "next_court_date",
            "resource",
        ]
        labels = {
            "next_court_date": _("Next hearing date (optional)"),
            "activity_type": _("What kind of contact"),
            "mode": _("How"),
            "location": _("Where (optional)"),
            "notes": _("Notes (optional)"),
            "mileage": _("Miles driven (optional)"),
            "next_step": _("Next step (optional)"),
            "resource": _("Which resource"),
        }
        help_texts = {
            "notes": _("What happened and how the parent is doing. Keep it short."),
            "next_court_date": _("If the court set one. The case will show it."),
        }
        widgets = {
            "next_court_date": IsoDateInput(attrs={"class": "form-control form-control-lg"}),
            "activity_type": forms.RadioSelect,
            "mode": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "mileage": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1", "min": "0"}),
        }
        error_messages = {
            "activity_type": {"required": _("Choose what kind of contact it was.")},
            "mode": {"required": _("Choose how the contact happened.")},
        }

    def __init__(
        self,
        *args: Any,
        cases: QuerySet[Case],
        resources: QuerySet[Resource],
        type_order: list[str],
        school_based: frozenset[bool] = frozenset({False}),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        self.fields["case"].label_from_instance = _family_label  # type: ignore[attr-defined]
        self.fields["resource"].queryset = resources  # type: ignore[attr-defined]
        self.fields["resource"].required = False
        # The kinds of contact of the programs these families are in (``school_based``: the
        # kinds of program among them): a school-based program's, a child-welfare program's.
        offered = [
            kind
            for kind in ActivityType
            if any(kind in contact_kinds_for(school) for school in school_based)
        ]
        self.offers_court = ActivityType.COURT_HEARING in offered
        set_choices(
            self,
            "present",
            [
                (person.value, person.label)
                for person in Present
                if any(person in present_for(school) for school in school_based)
            ],
        )
        ranked = {kind: index for index, kind in enumerate(type_order)}
        set_choices(
            self,
            "activity_type",
            sorted(
                [(kind.value, kind.label) for kind in offered],
                key=lambda choice: ranked.get(choice[0], len(ranked)),
            ),
        )
        set_choices(self, "mode", list(ContactMode.choices))
        self.fields["mileage"].required = False
        if self.instance.pk:
            self.initial.setdefault("date", self.instance.occurred_on)
            self.initial.setdefault("time", self.instance.occurred_time)
            self.initial.setdefault("duration", str(self.instance.duration_minutes))
            self.initial.setdefault("present", self.instance.present)
            self.initial.setdefault("case", self.instance.case_id)
            self.initial.setdefault("client_uuid", self.instance.client_uuid)
            follow_up = FollowUp.objects.filter(from_contact=self.instance).first()
            if follow_up is not None:
                self.initial.setdefault("next_step_due", follow_up.due_on)
        else:
            self.initial.setdefault("date", timezone.localdate())
            self.initial.setdefault("client_uuid", uuid.uuid4())
            if len(cases) == 1:
                self.initial.setdefault("case", cases[0].pk)

    def offline_checks(self) -> dict[str, Any]:
        """What the tablet checks before it keeps a contact made without a connection
        (static/js/activity_form.js), in the words the server would use: the fields that
        must be answered, the resource for a resource contact, and no day after today."""
        return {
            "required": {
                name: str(field.error_messages["required"])
                for name, field in self.fields.items()
                if field.required and not field.widget.is_hidden
            },
            "resource": str(RESOURCE_NEEDED),
            "future": str(CONTACT_IN_FUTURE),
            "title": str(_("There is a problem")),
        }

    def clean_mileage(self) -> Any:
        return self.cleaned_data.get("mileage") or 0

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, time = cleaned.get("date"), cleaned.get("time")
        if day:
            if is_in_future(day, time):
                self.add_error("date" if day > timezone.localdate() else "time", CONTACT_IN_FUTURE)
            cleaned["occurred_on"] = day
            cleaned["occurred_time"] = time.replace(second=0, microsecond=0) if time else None
        if cleaned.get("duration"):
            cleaned["duration_minutes"] = int(cleaned["duration"])
        if cleaned.get("activity_type") == ActivityType.RESOURCE_LINKAGE and not cleaned.get(
            "resource"
        ):
            self.add_error("resource", RESOURCE_NEEDED)

        due = cleaned.get("next_step_due")
        if due and not (cleaned.get("next_step") or "").strip():
            self.add_error("next_step", _("Write the next step, or leave its day empty."))
        elif due and day and due < day:
            self.add_error("next_step_due", _("Enter a day on or after the contact."))
        if cleaned.get("activity_type") != ActivityType.COURT_HEARING:
            cleaned["next_court_date"] = None
        elif cleaned.get("next_court_date") and day and cleaned["next_court_date"] <= day:
            self.add_error("next_court_date", _("Enter a date after the hearing you went to."))
        return cleaned

    def _post_clean(self) -> None:
        # The instance is validated by the service once the case and times are set.
        pass


def _family_label(case: Case) -> str:
    parents = list(case.family.parents.all())
    names = " & ".join(f"{parent.first_name} {parent.last_name}" for parent in parents)
    return f"{names} ({case.referral.number})"


class ReviewForm(forms.Form):
    version = VersionField()
    decision = forms.ChoiceField(
        choices=[("sign_off", _("Sign off")), ("send_back", _("Send back"))],
        widget=forms.HiddenInput,
    )
    comment = forms.CharField(
        label=_("Comment for the Parent Partner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "send_back" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("Tell the Parent Partner what to change."))
        return cleaned


class CaseFilter(FilterSet):
    """The case list's filters, all in the URL so Back and bookmarks keep them."""

    OVERDUE = "overdue"
    HEARING = "hearing"
    not_counted = frozenset({"sort", "status"})  # the status has its own tabs

    q = django_filters.CharFilter(label=_("Name or number"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=CaseStatus.choices, empty_label=_("Open or closed")
    )
    parent_partner = django_filters.ModelChoiceFilter(
        label=_("Parent Partner"),
        queryset=ParentPartner.objects.none(),
        empty_label=_("Anyone"),
        method="filter_parent_partner",
    )
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=Program.objects.none(), empty_label=_("All my programs")
    )
    attention = django_filters.ChoiceFilter(
        label=_("Needs attention"),
        choices=[
            (OVERDUE, _("No contact in 14 days")),
            (HEARING, _("Court hearing in the next 7 days")),
        ],
        empty_label=_("Show all"),
        method="filter_attention",
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("opened_on", "opened"),
            ("last_contact", "contact"),
            ("next_court_date", "hearing"),
        ),
        field_labels={
            "opened_on": _("Date opened"),
            "last_contact": _("Last contact"),
            "next_court_date": _("Next court hearing"),
        },
        empty_label=_("Newest first"),
    )

    # The status is not in the panel: the list's tabs choose it, the panel carries it along.
    panel = (("q", 6), ("attention", 6), ("parent_partner", 4), ("program", 4), ("sort", 4))
    hidden_without_choice = frozenset({"parent_partner", "program"})

    class Meta:
        model = Case
        fields = ["q", "status", "parent_partner", "program", "attention"]

    def __init__(
        self,
        *args: Any,
        partners: QuerySet[ParentPartner],
        programs: QuerySet[Program],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("parent_partner", partners)
        self.limit_choices("program", programs)

    def filter_search(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        return search(queryset, value, number="referral__number")

    def filter_parent_partner(
        self, queryset: QuerySet[Case], name: str, value: ParentPartner
    ) -> QuerySet[Case]:
        current = Assignment.objects.filter(parent_partner=value, ended_on__isnull=True)
        return queryset.filter(pk__in=current.values("case_id"))

    def filter_attention(self, queryset: QuerySet[Case], name: str, value: str) -> QuerySet[Case]:
        open_cases = queryset.filter(status=CaseStatus.OPEN)
        if value == self.OVERDUE:
            return open_cases.filter(no_contact_in_14_days(timezone.localdate()))
        today = timezone.localdate()
        return open_cases.filter(
            next_court_date__gte=today, next_court_date__lte=today + datetime.timedelta(days=7)
        )


class ActivityFilter(FilterSet):
    review_status = django_filters.ChoiceFilter(
        label=_("Review"), choices=ReviewStatus.choices, empty_label=_("Any")
    )
    activity_type = django_filters.ChoiceFilter(
        label=_("Kind of contact"), choices=ActivityType.choices, empty_label=_("Any kind")
    )
    parent_partner = django_filters.ModelChoiceFilter(
        label=_("Parent Partner"), queryset=ParentPartner.objects.none(), empty_label=_("Anyone")
    )
    date_from = django_filters.DateFilter(
        label=_("From"),
        field_name="occurred_on",
        lookup_expr="gte",
        widget=IsoDateInput(),
    )
    date_to = django_filters.DateFilter(
        label=_("To"),
        field_name="occurred_on",
        lookup_expr="lte",
        widget=IsoDateInput(),
    )

    panel = (
        ("review_status", 4),
        ("activity_type", 4),
        ("parent_partner", 4),
        ("date_from", 4),
        ("date_to", 4),
    )

    class Meta:
        model = Activity
        fields = ["review_status", "activity_type", "parent_partner", "date_from", "date_to"]

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("parent_partner", partners)


class ReviewFilter(FilterSet):
    """The review queue's filters: one Parent Partner's contacts, one family's."""

    parent_partner = django_filters.ModelChoiceFilter(
        label=_("Parent Partner"), queryset=ParentPartner.objects.none(), empty_label=_("Anyone")
    )
    family = django_filters.CharFilter(label=_("Family name or number"), method="filter_family")

    panel = (("parent_partner", 4), ("family", 4))

    class Meta:
        model = Activity
        fields = ["parent_partner", "family"]

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("parent_partner", partners)

    def filter_family(
        self, queryset: QuerySet[Activity], name: str, value: str
    ) -> QuerySet[Activity]:
        return search(queryset, value, number="case__referral__number", family="case__family")


class BulkSignOffForm(forms.Form):
    """Contacts chosen in the review queue to sign off together, each at the version the
    coordinator read (``version-<id>``): one changed since is left for them to read again."""

    activity = forms.ModelMultipleChoiceField(
        queryset=Activity.objects.none(),
        error_messages={
            "required": _("Choose the contacts to sign off."),
            "invalid_choice": _("A contact you chose is no longer waiting for review."),
            "invalid_pk_value": _("A contact you chose is no longer waiting for review."),
        },
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    MAX = 100

    def __init__(self, *args: Any, waiting: QuerySet[Activity], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = waiting  # type: ignore[attr-defined]

    def clean_activity(self) -> list[Activity]:
        chosen = list(self.cleaned_data["activity"])
        if len(chosen) > self.MAX:
            raise forms.ValidationError(
                _("Sign off at most %(max)s contacts at once.") % {"max": self.MAX}
            )
        return chosen

    def versions(self) -> dict[int, int | None]:
        """The version of each chosen contact the coordinator read; None when not sent or
        not a number (that contact is then left, not signed off unread)."""
        found: dict[int, int | None] = {}
        for activity in self.cleaned_data.get("activity", []):
            raw = self.data.get(f"version-{activity.pk}", "")
            found[activity.pk] = (
                int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
            )
        return found


class ResourceForm(ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages they serve in (optional)"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Resource
        fields = [
            "name",
            "category",
            "description",
            "phone",
            "website",
            "address",
            "languages",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"name": {"required": _("Enter the name of the resource.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["website"].assume_scheme = "https"  # type: ignore[attr-defined]


class SupervisionForm(ModelForm):
    class Meta:
        model = SupervisionSession
        fields = ["parent_partner", "held_on", "duration_minutes", "topics"]
        labels = {"parent_partner": _("Parent Partner")}
        widgets = {"held_on": RecentDateInput, "topics": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_partner"].queryset = partners  # type: ignore[attr-defined]
        self.initial.setdefault("held_on", timezone.localdate())

    def clean_held_on(self) -> datetime.date:
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class ClinicalSessionForm(ModelForm):
    class Meta:
        model = ClinicalSupportSession
        fields = ["held_on", "duration_minutes", "attendees"]
        widgets = {"held_on": RecentDateInput, "attendees": forms.CheckboxSelectMultiple}
        help_texts = {
            "attendees": _("Only who came. Nothing said in the session is recorded here.")
        }

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = partners  # type: ignore[attr-defined]
        self.fields["attendees"].required = False
        self.initial.setdefault("held_on", timezone.localdate())

    def clean_held_on(self) -> datetime.date:
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class TrainingForm(ModelForm):
    class Meta:
        model = TrainingRecord
        fields = ["parent_partner", "topic", "title", "completed_on", "hours", "provider"]
        labels = {"parent_partner": _("Parent Partner")}
        widgets = {"completed_on": RecentDateInput}

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_partner"].queryset = partners  # type: ignore[attr-defined]


class ParticipationForm(ModelForm):
    class Meta:
        model = Participation
        fields = ["parent_partner", "kind", "title", "held_on", "hours", "amount", "paid_on"]
        labels = {
            "title": _("What it was"),
            "held_on": _("Date"),
            "amount": _("Paid for their time, in dollars (optional)"),
            "paid_on": _("Date paid (optional)"),
        }
        help_texts = {
            "title": _("For example: “Local Advisory Council”, or the training's title."),
            "amount": _("Leave 0 when it was unpaid."),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "held_on": RecentDateInput,
            "paid_on": IsoDateInput(attrs={"class": "form-control form-control-lg"}),
            "amount": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0"}),
            "hours": forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.25", "min": "0"}),
        }

    def __init__(self, *args: Any, partners: QuerySet[ParentPartner], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent_partner"].queryset = partners  # type: ignore[attr-defined]
        self.fields["amount"].required = False
        set_choices(self, "kind", list(ParticipationKind.choices))

    def clean_amount(self) -> Any:
        return self.cleaned_data.get("amount") or Decimal("0")


class CoreTopicsForm(forms.Form):
    topics = forms.MultipleChoiceField(
        label=_("Core topics every Parent Partner completes before starting work"),
        choices=[(topic.value, topic.label) for topic in CORE_TOPICS],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one core topic.")},
    )


class SurveyForm(forms.Form):
    """The parent's answers, 1 (not at all) to 5 (very much), one radio row per question."""

    SCALE = [
        ("1", _("1 – Not at all")),
        ("2", "2"),
        ("3", "3"),
        ("4", "4"),
        ("5", _("5 – Very much")),
    ]

    answered_on = DateField(label=_("Date"), widget=RecentDateInput)

    def __init__(
        self, *args: Any, instrument: SurveyInstrument, language: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("answered_on", timezone.localdate())
        page_language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
        for question in instrument.questions:
            text, written_in = question_text(question, language)
            missing = language in SURVEY_LANGUAGES and written_in != language
            self.fields[f"q_{question['key']}"] = forms.ChoiceField(
                # The question says which language it is in when the page is in another.
                label=text
                if written_in == page_language
                else format_html('<span lang="{}">{}</span>', written_in, text),
                help_text=_(
                    "This question has no %(language)s words yet: read it in English, with an "
                    "interpreter."
                )
                % {"language": Language(language).label}
                if missing
                else "",
                choices=self.SCALE,
                widget=forms.RadioSelect(attrs={"class": "chip-radio"}),
                error_messages={"required": _("Choose an answer from 1 to 5.")},
            )

    def clean_answered_on(self) -> datetime.date:
        day = self.cleaned_data["answered_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def answers(self) -> dict[str, int]:
        return {
            name.removeprefix("q_"): int(value)
            for name, value in self.cleaned_data.items()
            if name.startswith("q_")
        }


# --- Mileage and expenses -------------------------------------------------------------------

MONEY_WIDGET = forms.NumberInput(
    attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal", "class": "form-control"}
)


class ClaimExpenseForm(forms.Form):
    """Another expense on a claim. A row left empty is not an expense."""

    spent_on = DateField(
        label=_("Date"),
        required=False,
        widget=IsoDateInput(attrs={"class": "form-control"}),
    )
    description = forms.CharField(
        label=_("What it was for"),
        max_length=200,
        required=False,
        help_text=_("For example: parking at the courthouse."),
    )
    amount = forms.DecimalField(
        label=_("Amount in dollars"),
        required=False,
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("1000"),
        widget=MONEY_WIDGET,
        error_messages={
            "invalid": _("Enter the amount as a number, for example 12.50."),
            "min_value": _("Enter an amount from 0.01 to 1,000."),
            "max_value": _("Enter an amount from 0.01 to 1,000."),
            "max_digits": _("Enter an amount from 0.01 to 1,000."),
            "max_decimal_places": _("Enter the amount in dollars and cents, like 12.50."),
        },
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        given = [cleaned.get(name) for name in ("spent_on", "description", "amount")]
        if any(given) and not all(given):
            if not cleaned.get("spent_on") and "spent_on" not in self.errors:
                self.add_error("spent_on", _("Enter the date of the expense."))
            if not cleaned.get("description"):
                self.add_error("description", _("Say what the expense was for."))
            if not cleaned.get("amount") and "amount" not in self.errors:
                self.add_error("amount", _("Enter the amount, for example 12.50."))
        return cleaned

    @property
    def expense(self) -> dict[str, Any] | None:
        cleaned = getattr(self, "cleaned_data", {})
        if cleaned.get("spent_on") and cleaned.get("description") and cleaned.get("amount"):
            return {name: cleaned[name] for name in ("spent_on", "description", "amount")}
        return None


# Enough rows for a month's receipts; ``absolute_max`` stops a tampered TOTAL_FORMS.
ClaimExpenseFormSet = forms.formset_factory(
    ClaimExpenseForm, extra=3, max_num=20, absolute_max=20, validate_max=True
)


def claim_expense_formset(data: Any, *, initial: list[dict[str, Any]] | None = None) -> Any:
    return ClaimExpenseFormSet(data, prefix="expenses", initial=initial)


class ClaimForm(forms.Form):
    version = VersionField(required=False)
    confirm = forms.BooleanField(
        label=_("I drove these miles and paid these expenses for the program's work."),
        error_messages={"required": _("Confirm the miles and expenses are for the program.")},
    )


class ClaimDecisionForm(forms.Form):
    version = VersionField()
    decision = forms.ChoiceField(
        label=_("Your decision"),
        choices=[
            ("approve", _("Approve the claim")),
            ("send_back", _("Send it back to the Parent Partner")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to approve the claim or to send it back.")},
    )
    note = forms.CharField(
        label=_("Reason it is sent back"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when sending it back: what the Parent Partner should change."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == "send_back" and not cleaned.get("note", "").strip():
            self.add_error("note", _("Say why the claim is sent back."))
        return cleaned


class ClaimPaymentForm(forms.Form):
    version = VersionField()
    paid_on = DateField(
        label=_("Date paid"),
        widget=RecentDateInput,
        error_messages={"required": _("Enter the date the claim was paid.")},
    )
    reference = forms.CharField(
        label=_("Payment reference (optional)"),
        required=False,
        max_length=60,
        help_text=_("The check number or the payroll batch, as finance calls it."),
    )


class MileageRateForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your programs.")},
    )
    starts_on = DateField(
        label=_("From"),
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
        help_text=_("The rate is paid for miles driven on this day and after."),
        error_messages={"required": _("Enter the first day of the rate.")},
    )
    per_mile = forms.DecimalField(
        label=_("Dollars per mile"),
        max_digits=5,
        decimal_places=3,
        min_value=Decimal("0.01"),
        max_value=Decimal("2"),
        widget=forms.NumberInput(
            attrs={"step": "0.001", "min": "0.01", "max": "2", "inputmode": "decimal"}
        ),
        help_text=_("For example 0.70 for 70 cents a mile."),
        error_messages={
            "required": _("Enter the rate, for example 0.70."),
            "invalid": _("Enter the rate as a number, for example 0.70."),
            "min_value": _("Enter a rate from 0.01 to 2.00."),
            "max_value": _("Enter a rate from 0.01 to 2.00."),
            "max_digits": _("Enter a rate from 0.01 to 2.00."),
            "max_decimal_places": _("Enter the rate with at most three decimals, like 0.725."),
        },
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        if programs.count() == 1:
            self.fields["program"].widget = forms.HiddenInput()
            self.initial.setdefault("program", programs.first().pk)  # type: ignore[union-attr]


class PartnerInterestForm(SpamTrapForm, ModelForm):
    """The program's public page: someone who lived through a child protective services
    case asks to become a Parent Partner. It starts them in the recruitment pipeline as an
    inquiry; the Parent Partner Coordinator calls them."""

    languages = forms.MultipleChoiceField(
        label=_("Languages you speak (optional)"),
        choices=Language.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    eligibility_date = SplitDateField(
        label=_("About when was that?"),
        help_text=_("A close guess is fine, for example 06 01 2023. We will go over it with you."),
    )
    message = forms.CharField(
        label=_("Anything you would like us to know? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )

    class Meta:
        model = ParentPartner
        fields = [
            "first_name",
            "last_name",
            "phone",
            "email",
            "best_time",
            "languages",
            "eligibility_basis",
            "eligibility_date",
        ]
        labels = {
            "first_name": _("First name"),
            "last_name": _("Last name"),
            "phone": _("Phone number"),
            "email": _("E-mail address"),
            "best_time": _("Best time to call (optional)"),
            "eligibility_basis": _("Your experience with child protective services"),
        }
        help_texts = {
            "phone": _("A phone number or an e-mail address is needed, so we can reach you."),
            "best_time": _("For example: weekdays after 3 pm."),
        }
        widgets = {
            "eligibility_basis": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
        }
        error_messages = {
            "first_name": {"required": _("Enter your first name.")},
            "last_name": {"required": _("Enter your last name.")},
            "eligibility_basis": {"required": _("Choose what fits your experience.")},
            "email": {"invalid": _("Enter an e-mail address like name@example.com.")},
        }

    def __init__(self, *args: Any, school_based: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        basis = self.fields["eligibility_basis"]
        if school_based:
            # Parent Peer Specialists bring a caregiver's experience, not a case's.
            basis.label = _("Your experience")
            set_choices(
                self,
                "eligibility_basis",
                [(EligibilityBasis.CAREGIVER.value, EligibilityBasis.CAREGIVER.label)],
            )
            self.fields["eligibility_date"].label = _("Since about when?")
        else:
            set_choices(
                self,
                "eligibility_basis",
                [
                    (kind.value, kind.label)
                    for kind in EligibilityBasis
                    if kind != EligibilityBasis.CAREGIVER
                ],
            )
        self.fields["eligibility_date"].error_messages["required"] = _(
            "Enter about when, as month, day and year. A close guess is fine."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("phone") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "phone",
                _("Enter a phone number or an e-mail address, so we can reach you."),
            )
        return cleaned
