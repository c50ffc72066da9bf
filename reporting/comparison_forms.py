"""The upload form of the state comparison extract, and the upload handler that keeps a
file over ``COMPARISON_MAX_BYTES`` from being stored (the form then says so at the field).

(Kept apart from ``reporting.forms`` while another change is made there; it may move in.)
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psp.forms import DateField, IsoDateInput
from reporting.comparison import COMPARISON_MAX_BYTES

MAX_NOTE_LENGTH = 500
# The rest of the form around the file: a body longer than the file's limit by more than
# this holds a file over the limit, and none of the file is kept.
FORM_ROOM_BYTES = 64 * 1024


class LimitedUploadHandler(FileUploadHandler):
    """First among the request's upload handlers: passes a file's bytes on to the next
    handlers (memory or a temporary file) until there are more than ``limit`` of them, then
    skips the file (nothing of it is kept; the rest of the body is read and dropped) and
    sets ``too_large``. A body announced larger than the limit is skipped from its first
    byte."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.too_large = False

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        if content_length > self.limit + FORM_ROOM_BYTES:
            self.too_large = True

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.too_large or self.received > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler makes the file


class ComparisonUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("The extract (a CSV file)"),
        error_messages={
            "required": gettext_lazy("Choose the extract's CSV file."),
            "empty": gettext_lazy("This file is empty. Choose the extract's CSV file again."),
            "invalid": gettext_lazy("Choose the extract's CSV file."),
            "missing": gettext_lazy("Choose the extract's CSV file."),
        },
        widget=forms.FileInput(attrs={"class": "form-control-lg", "accept": ".csv,text/csv"}),
    )
    period_start = DateField(
        label=gettext_lazy("First day of the period"),
        help_text=gettext_lazy("The extract lists the episodes that began from this day."),
        error_messages={"required": gettext_lazy("Enter the first day of the period.")},
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
    )
    period_end = DateField(
        label=gettext_lazy("Last day of the period"),
        error_messages={"required": gettext_lazy("Enter the last day of the period.")},
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
    )
    data_as_of = DateField(
        label=gettext_lazy("Date the data is as of"),
        help_text=gettext_lazy("The day the state took the data from its records."),
        error_messages={"required": gettext_lazy("Enter the date the data is as of.")},
        widget=IsoDateInput(attrs={"class": "form-control form-control-lg"}),
    )
    note = forms.CharField(
        label=gettext_lazy("Note (optional)"),
        required=False,
        max_length=MAX_NOTE_LENGTH,
        help_text=gettext_lazy("For example: DCF eWiSACWIS extract of 2026-10-01."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["file"].help_text = _(
            "Saved as “CSV UTF-8 (comma delimited)”, up to %(limit)s, laid out as described below."
        ) % {"limit": filesizeformat(COMPARISON_MAX_BYTES)}

    def _too_large_message(self) -> forms.ValidationError:
        return forms.ValidationError(
            _("This file is larger than %(limit)s. Split the extract by period and upload each "
              "part.") % {"limit": filesizeformat(COMPARISON_MAX_BYTES)},
            code="too_large",
        )  # fmt: skip

    def full_clean(self) -> None:
        super().full_clean()
        if self.is_bound and self.too_large:
            # The upload handler dropped the file: say why, rather than "choose a file".
            self.errors.pop("file", None)
            self.cleaned_data.pop("file", None)
            self.add_error("file", self._too_large_message())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if (upload.size or 0) > COMPARISON_MAX_BYTES:
            raise self._too_large_message()
        if not (upload.name or "").lower().endswith(".csv"):
            raise forms.ValidationError(
                _("Choose a file whose name ends in .csv: save the extract as CSV first."),
                code="not_csv",
            )
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start = cleaned.get("period_start")
        end = cleaned.get("period_end")
        as_of = cleaned.get("data_as_of")
        if start and end and end < start:
            self.add_error(
                "period_end", _("Enter a last day on or after the first day of the period.")
            )
        if as_of and start and as_of < start:
            self.add_error("data_as_of", _("Enter a date on or after the first day of the period."))
        elif as_of and as_of > timezone.localdate():
            self.add_error("data_as_of", _("Enter a date that has come: today or before."))
        return cleaned
