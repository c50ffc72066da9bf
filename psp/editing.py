"""The one shape of a page that creates or edits a record: a GET shows the form; a POST that
validates goes to a service, and the user is sent on with a message; a rule the service
refuses is shown on the form; a stale save of a versioned record is refused with the user's
input kept. Views call ``save_form`` and show the form when it returns None."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.formsets import BaseFormSet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect

from psp.forms import add_model_errors
from psp.services import ConcurrentEditError

Saved = TypeVar("Saved")


def save_form(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[dict[str, Any]], Saved],
    *,
    saved: str | Callable[[Saved], str],
    then: Callable[[Saved], Any] | None = None,
    formsets: Sequence[BaseFormSet[Any]] = (),
    stored_version: Callable[[], int] | None = None,
) -> HttpResponse | None:
    """On a POST where ``form`` and its ``formsets`` are all valid (each checked, so every
    error shows), ``save(form.cleaned_data)`` through a service, then the ``saved`` message
    and a redirect to ``then(result)`` (a URL or a record; the saved record unless given).

    Returns None where the page shows the form: on a GET, with the form's own errors, with
    a service's ``ValidationError`` put on the form (``add_model_errors``) and, for a
    versioned record (``stored_version`` given, reading the stored version), when someone
    else saved first: the message goes above the form, the user's input stays and the form
    carries the stored version, so saving again overwrites knowingly."""
    if request.method != "POST":
        return None
    checked: list[forms.BaseForm | BaseFormSet[Any]] = [form, *formsets]
    valid = [each.is_valid() for each in checked]  # each one, so that every error shows
    if not all(valid):
        return None
    try:
        result = save(form.cleaned_data)
    except ConcurrentEditError as error:
        if stored_version is None:
            raise
        form.add_error(None, str(error))
        data = cast(QueryDict, form.data).copy()
        data["version"] = str(stored_version())
        form.data = data
        return None
    except ValidationError as error:
        add_model_errors(form, error)
        return None
    messages.success(request, saved(result) if callable(saved) else saved)
    target: Any = result if then is None else then(result)
    return redirect(target)
