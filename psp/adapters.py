"""How sign-in behaves: accounts are made by administrators, never by sign-up; too many
failed sign-ins are refused with a message that says when to try again."""

from __future__ import annotations

import math
import time
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from psp.models import User

LOGIN_FAILED = "login_failed"


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Allauth's e-mails (a password reset, a sign-in code) in the language the person
        chose, whichever browser asked for them; the page's language until they choose."""
        user = context.get("user")
        if not isinstance(user, User) or not user.language:
            super().send_mail(template_prefix, email, context)
            return
        with translation.override(user.language_or_default):
            super().send_mail(template_prefix, email, context)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError as error:
            message = self._wait_message(request, **credentials)
            raise forms.ValidationError(message, code="too_many_login_attempts") from error

    def _wait_message(self, request: HttpRequest, **credentials: Any) -> str:
        """Which limit was reached (this account, or every sign-in from this address, as
        in a county office behind one address) and in how many minutes to try again."""
        key = self._get_login_attempts_cache_key(request, **credentials)
        now = time.time()
        waits: dict[str, float] = {}
        for rate in ratelimit.parse_rates(settings.ACCOUNT_RATE_LIMITS.get(LOGIN_FAILED)):
            cache_key = ratelimit.get_cache_key(
                request, app="allauth.account", action=LOGIN_FAILED, rate=rate, key=key
            )
            history = [stamp for stamp in cache.get(cache_key, []) if stamp > now - rate.duration]
            if len(history) >= rate.amount:
                # The hits are newest first: the limit frees up when the amount-th expires.
                waits[rate.per] = max(
                    waits.get(rate.per, 0), history[rate.amount - 1] + rate.duration - now
                )
        minutes = max(1, math.ceil(max(waits.values(), default=60) / 60))
        wait = ngettext(
            "Try again in %(minutes)s minute", "Try again in %(minutes)s minutes", minutes
        ) % {"minutes": minutes}
        if "key" in waits:
            reason = _("Too many failed sign-ins for this account.")
            advice = _("or reset your password.")
        else:
            reason = _("Too many failed sign-ins from this network.")
            advice = _("or ask your administrator if this keeps happening.")
        return f"{reason} {wait}, {advice}"
