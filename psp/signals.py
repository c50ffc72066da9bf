"""Sign-in events go to the audit log (connected in ``PspConfig.ready``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from psp import audit
from psp.models import AuditAction, User


@receiver(user_logged_in)
def _logged_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    audit.record(actor=user, action=AuditAction.LOGIN, object_repr=user.get_username())


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(actor=user, action=AuditAction.LOGOUT, object_repr=user.get_username())


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    # The attempted name only: never the password.
    name = str(credentials.get("username") or credentials.get("email") or "")[:150]
    audit.record(actor=None, action=AuditAction.LOGIN_FAILED, object_repr=name)
