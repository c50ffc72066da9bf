"""What keeps the public pages (a program's page and its two forms, the only pages open
without signing in) from being abused, without any third-party service:

* ``public_form`` marks a view: its body may be at most ``PSP_PUBLIC_FORM_MAX_BYTES``
  (``RequestLimitsMiddleware`` answers 413 before the body is read), and its answers are
  kept by no cache (``Cache-Control: no-store``) nor by the tablet's service worker.
* ``SpamTrapForm`` adds two traps a person never notices: a box hidden from people (and
  from screen readers) that form-filling robots fill in, and a signed time the form was
  shown, so a form sent back within ``PSP_PUBLIC_FORM_MIN_SECONDS`` is a robot's. A form
  filled in right but caught by either is answered as if it were received, so the robot
  learns nothing, and nothing is kept (one with mistakes shows them, as to anybody).
* ``over_limit`` counts the forms sent from one address (for IPv6, its /64): past
  ``PSP_PUBLIC_FORMS_PER_HOUR`` the page says so (answer 429) and shows the person's answers
  again, unsent. The count is kept in the cache (Redis; each process's own memory while
  Redis is down).
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from psp.forms import add_model_errors
from psp.middleware import client_ip
from psp.models import Program

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
WINDOW_SECONDS = 3600
SALT = "psp.public.form-shown"
# A form left open longer than this is asked to be sent again (its time is no proof).
MAX_AGE_SECONDS = 24 * 3600


def public_form(view: View) -> View:
    """Marks a public page that takes a form (see the module's docstring)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        # What a person typed (shown again after a mistake) is kept by no cache, nor by the
        # back button of a shared computer, as signed-in pages are not (NoStoreMiddleware).
        add_never_cache_headers(response)
        return response

    wrapped.public_form = True  # type: ignore[attr-defined]
    return wrapped


def _address_key(request: HttpRequest) -> str:
    # The count keeps a hash of the address, for an hour, not the address (the audit log
    # records the address of a form kept, as of every change).
    address = _network(client_ip(request) or "unknown")
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()[:32]
    return f"psp:public-forms:{digest}"


def _network(address: str) -> str:
    """What one sender's forms are counted by: an IPv4 address, or an IPv6 address's /64.
    A home or a phone is given a whole /64 and may take any address in it, so counting each
    IPv6 address alone would let one sender send without limit."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def over_limit(request: HttpRequest) -> bool:
    """Counts this form sent from the caller's address; true when the hour's allowance is
    used up. Every form sent counts, whether or not it was filled in right."""
    key = _address_key(request)
    cache.add(key, 0, timeout=WINDOW_SECONDS)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        sent = 1
    return int(sent) > settings.PSP_PUBLIC_FORMS_PER_HOUR


def shown_stamp() -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(int(time.time())))


class SpamTrapForm(forms.Form):
    """A form of a public page, with the two traps (see the module's docstring)."""

    # Named as robots expect a box to be; hidden by the stylesheet and from screen readers.
    website = forms.CharField(
        label=_("Leave this box empty"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    shown = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shown"].initial = shown_stamp()

    def is_robot(self) -> bool:
        """Whether a trap caught the form (it reads only what was sent, not the fields)."""
        if self.data.get("website"):
            logger.info("public form: the hidden box was filled in")
            return True
        try:
            seconds = int(
                signing.TimestampSigner(salt=SALT).unsign(
                    str(self.data.get("shown", "")), max_age=MAX_AGE_SECONDS
                )
            )
        except signing.SignatureExpired:
            return False
        except (signing.BadSignature, ValueError):
            logger.info("public form: no valid time it was shown")
            return True
        if time.time() - seconds < settings.PSP_PUBLIC_FORM_MIN_SECONDS:
            logger.info("public form: sent too soon after it was shown")
            return True
        return False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            signing.TimestampSigner(salt=SALT).unsign(
                str(self.data.get("shown", "")), max_age=MAX_AGE_SECONDS
            )
        except signing.SignatureExpired:
            # Open for more than a day: the answers stay, and a new time goes with them.
            data = self.data.copy()  # type: ignore[attr-defined]
            data["shown"] = shown_stamp()
            self.data = data
            raise forms.ValidationError(
                _("This page was open for a long time. Check your answers and send them again.")
            ) from None
        except signing.BadSignature:
            pass  # a robot's: answered as received, see ``is_robot``
        return cleaned


# What became of a public form sent (``check``).
LIMITED = "limited"
ROBOT = "robot"
INVALID = "invalid"
VALID = "valid"


def check(request: HttpRequest, form: SpamTrapForm) -> str:
    """Whether a public form sent may be kept: not past the address's allowance, filled in
    right, and not caught by a trap. A form with mistakes shows them, whoever sent it: a
    person who pressed Send at once on an empty form must not read that it was sent."""
    if over_limit(request):
        form.limited = True  # type: ignore[attr-defined]
        return LIMITED
    if not form.is_valid():
        return INVALID
    return ROBOT if form.is_robot() else VALID


@dataclass(frozen=True)
class Door:
    """What a program's public pages call the parents who help, in whole sentences so that
    each translates as one: a child-welfare program's Parent Partners, or a school-based
    Parent Peer Support provider's Parent Peer Specialists."""

    school_based: bool
    ask: StrOrPromise
    become: StrOrPromise
    matched: StrOrPromise


def door(program: Program) -> Door:
    if program.is_school_based:
        return Door(
            school_based=True,
            ask=_("Ask for a Parent Peer Specialist"),
            become=_("Become a Parent Peer Specialist"),
            matched=_(
                "If the family wants a Parent Peer Specialist, the program matches them with one."
            ),
        )
    return Door(
        school_based=False,
        ask=_("Ask for a Parent Partner"),
        become=_("Become a Parent Partner"),
        matched=_("If the parent wants a Parent Partner, the program matches them with one."),
    )


def program_or_404(slug: str) -> Program:
    """A program whose public page is open: an active one."""
    try:
        return Program.objects.get(slug=slug, is_active=True)
    except Program.DoesNotExist as error:
        raise Http404 from error


def answer(
    request: HttpRequest,
    form: SpamTrapForm,
    *,
    program: Program,
    receive: Callable[[], object],
    sent: str,
    template: str,
) -> HttpResponse:
    """A public form's page: shown, or sent (``receive`` keeps it, once ``check`` allows);
    received, or caught by a trap, it leads to the page ``sent`` (a URL name taking the
    program's slug) that says what happens next, the same in both cases."""
    status = 200
    if request.method == "POST":
        outcome = check(request, form)
        if outcome == LIMITED:
            status = 429
        elif outcome == ROBOT:
            return redirect(sent, slug=program.slug)
        elif outcome == VALID:
            try:
                receive()
            except ValidationError as error:
                add_model_errors(form, error)
            else:
                return redirect(sent, slug=program.slug)
    context = {
        "program": program,
        "door": door(program),
        "form": form,
        "has_errors": status == 200 and form.is_bound,
    }
    response = render(request, template, context, status=status)
    if status == 429:
        # The count started at most an hour ago, as the page says (in its words).
        response["Retry-After"] = str(WINDOW_SECONDS)
    return response
