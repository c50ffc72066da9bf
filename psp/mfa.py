"""The second factor: who has one, whether this session used it, whether the person just
confirmed a code sent to their e-mail address (needed for the first one), and telling them
by e-mail when one is added or removed."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.authentication import get_authentication_records
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation

from psp.models import User

# The kinds the sign-in asks for as its second step (recovery codes alone are not asked).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


class Change:
    """What changed, as the notice names it (see psp/email/second_factor_changed-*.txt)."""

    ADDED = "added"
    REMOVED = "removed"
    RECOVERY_CODES = "recovery_codes"


def has_second_factor(user: User) -> bool:
    return is_mfa_enabled(user, SECOND_FACTORS)


def used_second_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in (or a later step) included the second factor."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def recently_confirmed_by_email(request: HttpRequest) -> bool:
    """Whether the person typed a code sent to their e-mail address in the last few minutes
    (``ACCOUNT_REAUTHENTICATION_TIMEOUT``)."""
    records = get_authentication_records(request, request.user)
    now = time.time()
    return any(
        record.get("method") == "code"
        and record.get("reauthenticated")
        and now - record.get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT
        for record in records
    )


def newest_second_factor(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).order_by("-pk").first()


def count_as_used(request: HttpRequest, authenticator: Authenticator) -> None:
    """Record in the session that ``authenticator`` was just used (see ``used_second_factor``)."""
    record_authentication(
        request, authenticator.user, "mfa", id=authenticator.pk, type=authenticator.type
    )


def notify(request: HttpRequest, user: User, change: str) -> None:
    """E-mail the person that their second factor changed, once the change is saved."""
    from psp.middleware import client_ip
    from psp.tasks import send_second_factor_notice

    if not user.email:
        return
    user_id = user.pk
    language = translation.get_language() or "en"
    ip_address = client_ip(request) or ""
    changed_at = timezone.now().isoformat()
    transaction.on_commit(
        lambda: send_second_factor_notice.delay(
            user_id=user_id,
            change=change,
            language=language,
            ip_address=ip_address,
            changed_at=changed_at,
        )
    )
