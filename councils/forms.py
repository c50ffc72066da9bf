"""Forms for councils, meetings and attendance, recommendations, stipends and outreach, and
the lists' filters. They validate; services write."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils import selectors
from councils.models import (
    AttendanceStatus,
    AudienceType,
    Council,
    CouncilKind,
    CouncilMember,
    CouncilRole,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationArea,
    RecommendationStatus,
    Stipend,
    StipendStatus,
)
from psp.dates import format_when
from psp.filters import FilterSet
from psp.forms import IsoDateInput, ModelForm, RecentDateInput, VersionField, set_choices
from psp.models import Program, User

RICH_TEXT_HELP = _(
    "Plain text, with a blank line between paragraphs, or simple HTML: headings, lists, "
    "bold, italics and links."
)
STATE_CHOICE = "state"


def _date_input(**attrs: Any) -> forms.DateInput:
    return IsoDateInput(attrs={"class": "form-control form-control-lg", **attrs})


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        day = format_when(obj.held_on, "date")
        place = obj.location or _("video call")
        return f"{day} \N{EN DASH} {place}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()


# --- Councils and members ------------------------------------------------------------------


class CouncilCreateForm(forms.Form):
    council = forms.ChoiceField(label=_("Which council?"), widget=forms.RadioSelect)
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=160,
        required=False,
        help_text=_("Leave empty for “Local Advisory Council” and the program's name."),
    )

    def __init__(
        self, *args: Any, programs: list[Program], can_create_state: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.programs = {str(program.pk): program for program in programs}
        choices = [
            (pk, _("Local Advisory Council of %(program)s") % {"program": program.name})
            for pk, program in self.programs.items()
        ]
        if can_create_state:
            choices.append((STATE_CHOICE, str(CouncilKind.STATE.label)))
        set_choices(self, "council", choices)
        if len(choices) == 1:
            self.initial.setdefault("council", choices[0][0])
        self.fields["council"].error_messages["required"] = _("Choose which council to set up.")

    def kind_and_program(self) -> tuple[str, Program | None]:
        choice = self.cleaned_data["council"]
        if choice == STATE_CHOICE:
            return CouncilKind.STATE, None
        return CouncilKind.LOCAL, self.programs[choice]

    def council_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if name:
            return name
        program = self.kind_and_program()[1]
        if program is None:
            return str(CouncilKind.STATE.label)
        return str(_("%(program)s Local Advisory Council") % {"program": program.name})


class CouncilMemberForm(ModelForm):
    user = UserChoiceField(
        label=_("Their user account in this system (optional)"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No user account"),
        help_text=_("Lets them read the council's meetings and minutes here."),
    )

    class Meta:
        model = CouncilMember
        fields = [
            "name",
            "organisation",
            "council_role",
            "lived_experience",
            "race_ethnicity",
            "email",
            "phone",
            "term_start",
            "term_end",
            "is_active",
            "user",
        ]
        labels = {
            "name": _("Full name"),
            "organisation": _("Organisation (optional)"),
            "lived_experience": _("Has lived experience of the child welfare system"),
            "race_ethnicity": _("Race or ethnicity (optional; ask, never require)"),
            "email": _("E-mail address (optional)"),
            "phone": _("Phone number (optional)"),
            "term_start": _("Term starts"),
            "term_end": _("Term ends (optional)"),
            "is_active": _("Serves on the council now"),
        }
        help_texts = {
            "organisation": _("For example “Door County DHHS”, or leave empty for a parent."),
            "lived_experience": _("Members with lived experience can be paid stipends."),
            "race_ethnicity": _(
                "Their own answer, if they want to give one. It is only ever counted in "
                "totals, to see whether the council reflects the families served."
            ),
        }
        widgets = {
            "council_role": forms.RadioSelect,
            "term_start": _date_input(),
            "term_end": _date_input(),
        }
        error_messages = {
            "name": {"required": _("Enter the member's name.")},
            "term_start": {"required": _("Enter the date the member's term starts.")},
        }

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "council_role", list(CouncilRole.choices))
        if council.program_id is not None:
            users = User.objects.filter(
                memberships__program_id=council.program_id, memberships__is_active=True
            )
        else:
            users = User.objects.filter(
                Q(statewide_role="state_staff") | Q(memberships__is_active=True)
            )
        self.fields["user"].queryset = (  # type: ignore[attr-defined]
            users.filter(is_active=True).distinct().order_by("last_name", "first_name", "username")
        )


# --- Meetings and attendance ---------------------------------------------------------------


def _https_by_default(db_field: Any, **kwargs: Any) -> Any:
    """A link typed without a scheme is taken as https:// (Django 6's default)."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class MeetingForm(ModelForm):
    class Meta:
        model = Meeting
        formfield_callback = _https_by_default
        fields = ["held_on", "starts_at", "location", "video_link", "agenda", "minutes", "guests"]
        labels = {
            "held_on": _("Date of the meeting"),
            "starts_at": _("Start time (optional)"),
            "location": _("Place"),
            "video_link": _("Video link (optional)"),
            "agenda": _("Agenda (optional)"),
            "minutes": _("Minutes (optional)"),
            "guests": _("Guests (optional)"),
        }
        help_texts = {
            "location": _("Where people meet. Leave empty if the meeting is only on video."),
            "agenda": RICH_TEXT_HELP,
            "minutes": RICH_TEXT_HELP,
            "guests": _("Names and organisations of people who came but are not members."),
        }
        widgets = {
            "held_on": RecentDateInput,
            "starts_at": forms.TimeInput(
                attrs={"type": "time", "class": "form-control form-control-lg"}, format="%H:%M"
            ),
            "agenda": forms.Textarea(attrs={"rows": 5}),
            "minutes": forms.Textarea(attrs={"rows": 10}),
            "guests": forms.Textarea(attrs={"rows": 2}),
        }
        error_messages = {
            "held_on": {
                "required": _("Enter the date of the meeting."),
            },
            "video_link": {"invalid": _("Enter a full web address, starting with https://")},
        }


class MeetingEditForm(MeetingForm):
    version = VersionField()


class AttendanceForm(forms.Form):
    """One member's attendance: present, absent, excused, or not recorded (nothing chosen)."""

    member = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(
        label=_("Attendance"),
        choices=AttendanceStatus.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        required=False,
    )

    def __init__(self, *args: Any, members: dict[int, CouncilMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = members

    @property
    def council_member(self) -> CouncilMember | None:
        try:
            return self.members.get(int(self["member"].value()))
        except (TypeError, ValueError):
            return None

    def clean_member(self) -> CouncilMember:
        member = self.members.get(self.cleaned_data["member"])
        if member is None:
            raise forms.ValidationError(_("This person is not a member of the council."))
        return member


# A council's members, at most; ``absolute_max`` stops a tampered TOTAL_FORMS from building
# a thousand more forms (DATA_UPLOAD_MAX_NUMBER_FIELDS in settings leaves room for 500 rows).
AttendanceFormSet = forms.formset_factory(
    AttendanceForm, extra=0, max_num=500, absolute_max=500, validate_max=True
)


def attendance_formset(data: Any, *, members: list[CouncilMember], marks: dict[int, str]) -> Any:
    """The attendance rows of the meeting form, one per member, in name order."""
    return AttendanceFormSet(
        data,
        prefix="attendance",
        initial=[{"member": member.pk, "status": marks.get(member.pk, "")} for member in members],
        form_kwargs={"members": {member.pk: member for member in members}},
    )


# --- Recommendations -----------------------------------------------------------------------


class RecommendationForm(ModelForm):
    meeting = MeetingChoiceField(
        label=_("Meeting it came from (optional)"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("Not from a meeting"),
    )

    class Meta:
        model = Recommendation
        fields = ["title", "details", "area", "owner", "meeting", "raised_by", "proposed_on"]
        labels = {
            "title": _("Recommendation"),
            "details": _("Details (optional)"),
            "area": _("Area"),
            "owner": _("Who follows it up"),
            "raised_by": _("Whose idea it was (optional)"),
            "proposed_on": _("Date proposed"),
        }
        help_texts = {"title": _("One sentence, for example “Offer evening visits”.")}
        widgets = {
            "details": forms.Textarea(attrs={"rows": 4}),
            "area": forms.RadioSelect,
            "proposed_on": RecentDateInput,
        }
        error_messages = {
            "title": {"required": _("Enter the recommendation.")},
            "area": {"required": _("Choose the area the recommendation is about.")},
            "owner": {"required": _("Enter who follows the recommendation up.")},
            "proposed_on": {"required": _("Enter the date the recommendation was proposed.")},
        }

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "area", list(RecommendationArea.choices))
        self.fields["meeting"].queryset = council.meetings.filter(  # type: ignore[attr-defined]
            held_on__lte=timezone.localdate()
        ).order_by("-held_on", "-id")
        self.fields["raised_by"].queryset = council.members.order_by(  # type: ignore[attr-defined]
            "name", "id"
        )
        self.fields["raised_by"].empty_label = _("Not recorded")  # type: ignore[attr-defined]
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("proposed_on", timezone.localdate())


class RecommendationEditForm(RecommendationForm):
    version = VersionField()


class RecommendationMoveForm(forms.Form):
    to_status = forms.ChoiceField(choices=RecommendationStatus.choices, widget=forms.HiddenInput)
    version = VersionField()
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example who decided, or where the decision is written down."),
    )


# --- Stipends ------------------------------------------------------------------------------


class StipendForm(ModelForm):
    meeting = MeetingChoiceField(
        label=_("Meeting (optional)"),
        queryset=Meeting.objects.none(),
        required=False,
        empty_label=_("Not for a meeting"),
    )

    class Meta:
        model = Stipend
        fields = ["member", "meeting", "awarded_on", "amount", "status", "paid_on", "note"]
        labels = {
            "member": _("Member"),
            "awarded_on": _("Date of the contribution"),
            "amount": _("Amount in dollars"),
            "status": _("Paid?"),
            "paid_on": _("Date paid (if paid)"),
            "note": _("Note (optional)"),
        }
        help_texts = {
            "member": _("Only members with lived experience are listed."),
            "awarded_on": _("The meeting date, or the day of the work being paid for."),
        }
        widgets = {
            "awarded_on": RecentDateInput,
            "paid_on": RecentDateInput,
            "status": forms.RadioSelect,
            "amount": forms.NumberInput(
                attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}
            ),
        }
        error_messages = {
            "member": {"required": _("Choose the member the stipend is for.")},
            "amount": {
                "required": _("Enter the amount, for example 50.00."),
                "invalid": _("Enter the amount as a number, for example 50.00."),
                "max_digits": _("Enter an amount under 1,000,000 dollars."),
                "max_decimal_places": _("Enter the amount in dollars and cents, like 50.00."),
            },
        }

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.stipend_members(council)  # type: ignore[attr-defined]
        self.fields["meeting"].queryset = council.meetings.filter(  # type: ignore[attr-defined]
            held_on__lte=timezone.localdate()
        ).order_by("-held_on", "-id")
        set_choices(self, "status", list(StipendStatus.choices))
        self.fields["amount"].error_messages["min_value"] = _("Enter an amount above zero.")


# --- Outreach ------------------------------------------------------------------------------


class OutreachEventForm(ModelForm):
    """The event's details; see the create and edit forms below."""

    class Meta:
        model = OutreachEvent
        fields = [
            "held_on",
            "title",
            "audience_type",
            "organisation",
            "attendance",
            "presenters",
            "notes",
        ]
        labels = {
            "held_on": _("Date of the event"),
            "title": _("What was it?"),
            "audience_type": _("Who was it for?"),
            "organisation": _("Organisation (optional)"),
            "attendance": _("Number of people who came (optional)"),
            "presenters": _("Presenters (optional)"),
            "notes": _("Notes (optional)"),
        }
        help_texts = {
            "title": _("For example “Talk to new CPS workers”."),
            "presenters": _("Names, separated by commas."),
        }
        widgets = {
            "held_on": RecentDateInput,
            "audience_type": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
            "attendance": forms.NumberInput(attrs={"min": "0", "inputmode": "numeric"}),
        }
        error_messages = {
            "held_on": {"required": _("Enter the date of the event.")},
            "title": {"required": _("Say what the event was.")},
            "audience_type": {"required": _("Choose who the event was for.")},
            "attendance": {"invalid": _("Enter a whole number, for example 25.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "audience_type", list(AudienceType.choices))
        self.fields["attendance"].error_messages["min_value"] = _("Enter 0 or more.")


class OutreachEventCreateForm(OutreachEventForm):
    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), empty_label=None
    )

    class Meta(OutreachEventForm.Meta):
        fields = ["program", *OutreachEventForm.Meta.fields]

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        choices = list(programs[:2])
        self.only_program = choices[0] if len(choices) == 1 else None
        if self.only_program is not None:
            # One program: nothing to choose, so nothing to show or to get wrong.
            self.fields["program"].widget = forms.HiddenInput()
            self.fields["program"].required = False
            self.initial.setdefault("program", self.only_program)

    def clean_program(self) -> Program | None:
        program = self.cleaned_data.get("program") or self.only_program
        if program is None:
            raise forms.ValidationError(_("Choose the program that held the event."))
        return program


class OutreachEventEditForm(OutreachEventForm):
    version = VersionField()


# --- Filters -------------------------------------------------------------------------------


class CouncilFilter(FilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=CouncilKind.choices, empty_label=_("All councils")
    )

    panel = (("kind", 4),)

    class Meta:
        model = Council
        fields = ["kind"]


class MeetingFilter(FilterSet):
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[("upcoming", _("Upcoming")), ("past", _("Past"))],
        empty_label=_("Any time"),
        method="filter_when",
    )
    held_from = django_filters.DateFilter(
        label=_("From"), field_name="held_on", lookup_expr="gte", widget=_date_input()
    )
    held_to = django_filters.DateFilter(
        label=_("Until"), field_name="held_on", lookup_expr="lte", widget=_date_input()
    )

    panel = (("when", 4), ("held_from", 4), ("held_to", 4))

    class Meta:
        model = Meeting
        fields = ["when", "held_from", "held_to"]

    def filter_when(self, queryset: QuerySet[Meeting], name: str, value: str) -> Any:
        today = timezone.localdate()
        if value == "upcoming":
            return queryset.filter(held_on__gte=today).order_by("held_on", "id")
        return queryset.filter(held_on__lt=today)


class RecommendationFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Words in the recommendation"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=RecommendationStatus.choices, empty_label=_("Any status")
    )
    area = django_filters.ChoiceFilter(
        label=_("Area"), choices=RecommendationArea.choices, empty_label=_("Any area")
    )
    council = django_filters.ModelChoiceFilter(
        label=_("Council"), queryset=Council.objects.none(), empty_label=_("All councils")
    )

    panel = (("q", 6), ("council", 6), ("status", 3), ("area", 3))

    class Meta:
        model = Recommendation
        fields = ["q", "status", "area", "council"]

    def __init__(self, *args: Any, councils: QuerySet[Council], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("council", councils)

    def filter_search(self, queryset: QuerySet[Recommendation], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(details__icontains=value) | Q(owner__icontains=value)
        )


class StipendFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Paid?"), choices=StipendStatus.choices, empty_label=_("Paid or not")
    )
    member = django_filters.ModelChoiceFilter(
        label=_("Member"), queryset=CouncilMember.objects.none(), empty_label=_("All members")
    )

    panel = (("status", 4), ("member", 4))

    class Meta:
        model = Stipend
        fields = ["status", "member"]

    def __init__(self, *args: Any, council: Council, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("member", selectors.stipend_members(council))


class OutreachFilter(FilterSet):
    q = django_filters.CharFilter(label=_("Title or organisation"), method="filter_search")
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=Program.objects.none(), empty_label=_("All programs")
    )
    audience_type = django_filters.ChoiceFilter(
        label=_("Audience"), choices=AudienceType.choices, empty_label=_("Any audience")
    )
    held_from = django_filters.DateFilter(
        label=_("From"), field_name="held_on", lookup_expr="gte", widget=_date_input()
    )
    held_to = django_filters.DateFilter(
        label=_("Until"), field_name="held_on", lookup_expr="lte", widget=_date_input()
    )

    panel = (("q", 6), ("program", 6), ("audience_type", 4), ("held_from", 4), ("held_to", 4))

    class Meta:
        model = OutreachEvent
        fields = ["q", "program", "audience_type", "held_from", "held_to"]

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("program", programs)

    def filter_search(self, queryset: QuerySet[OutreachEvent], name: str, value: str) -> Any:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(organisation__icontains=value))
