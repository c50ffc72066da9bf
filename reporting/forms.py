"""The form for asking for a quarterly report."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psp.dates import format_when
from psp.forms import DateField, IsoDateInput, LanguageField
from psp.models import Program
from reporting.quarters import Quarter

STATEWIDE = "statewide"
QUARTERS_OFFERED = 6
# Beyond this many programs a list of radios is too long to scan: a select instead.
MOST_RADIOS = 6
_QUARTER_VALUE = re.compile(r"^(\d{4})-([1-4])$")


def completed_quarters(
    count: int = QUARTERS_OFFERED, today: datetime.date | None = None
) -> list[Quarter]:
    """The last ``count`` quarters that have ended, newest first."""
    quarters = [Quarter.last_completed(today)]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous())
    return quarters


def quarter_value(quarter: Quarter) -> str:
    return f"{quarter.year}-{quarter.number}"


def program_value(program: Program | None) -> str:
    return STATEWIDE if program is None else str(program.pk)


class QuarterField(forms.ChoiceField):
    """Offers the last six completed quarters; accepts any completed quarter, so "Try
    again" works for an older report too."""

    def validate(self, value: Any) -> None:
        if value in self.empty_values:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        match = _QUARTER_VALUE.match(str(value))
        if not match or not 2000 <= int(match[1]) <= 2100:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid")
        if Quarter(int(match[1]), int(match[2])) > Quarter.last_completed():
            raise forms.ValidationError(_("Choose a quarter that has ended."), code="not_ended")

    def to_python(self, value: Any) -> Any:
        return str(value).strip() if value not in self.empty_values else ""


class ReportRequestForm(forms.Form):
    quarter = QuarterField(
        label=gettext_lazy("Which quarter?"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose the quarter the report is for."),
            "invalid_choice": gettext_lazy("Choose a quarter from the list."),
        },
    )
    program = forms.ChoiceField(
        label=gettext_lazy("Report for"),
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("Choose which program the report is for."),
            "invalid_choice": gettext_lazy("Choose a program from the list."),
        },
    )

    # Not required: left out, the report is in the language of the page it was asked from.
    # Each language in its own name and marked as such, as the switcher shows them.
    language = LanguageField(label=gettext_lazy("Language of the report"), required=False)

    def __init__(self, *args: Any, programs: list[Program], statewide: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].initial = translation.get_language()  # the page's
        quarters = completed_quarters()
        quarter_field = self.fields["quarter"]
        assert isinstance(quarter_field, forms.ChoiceField)
        quarter_field.choices = [
            (
                quarter_value(quarter),
                _("%(quarter)s (%(start)s to %(end)s)")
                % {
                    "quarter": quarter.label,
                    "start": format_when(quarter.start, "date"),
                    "end": format_when(quarter.end, "date"),
                },
            )
            for quarter in quarters
        ]
        quarter_field.initial = quarter_value(quarters[0])
        self._programs = {str(program.pk): program for program in programs}
        choices = [(STATEWIDE, _("Statewide (every program)"))] if statewide else []
        choices += [(value, program.name) for value, program in self._programs.items()]
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ChoiceField)
        program_field.choices = choices
        if choices:
            program_field.initial = choices[0][0]
        if len(choices) > MOST_RADIOS:
            program_field.widget = forms.Select(choices=choices)

    @property
    def can_generate(self) -> bool:
        """Whether the user may ask for any report at all."""
        program_field = self.fields["program"]
        assert isinstance(program_field, forms.ChoiceField)
        return bool(program_field.choices)

    def clean_quarter(self) -> Quarter:
        year, number = self.cleaned_data["quarter"].split("-")
        return Quarter(int(year), int(number))

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or translation.get_language()

    def clean_program(self) -> Program | None:
        value = self.cleaned_data["program"]
        return None if value == STATEWIDE else self._programs[value]


class QualityForm(forms.Form):
    """The data-quality panel's choice of program and quarter (a GET form): the quarter under
    way or one of the last six that ended. A value that is not on offer gives the default
    (the first program, the last quarter that ended) with the error at the field."""

    program = forms.ChoiceField(
        label=gettext_lazy("Program"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a program from the list.")},
    )
    quarter = forms.ChoiceField(
        label=gettext_lazy("Quarter"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("Choose a quarter from the list.")},
    )

    def __init__(
        self, *args: Any, programs: list[Program], today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._programs = {program.slug: program for program in programs}
        current = Quarter.from_date(today)
        self._quarters = {
            quarter_value(quarter): quarter
            for quarter in [current, *completed_quarters(today=today)]
        }
        program_field = self.fields["program"]
        quarter_field = self.fields["quarter"]
        assert isinstance(program_field, forms.ChoiceField)
        assert isinstance(quarter_field, forms.ChoiceField)
        program_field.choices = [(slug, program.name) for slug, program in self._programs.items()]
        quarter_field.choices = [
            (
                value,
                _("%(quarter)s (under way)") % {"quarter": quarter.label}
                if quarter == current
                else quarter.label,
            )
            for value, quarter in self._quarters.items()
        ]
        self.default_quarter = completed_quarters(1, today)[0]
        self.default_program = programs[0] if programs else None
        # The choices shown are the ones the panel shows, not the lists' first entries.
        quarter_field.initial = quarter_value(self.default_quarter)
        program_field.initial = self.default_program.slug if self.default_program else None

    def chosen(self) -> tuple[Program | None, Quarter]:
        """The program and quarter asked for, or the defaults for what was not."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        program = self._programs.get(cleaned.get("program") or "", self.default_program)
        quarter = self._quarters.get(cleaned.get("quarter") or "", self.default_quarter)
        return program, quarter


class CloseQuarterForm(forms.Form):
    """Closing a program's quarter (posted from the data-quality panel): a program the user
    may close and a quarter that has ended."""

    program = forms.ChoiceField(
        error_messages={"invalid_choice": gettext_lazy("Choose a program from the list.")}
    )
    quarter = forms.ChoiceField(
        error_messages={"invalid_choice": gettext_lazy("Choose a quarter that has ended.")}
    )

    def __init__(
        self, *args: Any, programs: list[Program], today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._programs = {program.slug: program for program in programs}
        self._quarters = {quarter_value(quarter): quarter for quarter in completed_quarters(
            today=today)}  # fmt: skip
        program_field = self.fields["program"]
        quarter_field = self.fields["quarter"]
        assert isinstance(program_field, forms.ChoiceField)
        assert isinstance(quarter_field, forms.ChoiceField)
        program_field.choices = [(slug, slug) for slug in self._programs]
        quarter_field.choices = [(value, value) for value in self._quarters]

    def clean_program(self) -> Program:
        return self._programs[self.cleaned_data["program"]]

    def clean_quarter(self) -> Quarter:
        return self._quarters[self.cleaned_data["quarter"]]


class CalendarForm(forms.Form):
    """What the calendar shows: a month, a week, a day or the next month's agenda around a day,
    for one program or all of the person's, for one Parent Partner or everyone. A value
    that makes no sense is shown at its field and the calendar falls back to its default."""

    VIEWS = [
        ("month", gettext_lazy("Month")),
        ("week", gettext_lazy("Week")),
        ("day", gettext_lazy("Day")),
        ("agenda", gettext_lazy("Agenda")),
    ]

    view = forms.ChoiceField(label=gettext_lazy("Show"), choices=VIEWS, required=False)
    day = DateField(
        label=gettext_lazy("Around the day"),
        required=False,
        widget=IsoDateInput(attrs={"class": "form-control"}),
    )
    program = forms.ModelChoiceField(
        label=gettext_lazy("Program"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=gettext_lazy("All my programs"),
    )
    person = forms.ModelChoiceField(
        label=gettext_lazy("Parent Partner"),
        queryset=Program.objects.none(),
        required=False,
        empty_label=gettext_lazy("Everyone"),
    )

    def __init__(self, *args: Any, programs: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["program"].queryset = programs  # type: ignore[attr-defined]
        self.fields["person"].queryset = people  # type: ignore[attr-defined]
