"""Sign-in events go to the audit log, changes to a second factor are told to the person by
e-mail, and migrations never unapply what cannot come back (connected in
``PspConfig.ready``)."""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import user_logged_in, user_logged_out, user_login_failed
from django.core.management.base import CommandError
from django.db.migrations import Migration
from django.dispatch import receiver
from django.http import HttpRequest

from psp import audit, mfa
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


@receiver(mfa_signals.authenticator_added)
def _authenticator_added(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    # Recovery codes come with the first authenticator app: one notice is enough.
    if authenticator.type in mfa.SECOND_FACTORS:
        mfa.notify(request, user, mfa.Change.ADDED)


@receiver(mfa_signals.authenticator_removed)
def _authenticator_removed(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type in mfa.SECOND_FACTORS:
        mfa.notify(request, user, mfa.Change.REMOVED)


@receiver(mfa_signals.authenticator_reset)
def _authenticator_reset(
    sender: Any, request: HttpRequest, user: User, authenticator: Authenticator, **kwargs: Any
) -> None:
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        mfa.notify(request, user, mfa.Change.RECOVERY_CODES)


def refuse_irreversible_plan(
    sender: Any, plan: list[tuple[Migration, bool]] | None = None, **kwargs: Any
) -> None:
    """Refuse, before anything is touched, a ``migrate`` that would unapply an irreversible
    migration, such as the one that creates the audit log (``migrate psp 0001`` would
    otherwise first undo the later migrations, then fail half-way)."""
    for migration, backwards in plan or []:
        if backwards and not all(operation.reversible for operation in migration.operations):
            raise CommandError(
                f"Migration {migration.app_label}.{migration.name} cannot be unapplied "
                "(it would destroy data that must be kept, such as the audit log). "
                "Nothing was changed."
            )
