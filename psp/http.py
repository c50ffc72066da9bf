"""Request types for views that only signed-in users reach, and reading their query."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import HttpRequest

from psp.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User


LARGEST_ID = 2**63 - 1  # the largest primary key the database can hold


def whole_number(value: str | None, *, largest: int = LARGEST_ID) -> int | None:
    """``value`` (from a query string) as a whole number, or None when it is not one: only
    ASCII digits ("²" is a digit to ``str.isdigit`` but not to ``int``) and no larger than
    ``largest``, so it can be compared with ids and years without a server error (nor
    converted at all when it has more digits than ``largest``: Python refuses to convert a
    string of thousands of digits)."""
    if not value or not (value.isascii() and value.isdigit()) or len(value) > len(str(largest)):
        return None
    number = int(value)
    return number if number <= largest else None


View = TypeVar("View", bound=Callable[..., Any])


def takes_a_file(view: View) -> View:
    """Mark a view whose form sends a file: ``psp.middleware.RequestLimitsMiddleware`` lets
    its body be one file (``PSP_DOCUMENT_MAX_BYTES``) larger than other pages'."""
    view.takes_a_file = True  # type: ignore[attr-defined]
    return view


def takes_a_large_file(largest: int) -> Callable[[View], View]:
    """``takes_a_file`` for a page whose file may be larger than a document: its body may be
    ``largest`` bytes larger than other pages', so that its form, not the too-large page, says
    at the field that a file is over the form's own limit."""

    def mark(view: View) -> View:
        view.takes_a_file = True  # type: ignore[attr-defined]
        view.largest_file = largest  # type: ignore[attr-defined]
        return view

    return mark
