"""Forms for intake, triage, a child's record and stays in care. They validate; services write."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from psp import hooks
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
from psp.models import Program, School
from psp.public import SpamTrapForm
from referrals import notices, schooling, selectors
from referrals.models import (
    REQUEST_PUBLIC_FIELDS,
    Child,
    ConsentMethod,
    CpsCase,
    DeclineReason,
    DischargeReason,
    EducationPlan,
    Language,
    Need,
    OutOfHomeCareType,
    Parent,
    PlacementChange,
    PlacementStatus,
    RaceEthnicity,
    Referral,
    ReferralRequest,
    RemovalEpisode,
    RemovalReason,
    RequestCloseReason,
    Sender,
    Sex,
    Status,
    Urgency,
)


class EventSearchInput(forms.Widget):
    """A choice among many recent events: the newest as radio buttons, and a search box that
    narrows them as one types (htmx asks ``referrals:source_events``; see
    static/js/event_search.js) or, without JavaScript, with its Search button, which sends
    the form back to be shown again unsaved. The chosen event stays offered whatever the
    search, so it survives a search and a form sent back with errors."""

    template_name = "referrals/referral_form_event_search.html"
    shown = 8

    def __init__(
        self, *, find: Callable[[str], QuerySet[Any]], search: str = "", show_program: bool
    ) -> None:
        super().__init__()
        self.find = find
        # Typed text, not a form field: nothing else cleans it before the database sees it.
        self.search = "".join(char for char in search if char.isprintable())[:100].strip()
        self.show_program = show_program

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        found = list(self.find(self.search)[: self.shown + 1])
        more, found = len(found) > self.shown, found[: self.shown]
        selected = "" if value is None else str(value)
        if selected and selected not in {str(event.pk) for event in found}:
            is_id = selected.isascii() and selected.isdigit() and len(selected) < 10
            kept = self.find("").filter(pk=selected).first() if is_id else None
            found[:0] = [kept] if kept else []
        context["widget"].update(
            events=found,
            more=more,
            search=self.search,
            search_name=f"{name}_search",
            selected=selected,
            show_program=self.show_program,
        )
        return context

    def format_value(self, value: Any) -> str | None:
        return None if value in (None, "") else str(value)


class ReferralForm(ModelForm):
    """What the referral is about. Referrer fields appear only when a coordinator enters a
    referral on someone else's behalf; a social worker is the referrer themselves."""

    program = forms.ModelChoiceField(
        label=_("Program"), queryset=Program.objects.none(), empty_label=None
    )
    needs = forms.MultipleChoiceField(
        label=_("What does the family need help with? (optional)"),
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Referral
        fields = [
            "program",
            "referrer_name",
            "referrer_agency",
            "referrer_email",
            "received_on",
            "urgency",
            "needs",
            "reason",
        ]
        labels = {
            "urgency": _("How soon should the program reach the family?"),
            "reason": _("Why are you referring this family? (optional)"),
            "referrer_agency": _("Referrer's agency (optional)"),
            "referrer_email": _("Referrer's e-mail address (optional)"),
        }
        help_texts = {
            "referrer_email": _("We e-mail the referrer when the referral's status changes."),
            "reason": _("A few sentences. Do not include case-plan details."),
        }
        widgets = {
            "urgency": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3}),
            "received_on": RecentDateInput,
        }

    def __init__(
        self, *args: Any, programs: QuerySet[Program], on_behalf: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.on_behalf = on_behalf
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        choices = list(programs[:2])
        self.only_program = choices[0] if len(choices) == 1 else None
        if self.only_program is not None:
            # One program: nothing to choose, so nothing to show or to get wrong.
            self.fields["program"].widget = forms.HiddenInput()
            self.fields["program"].required = False
            self.initial.setdefault("program", self.only_program)
        if on_behalf:
            self.fields["referrer_name"].required = True
            self.fields["received_on"].initial = timezone.localdate()
            # Only the chosen programs' recent outreach events, which the councils app gives
            # (hook ``referral.source_events``) and keeps once the referral is saved (hook
            # ``referral.created``); without them the question is not asked.
            events = hooks.get("referral.source_events")
            if events:
                self.fields["source_event"] = self._source_event_field(events[0], programs)
        else:
            for name in ["referrer_name", "referrer_agency", "referrer_email", "received_on"]:
                del self.fields[name]
        set_choices(self, "urgency", list(Urgency.choices))
        if self.only_program is not None and self.only_program.is_school_based:
            # A school-based program's families are not in a court case.
            self.fields["needs"].choices = [  # type: ignore[attr-defined]
                (value, label) for value, label in Need.choices if value != Need.COURT
            ]

    def _source_event_field(
        self, find: Callable[..., QuerySet[Any]], programs: QuerySet[Program]
    ) -> forms.ModelChoiceField[Any]:
        """Any of the programs' events is accepted (``clean`` checks it is the chosen
        program's); the question offers the chosen program's, when one is chosen."""
        program_ids = list(programs.values_list("pk", flat=True))
        chosen = str(self.data.get(self.add_prefix("program")) or "")
        is_id = chosen.isascii() and chosen.isdigit()
        offered = [int(chosen)] if is_id and int(chosen) in program_ids else program_ids
        return forms.ModelChoiceField(
            label=_("Heard about the program at (optional)"),
            queryset=find(program_ids),
            required=False,
            widget=EventSearchInput(
                find=lambda text: find(offered, text),
                search=str(self.data.get(self.add_prefix("source_event_search")) or ""),
                show_program=len(program_ids) > 1,
            ),
        )

    def clean_program(self) -> Program | None:
        return self.cleaned_data.get("program") or self.only_program

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        event, program = cleaned.get("source_event"), cleaned.get("program")
        if event is not None and program is not None and event.program_id != program.pk:
            self.add_error(
                "source_event", _("Choose an event of the program the family is referred to.")
            )
        return cleaned

    def clean_received_on(self) -> Any:
        received_on = self.cleaned_data.get("received_on")
        if received_on and received_on > timezone.localdate():
            raise forms.ValidationError(_("The date received cannot be in the future."))
        return received_on


class ParentForm(ModelForm):
    birth_date = SplitDateField(label=_("Date of birth"), required=True)
    summary_prefix = ""  # "Parent 2", set by the view: names the form in the error summary

    class Meta:
        model = Parent
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "phone",
            "email",
            "preferred_language",
            "interpreter_needed",
            "race_ethnicity",
            "consent_to_contact",
            "consent_method",
            "consent_date",
        ]
        labels = {
            "consent_method": _("How did the parent agree?"),
            "phone": _("Phone number (optional)"),
            "email": _("E-mail address (optional)"),
            "race_ethnicity": _("Race or ethnicity, as the parent describes it"),
            "consent_to_contact": _("The parent agrees to be contacted by the program"),
            "consent_date": _("Date the parent agreed"),
        }
        widgets = {
            "preferred_language": forms.RadioSelect,
            "consent_method": forms.RadioSelect,
            "consent_date": RecentDateInput,
        }
        error_messages = {
            "first_name": {"required": _("Enter the parent's first name.")},
            "last_name": {"required": _("Enter the parent's last name.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].error_messages["required"] = _(
            "Enter the parent's date of birth."
        )
        set_choices(self, "preferred_language", list(Language.choices))
        # Nothing chosen until the parent answers: "Prefer not to say" is one of the answers,
        # never what the form picks for them.
        set_choices(self, "race_ethnicity", [("", _("— Not asked yet —")), *RaceEthnicity.choices])
        set_choices(self, "consent_method", list(ConsentMethod.choices))
        self.fields["consent_method"].required = False
        self.fields["consent_date"].initial = timezone.localdate()
        self.fields["consent_date"].help_text = _(
            "Only if the parent agreed. Without their agreement no date is kept."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("consent_to_contact"):
            # No consent, so nothing about consent is kept (the date box starts at today).
            cleaned["consent_date"] = None
            cleaned["consent_method"] = ""
            self.errors.pop("consent_date", None)
        return cleaned


# A school staff member whose school is retired, or who has none, refers no child.
NO_OWN_SCHOOL = _(
    "Your school is no longer in the program's list of schools, so you cannot refer a "
    "child from it. Ask the program's coordinator."
)


def school_fields(schools: QuerySet[School] | None, fixed: bool = False) -> dict[str, forms.Field]:
    """A school-based program's questions about a child: school, grade, plan, needs.
    ``schools``: those the person may choose; ``fixed``: they are a school staff member's
    own (one), so the school is required and chosen already."""
    offered = schools if schools is not None else School.objects.none()
    only = list(offered[:1]) if fixed else []
    if fixed and not only:
        # Their school was retired (or they have none): nothing to choose, and every answer
        # is refused with why.
        errors = {"required": NO_OWN_SCHOOL, "invalid_choice": NO_OWN_SCHOOL}
    else:
        errors = {"required": _("Choose the child's school.")}
    return {
        "school": forms.ModelChoiceField(
            label=_("School") if fixed else _("School (optional)"),
            queryset=offered,
            required=fixed,
            initial=only[0].pk if only else None,
            error_messages=errors,
        ),
        "grade": forms.TypedChoiceField(
            label=_("Grade this school year (optional)"),
            choices=[("", "---------"), *schooling.GRADE_CHOICES],
            coerce=int,
            empty_value=None,
            required=False,
        ),
        "education_plan": forms.ChoiceField(
            label=_("Special-education plan (optional)"),
            choices=[("", _("Not known")), *EducationPlan.choices],
            required=False,
            widget=forms.RadioSelect,
        ),
        "mental_health_needs": forms.BooleanField(
            label=_("The child has mental-health needs"), required=False
        ),
        "behaviour_needs": forms.BooleanField(
            label=_("The child has behavioural needs"), required=False
        ),
    }


class ChildIntakeForm(ModelForm):
    """A child at intake: who they are, and whether they are in out-of-home care now. A child
    in care gets a removal episode with its first placement (``services.referral_create``)."""

    birth_date = SplitDateField(label=_("Date of birth"), required=True)
    placement_status = forms.ChoiceField(
        label=_("Where the child lives now"),
        choices=PlacementStatus.choices,
        initial=PlacementStatus.AT_HOME,
        widget=forms.RadioSelect,
    )
    out_of_home_type = forms.ChoiceField(
        label=_("If in out-of-home care: what kind?"),
        choices=[("", "---------"), *OutOfHomeCareType.choices],
        required=False,
    )
    removal_date = DateField(
        label=_("If removed: date removed from home"), required=False, widget=RecentDateInput
    )
    summary_prefix = ""  # "Child 2", set by the view: names the form in the error summary

    class Meta:
        model = Child
        fields = ["first_name", "last_name", "birth_date", "sex"]
        labels = {"last_name": _("Last name (optional)"), "sex": _("Sex (optional)")}
        help_texts = {"sex": _("As the child welfare agency records it.")}
        widgets = {"sex": forms.RadioSelect}
        error_messages = {"first_name": {"required": _("Enter the child's first name.")}}

    def __init__(
        self,
        *args: Any,
        school_based: bool = False,
        schools: QuerySet[School] | None = None,
        own_school: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].error_messages["required"] = _("Enter the child's date of birth.")
        set_choices(self, "sex", [("", _("Not recorded")), *Sex.choices])
        self.school_based = school_based
        if school_based:
            # A school-based program: the child's school, grade and plan instead of care.
            for name in ["placement_status", "out_of_home_type", "removal_date"]:
                del self.fields[name]
            self.fields.update(school_fields(schools, fixed=own_school))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.school_based:
            return cleaned
        removed_on = cleaned.get("removal_date")
        birth_date = cleaned.get("birth_date")
        if cleaned.get("placement_status") == PlacementStatus.OUT_OF_HOME:
            if not removed_on and "removal_date" not in self.errors:
                self.add_error("removal_date", _("Enter the date the child was removed from home."))
            if not cleaned.get("out_of_home_type"):
                self.add_error("out_of_home_type", _("Choose the type of out-of-home care."))
        elif removed_on:
            self.add_error(
                "removal_date",
                _(
                    "Leave the removal date empty for a child who lives at home. Record past "
                    "stays in care on the child's page once the referral is sent."
                ),
            )
        if removed_on and removed_on > timezone.localdate():
            self.add_error("removal_date", _("The removal date cannot be in the future."))
        elif removed_on and birth_date and removed_on < birth_date:
            self.add_error(
                "removal_date", _("The removal date must be on or after the date of birth.")
            )
        return cleaned

    def episode_data(self) -> dict[str, Any] | None:
        """The removal episode to open for this child, or None for a child at home."""
        if self.school_based:
            return None
        if self.cleaned_data.get("placement_status") != PlacementStatus.OUT_OF_HOME:
            return None
        return {
            "removed_on": self.cleaned_data["removal_date"],
            "setting": self.cleaned_data["out_of_home_type"],
        }


class ChildForm(ModelForm):
    """Who the child is. Stays in care are recorded as removal episodes, each on its own
    page (``EpisodeForm``)."""

    birth_date = SplitDateField(label=_("Date of birth"), required=True)
    version = VersionField()

    class Meta:
        model = Child
        fields = ["first_name", "last_name", "birth_date", "sex"]
        labels = {"last_name": _("Last name (optional)"), "sex": _("Sex (optional)")}
        help_texts = {"sex": _("As the child welfare agency records it.")}
        widgets = {"sex": forms.RadioSelect}
        error_messages = {"first_name": {"required": _("Enter the child's first name.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].error_messages["required"] = _("Enter the child's date of birth.")
        set_choices(self, "sex", [("", _("Not recorded")), *Sex.choices])
        program = self.instance.family.program
        if program.is_school_based:
            # The grade shown is the one the child is in now; saved, it is this year's.
            self.fields.update(
                school_fields(
                    School.objects.filter(district__program=program, is_active=True).order_by(
                        "name"
                    )
                )
            )
            self.initial.setdefault("school", self.instance.school_id)
            self.initial.setdefault("grade", self.instance.current_grade())
            for name in ["education_plan", "mental_health_needs", "behaviour_needs"]:
                self.initial.setdefault(name, getattr(self.instance, name))


class EpisodeForm(ModelForm):
    """One stay in out-of-home care: removal, and (once known) the discharge and its reason.
    A new stay also says where the child was placed first."""

    version = VersionField()
    setting = forms.ChoiceField(
        label=_("Where was the child placed first?"),
        choices=OutOfHomeCareType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where the child was placed first.")},
    )

    removal_reasons = forms.MultipleChoiceField(
        label=_("Why was the child removed? (optional)"),
        help_text=_("The reasons the agency recorded. Choose all that apply."),
        choices=RemovalReason.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = RemovalEpisode
        fields = ["removed_on", "removal_reasons", "discharged_on", "discharge_reason"]
        labels = {
            "removed_on": _("Date removed from home"),
            "discharged_on": _("Date the child left care (optional)"),
            "discharge_reason": _("Why the child left care"),
        }
        help_texts = {
            "discharged_on": _("Leave empty while the child is still in out-of-home care."),
            "discharge_reason": _("Only once the child has left care."),
        }
        widgets = {
            "removed_on": RecentDateInput,
            "discharged_on": RecentDateInput,
            "discharge_reason": forms.RadioSelect,
        }
        error_messages = {"removed_on": {"required": _("Enter the date the child was removed.")}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "discharge_reason", list(DischargeReason.choices))
        self.fields["discharge_reason"].required = False
        if self.instance.pk:
            del self.fields["setting"]  # placements of a stay have their own pages

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("discharged_on") and not cleaned.get("discharge_reason"):
            self.add_error("discharge_reason", _("Choose why the child left care."))
        missing_date = not cleaned.get("discharged_on") and "discharged_on" not in self.errors
        if cleaned.get("discharge_reason") and missing_date:
            self.add_error(
                "discharged_on",
                _("Enter the date the child left care, or leave the reason empty."),
            )
        return cleaned

    def _post_clean(self) -> None:
        # The model's rules (overlaps, dates after birth) run in the service, against the
        # stored episodes; here only the form's own checks.
        pass


class PlacementForm(ModelForm):
    """A move within a stay in care: the day and the kind of placement."""

    version = VersionField()

    class Meta:
        model = PlacementChange
        fields = ["started_on", "setting"]
        labels = {
            "started_on": _("Date the child moved there"),
            "setting": _("Type of out-of-home care"),
        }
        widgets = {"started_on": RecentDateInput, "setting": forms.RadioSelect}
        error_messages = {
            "started_on": {"required": _("Enter the date the child moved.")},
            "setting": {"required": _("Choose the type of out-of-home care.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "setting", list(OutOfHomeCareType.choices))

    def _post_clean(self) -> None:
        pass  # the model's rules run in the service, with the episode set


class ParentEditForm(ParentForm):
    """A parent's details after intake: the coordinator corrects them over time."""

    version = VersionField()

    class Meta(ParentForm.Meta):
        fields = [*ParentForm.Meta.fields[:5], "address", *ParentForm.Meta.fields[5:]]
        labels = {**ParentForm.Meta.labels, "address": _("Address (optional)")}


# ``absolute_max`` as well as ``max_num``: without it Django builds up to 1,000 more forms
# than the maximum when a tampered TOTAL_FORMS asks for them.
ParentFormSet = forms.formset_factory(
    ParentForm,
    extra=1,
    min_num=1,
    max_num=4,
    absolute_max=4,
    validate_min=True,
    validate_max=True,
)
ChildFormSet = forms.formset_factory(
    ChildIntakeForm,
    extra=0,
    min_num=1,
    max_num=12,
    absolute_max=12,
    validate_min=True,
    validate_max=True,
)


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(choices=Status.choices, widget=forms.HiddenInput)
    version = VersionField()
    reason = forms.ChoiceField(
        label=_("Why is it being declined?"),
        choices=[("", _("Choose a reason")), *DeclineReason.choices],
        required=False,
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("to_status") == Status.DECLINED and not cleaned.get("reason"):
            self.add_error("reason", _("Choose why the referral is declined."))
        return cleaned


class ReferralFilter(FilterSet):
    """The list's filters, all in the URL so Back and bookmarks keep them."""

    q = django_filters.CharFilter(label=_("Name or number"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("Any status")
    )
    urgency = django_filters.ChoiceFilter(
        label=_("Urgency"), choices=Urgency.choices, empty_label=_("Any urgency")
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=Language.choices,
        empty_label=_("Any language"),
        method="filter_language",
    )
    program = django_filters.ModelChoiceFilter(
        label=_("Program"), queryset=Program.objects.none(), empty_label=_("All my programs")
    )
    received_from = django_filters.DateFilter(
        label=_("Received from"),
        field_name="received_on",
        lookup_expr="gte",
        widget=IsoDateInput(),
    )
    received_to = django_filters.DateFilter(
        label=_("Received until"),
        field_name="received_on",
        lookup_expr="lte",
        widget=IsoDateInput(),
    )
    sort = OrderingFilter(
        label=_("Sort by"),
        fields=(("received_on", "received"), ("urgency", "urgency"), ("status", "status")),
        field_labels={
            "received_on": _("Date received"),
            "urgency": _("Urgency"),
            "status": _("Status"),
        },
        empty_label=_("Newest first"),
    )

    panel = (
        ("q", 6),
        ("status", 3),
        ("urgency", 3),
        ("language", 3),
        ("program", 3),
        ("received_from", 3),
        ("received_to", 3),
        ("sort", 3),
    )
    hidden_without_choice = frozenset({"program"})

    class Meta:
        model = Referral
        fields = ["q", "status", "urgency", "language", "program", "received_from", "received_to"]

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit_choices("program", programs)

    def filter_search(self, queryset: QuerySet[Referral], name: str, value: str) -> Any:
        return selectors.search(queryset, value)

    def filter_language(self, queryset: QuerySet[Referral], name: str, value: str) -> Any:
        return queryset.filter(
            pk__in=queryset.filter(family__parents__preferred_language=value).values("pk")
        )


class NoticeForm(forms.Form):
    """Which notice for parents to print: its language, and large print on request."""

    language = forms.ChoiceField(
        label=_("Language of the notice"),
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose English, Spanish or Hmong.")},
    )
    large_print = forms.BooleanField(
        label=_("Large print (18 point)"),
        required=False,
        help_text=_("For a parent who asks for it or who reads small print with difficulty."),
    )

    def __init__(self, *args: Any, untranslated: set[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, str]] = []
        for language in notices.NOTICE_LANGUAGES:
            label = str(language.label)
            if language in untranslated:
                label = _("%(language)s (not translated yet: prints in English)") % {
                    "language": label
                }
            choices.append((language.value, label))
        set_choices(self, "language", choices)


class SearchForm(forms.Form):
    """The navigation's search box: a parent's or child's name, or a referral number."""

    q = forms.CharField(
        label=_("Find a family"),
        max_length=100,
        help_text=_("A parent's or child's name, or the referral number. Accents do not matter."),
    )


class ReferralRequestForm(SpamTrapForm, ModelForm):
    """The program's public page: a parent asking for themselves, or someone asking for a
    parent they know. Every box is short, and no more is asked than a first call needs."""

    class Meta:
        model = ReferralRequest
        fields = list(REQUEST_PUBLIC_FIELDS)
        labels = {
            "sender": _("Who is asking?"),
            "sender_name": _("Your name"),
            "sender_relationship": _("How do you know the parent? (optional)"),
            "sender_contact": _("Your phone number or e-mail address (optional)"),
            "parent_agrees": _("The parent knows I am asking and agrees to be called"),
            "parent_first_name": _("Parent's first name"),
            "parent_last_name": _("Parent's last name (optional)"),
            "phone": _("Parent's phone number"),
            "email": _("Parent's e-mail address"),
            "best_time": _("Best time to call (optional)"),
            "language": _("Language the parent prefers"),
            "children": _("Children and their ages (optional)"),
            "cps_case": _("Does the family have a case with child protective services?"),
            "message": _("What help is the parent looking for?"),
        }
        help_texts = {
            "sender_relationship": _("For example: aunt, friend, teacher, counselor."),
            "phone": _(
                "A phone number or an e-mail address is needed, so we can reach the parent."
            ),
            "best_time": _("For example: weekdays after 3 pm."),
            "children": _("For example: Maya 6, Leo 2. First names are enough."),
            "message": _("A few words are enough. Up to 2,000 characters."),
        }
        widgets = {
            "sender": forms.RadioSelect,
            "language": forms.RadioSelect,
            "cps_case": forms.RadioSelect,
            "message": forms.Textarea(attrs={"rows": 5, "maxlength": 2000}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }
        error_messages = {
            "sender": {"required": _("Say who is asking.")},
            "parent_first_name": {"required": _("Enter the parent's first name.")},
            "message": {"required": _("Say in a few words what help the parent is looking for.")},
            "email": {"invalid": _("Enter an e-mail address like name@example.com.")},
        }

    def __init__(self, *args: Any, school_based: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "sender", list(Sender.choices))
        set_choices(self, "language", list(Language.choices))
        # The parent's language starts as the page's: a visitor reading in Spanish who does
        # not look at this question is not recorded as preferring English.
        page_language = translation.get_language() or ""
        if page_language in Language.values and "language" not in kwargs.get("initial", {}):
            self.initial["language"] = page_language
        if school_based:
            # A school-based program's families need not have anything to do with child
            # protective services; asking would only put them off.
            del self.fields["cps_case"]
        else:
            self.fields["cps_case"].required = False
            set_choices(self, "cps_case", list(CpsCase.choices))


class RequestCloseForm(forms.Form):
    """A request from the public page closed without a referral, and why."""

    reason = forms.ChoiceField(
        label=_("Why is it closed?"),
        choices=RequestCloseReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the request is closed.")},
    )
