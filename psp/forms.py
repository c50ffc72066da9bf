"""Forms for programs and the audit log. They validate; services write."""

from __future__ import annotations

import datetime
from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from psp.dates import TYPED_DATE_FORMATS
from psp.models import AuditAction, NotificationKind, Program, Role, SchoolDistrict

# Dates people type: a birth date, a meeting, a contact. Outside these years a date is a
# typing slip (20266 for 2026), and date arithmetic near year 1 or 9999 overflows.
FIRST_YEAR = 1900
LAST_YEAR = 2100
# PostgreSQL's integer: a hidden number beyond it can only come from a tampered form.
LARGEST_INTEGER = 2**31 - 1


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValidationError(
            _("Enter a year from %(first)s to %(last)s.")
            % {"first": FIRST_YEAR, "last": LAST_YEAR},
            code="year_out_of_range",
        )


def validate_year_in_range(value: datetime.date) -> None:
    check_year(value.year)


def bound_dates(form: forms.BaseForm) -> None:
    """Give ``form``'s date boxes the year range, typed order and plain messages of
    ``DateField``."""
    for field in form.fields.values():
        if isinstance(field, forms.DateField):
            field.input_formats = TYPED_DATE_FORMATS
            if validate_year_in_range not in field.validators:
                field.validators.append(validate_year_in_range)
            if (
                field.error_messages.get("invalid")
                == forms.DateField.default_error_messages["invalid"]
            ):
                field.error_messages["invalid"] = DateField.default_error_messages["invalid"]


def set_choices(form: forms.BaseForm, name: str, choices: Any) -> None:
    """Replace the choices of ``form``'s choice field ``name`` (a model field's choices
    come with a blank one, or the order the form wants differs)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = choices


def add_model_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a model's or a service's ``ValidationError`` on ``form``: each message at the
    field it is about when the form has that field (or names it in ``error_fields``, as
    ``{"occurred_on": "date"}``), otherwise above the form. Never raises for a field the
    form does not have, so a rule checked deeper than the form cannot become a 500."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    aliases: dict[str, str] = getattr(form, "error_fields", {})
    for name, errors in error.error_dict.items():
        field = aliases.get(name, name)
        form.add_error(field if field in form.fields else None, errors)


class DateField(forms.DateField):
    """A date box that says what to type and accepts years 1900 to 2100 only. It reads
    month first (03/27/2019) in every language, and the ISO date a date picker sends."""

    default_error_messages = {"invalid": _("Enter a real date, for example 03/27/2019.")}
    default_validators = [validate_year_in_range]
    input_formats = TYPED_DATE_FORMATS


class ModelForm(forms.ModelForm):
    """Django's ModelForm, except that a model's ``clean()`` error about a field the form
    does not show (or shows under another name, see ``error_fields``) reaches the user as a
    message instead of a server error, and every date box takes a year from 1900 to 2100
    (see ``DateField``). Every model form in the project derives from it."""

    error_fields: dict[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bound_dates(self)

    def _update_errors(self, errors: ValidationError) -> None:
        if not hasattr(errors, "error_dict"):
            super()._update_errors(errors)  # type: ignore[misc]
            return
        shown: dict[str, list[ValidationError]] = {}
        for name, messages in errors.error_dict.items():
            field = self.error_fields.get(name, name)
            key = field if field in self.fields else NON_FIELD_ERRORS
            shown.setdefault(key, []).extend(messages)
        super()._update_errors(ValidationError(shown))  # type: ignore[misc]


class VersionField(forms.IntegerField):
    """The version of a record the form was opened with (see ``VersionedModel``)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", LARGEST_INTEGER)
        super().__init__(**kwargs)


class IsoDateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO (2026-11-23), whatever the
    interface language, or the browser shows the field empty."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def language_choices() -> list[tuple[str, SafeString]]:
    """The site's languages for radios, each in its own name and marked as written in it
    (``<span lang="es">Español</span>``), so a screen reader says each in its language."""
    return [
        (
            code,
            format_html(
                '<span lang="{}">{}</span>',
                code,
                translation.get_language_info(code)["name_local"].capitalize(),
            ),
        )
        for code, _name in settings.LANGUAGES
    ]


class LanguageField(forms.ChoiceField):
    """One of the site's languages, as radios each named in its own language."""

    widget = forms.RadioSelect

    def __init__(self, **kwargs: Any) -> None:
        messages = {
            "required": _("Choose a language."),
            "invalid_choice": _("Choose a language from the list."),
        }
        super().__init__(choices=language_choices, error_messages=messages, **kwargs)


class ProfileForm(forms.Form):
    """A person's own settings: the language of their pages, e-mails and reports."""

    language = LanguageField(label=_("Language of your pages, e-mails and reports"))


class ProgramSettingsForm(ModelForm):
    version = VersionField()

    class Meta:
        model = Program
        fields = ["lead_agency", "partner_agency", "contact_email"]
        labels = {
            "lead_agency": _("Lead agency (optional)"),
            "partner_agency": _("Partner agency (optional)"),
            "contact_email": _("Contact e-mail (optional)"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program: Program = self.instance
        if not self.is_bound:
            self.initial["version"] = program.version
        for role in Role:
            self.fields[self.label_field(role)] = forms.CharField(
                label=_("Our name for “%(role)s” (optional)") % {"role": role.label},
                max_length=80,
                required=False,
                initial=next(
                    (item.label for item in program.role_labels.all() if item.role == role), ""
                ),
                help_text=_("Leave empty to use the standard name."),
            )

    @staticmethod
    def label_field(role: str) -> str:
        return f"label_{role}"

    def role_labels(self) -> dict[str, str]:
        return {role: self.cleaned_data.get(self.label_field(role), "") for role in Role.values}


class AuditFilterForm(forms.Form):
    program = forms.ModelChoiceField(
        label=_("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=_("All my programs"),
    )
    action = forms.ChoiceField(
        label=_("What happened"),
        choices=[("", _("Anything")), *AuditAction.choices],
        required=False,
    )
    actor = forms.CharField(label=_("Who (user name)"), max_length=150, required=False)
    date_from = DateField(label=_("From"), required=False, widget=IsoDateInput())
    date_to = DateField(label=_("To"), required=False, widget=IsoDateInput())

    def __init__(self, *args: Any, programs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Enter a date on or after the “From” date."))
        return cleaned


class LoginForm(allauth_forms.LoginForm):
    """allauth's sign-in form in plain words, without placeholders standing in for labels."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("User name or e-mail address")
        self.fields["password"].label = _("Password")
        for field in self.fields.values():
            field.help_text = ""
            field.widget.attrs.pop("placeholder", None)


class DateInputsWidget(forms.MultiWidget):
    """Month, day and year in three numeric boxes (GOV.UK's date input, for birth dates), in
    the United States order people write dates in, whatever the interface language."""

    template_name = "includes/widgets/date_inputs.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        numeric = {"inputmode": "numeric", "class": "form-control form-control-lg"}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "month": forms.TextInput(attrs={**numeric, "maxlength": "2", "size": "2"}),
            "day": forms.TextInput(attrs={**numeric, "maxlength": "2", "size": "2"}),
            "year": forms.TextInput(attrs={**numeric, "maxlength": "4", "size": "4"}),
        }
        super().__init__(widgets, attrs)

    def id_for_label(self, id_: str) -> str:
        # Labels and the error summary point at the first box, as GOV.UK does.
        return f"{id_}_month" if id_ else id_

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, datetime.date):
            return [value.month, value.day, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = datetime.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.month, parsed.day, parsed.year]
        return [None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        labels = [_("Month"), _("Day"), _("Year")]
        base_id = context["widget"]["attrs"].get("id")
        for subwidget, label, suffix in zip(
            context["widget"]["subwidgets"], labels, ["month", "day", "year"], strict=True
        ):
            subwidget["label"] = label
            if base_id:  # ids match the names (..._day), so labels and error links find them
                subwidget["attrs"]["id"] = f"{base_id}_{suffix}"
        return context


class SplitDateField(forms.MultiValueField):
    """A date typed as month / day / year, with messages that say what to fix."""

    widget = DateInputsWidget

    def __init__(self, *, past_only: bool = True, **kwargs: Any) -> None:
        self.past_only = past_only
        fields = (
            forms.IntegerField(min_value=1, max_value=12),
            forms.IntegerField(min_value=1, max_value=31),
            forms.IntegerField(min_value=FIRST_YEAR, max_value=LAST_YEAR),
        )
        kwargs.setdefault("help_text", _("For example, 03 27 2007"))
        kwargs.setdefault(
            "error_messages",
            {
                "incomplete": _("Enter the month, day and year."),
                "invalid": _("Enter a real date, for example 03 27 2007."),
            },
        )
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value: Any) -> datetime.date | None:
        # Validate the three boxes ourselves so the message names what is wrong.
        if not isinstance(value, list | tuple):
            value = [value]
        parts = [str(part).strip() if part is not None else "" for part in value[:3]]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return None
        if not all(parts):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            month, day, year = (int(part) for part in parts)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        # Check the ranges before building a date: a huge number overflows, not fails.
        check_year(year)
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            result = datetime.date(year, month, day)
        except (ValueError, OverflowError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if self.past_only and result > timezone.localdate():
            raise forms.ValidationError(_("The date must be today or in the past."), code="future")
        return result

    def compress(self, data_list: list[Any]) -> datetime.date | None:  # pragma: no cover
        return None  # clean() above does the work


class RecentDateInput(IsoDateInput):
    """A date input with "Today" and "Yesterday" buttons beside it (see static/js/psp.js)."""

    template_name = "includes/widgets/recent_date.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"class": "form-control form-control-lg", **(attrs or {})})

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["widget"]["time_zone"] = settings.TIME_ZONE  # "Today" is the program's day
        return context


class NotificationPreferencesForm(forms.Form):
    """How a person wants to be told of each kind of notification: two boxes a kind."""

    def __init__(self, *args: Any, choices: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kinds = list(NotificationKind)
        for kind in self.kinds:
            choice = choices[kind]
            self.fields[f"{kind.value}-in_app"] = forms.BooleanField(
                label=_("%(kind)s: in the app") % {"kind": kind.label},
                required=False,
                initial=choice.in_app,
            )
            self.fields[f"{kind.value}-email"] = forms.BooleanField(
                label=_("%(kind)s: by e-mail") % {"kind": kind.label},
                required=False,
                initial=choice.email,
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """One row a kind: its name, its "in the app" box, its "by e-mail" box."""
        return [
            (str(kind.label), self[f"{kind.value}-in_app"], self[f"{kind.value}-email"])
            for kind in self.kinds
        ]

    def chosen(self) -> dict[str, tuple[bool, bool]]:
        return {
            kind.value: (
                bool(self.cleaned_data.get(f"{kind.value}-in_app")),
                bool(self.cleaned_data.get(f"{kind.value}-email")),
            )
            for kind in self.kinds
        }


class SchoolDistrictForm(forms.Form):
    """A school district (LEA) of a school-based program."""

    name = forms.CharField(
        label=_("Name of the district"),
        max_length=160,
        help_text=_("For example: “Wausau School District”."),
        error_messages={"required": _("Enter the district's name.")},
    )


class SchoolForm(forms.Form):
    """A school of one of the program's districts."""

    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=SchoolDistrict.objects.none(),
        empty_label=None,
        error_messages={
            "required": _("Choose the district."),
            "invalid_choice": _("Choose one of this program's districts."),
        },
    )
    name = forms.CharField(
        label=_("Name of the school"),
        max_length=160,
        error_messages={"required": _("Enter the school's name.")},
    )
    is_active = forms.BooleanField(
        label=_("Active: offered for new referrals and school staff"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        districts = SchoolDistrict.objects.filter(program=program).order_by("name")
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]
