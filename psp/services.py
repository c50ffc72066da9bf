"""Writes to people, programs and memberships. Each one is atomic and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from psp import audit
from psp.models import (
    AuditAction,
    Membership,
    Program,
    Role,
    RoleLabel,
    StatewideRole,
    User,
    VersionedModel,
    is_offered_language,
)


class ConcurrentEditError(Exception):
    """Somebody else saved the record after this user opened it."""

    def __init__(self, instance: models.Model) -> None:
        super().__init__(
            _(
                "Someone else changed this record while you were editing it. Your changes "
                "have not been saved. Check the current values below, then save again."
            )
        )
        self.instance = instance


def save_versioned(*, instance: VersionedModel, expected_version: int, fields: list[str]) -> None:
    """Save ``fields`` only if nobody has saved the record since ``expected_version``.

    One UPDATE ... WHERE version = expected: two saves racing cannot both pass.
    """
    model = type(instance)
    values = {name: getattr(instance, name) for name in fields}
    updated = model._default_manager.filter(pk=instance.pk, version=expected_version).update(
        version=models.F("version") + 1, **values
    )
    if updated != 1:
        raise ConcurrentEditError(instance)
    instance.version = expected_version + 1


@transaction.atomic
def program_update(
    *,
    actor: User,
    program: Program,
    expected_version: int,
    data: dict[str, Any],
    role_labels: dict[str, str],
) -> Program:
    """Change a program's details and its names for the roles."""
    editable = ["lead_agency", "partner_agency", "contact_email"]
    # The stored row, not ``program``: a bound ModelForm has already changed that instance.
    stored = Program.objects.get(pk=program.pk)
    before = audit.snapshot(stored, editable)
    before["role_labels"] = dict(stored.role_labels.values_list("role", "label"))
    for name in editable:
        if name in data:
            setattr(program, name, data[name])
    program.full_clean()
    save_versioned(instance=program, expected_version=expected_version, fields=editable)

    labels_after: dict[str, str] = {}
    for role in Role.values:
        label = (role_labels.get(role) or "").strip()
        if label:
            RoleLabel.objects.update_or_create(
                program=program, role=role, defaults={"label": label}
            )
            labels_after[role] = label
        else:
            RoleLabel.objects.filter(program=program, role=role).delete()
    after = audit.snapshot(program, editable)
    after["role_labels"] = labels_after
    changes = audit.diff(before, after)
    if changes:
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=program, changes=changes)
    return program


@transaction.atomic
def program_create(*, actor: User | None, **fields: Any) -> Program:
    program = Program(**fields)
    program.full_clean()
    program.save()
    audit.record(
        actor=actor, action=AuditAction.CREATE, obj=program, changes=audit.snapshot(program)
    )
    return program


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    statewide_role: str = StatewideRole.NONE,
) -> User:
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        statewide_role=statewide_role,
        # Administrators manage users and programs in the Django admin.
        is_staff=statewide_role == StatewideRole.ADMINISTRATOR,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=user,
        changes=audit.snapshot(
            user, ["username", "email", "first_name", "last_name", "statewide_role"]
        ),
    )
    return user


@transaction.atomic
def membership_grant(*, actor: User | None, user: User, program: Program, role: str) -> Membership:
    """Give ``user`` a role in ``program`` (or re-activate it)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    membership, created = Membership.objects.get_or_create(
        user=user, program=program, role=role, defaults={"is_active": True}
    )
    if created:
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=membership,
            changes={"user": user.get_username(), "role": role},
        )
    elif not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=membership,
            changes={"is_active": [False, True]},
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=membership,
            changes={"is_active": [True, False]},
        )


@transaction.atomic
def email_address_trust(*, user: User) -> None:
    """Codes that confirm who someone is go to the e-mail address an administrator gave the
    account (as password resets do), and to no other address the account may have had."""
    from allauth.account.models import EmailAddress

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).delete()
    EmailAddress.objects.update_or_create(
        user=user,
        email__iexact=user.email,
        defaults={"email": user.email, "verified": True, "primary": True},
    )


@transaction.atomic
def user_language_set(*, user: User, language: str) -> bool:
    """Keep ``language`` (one of ``settings.LANGUAGES``) as ``user``'s own: their pages,
    e-mails and reports come in it from now on, on any device. Returns whether it changed."""
    if not is_offered_language(language):
        raise ValidationError({"language": _("Choose a language from the list.")})
    if user.language == language:
        return False
    before = user.language
    user.language = language
    user.save(update_fields=["language"])
    audit.record(
        actor=user, action=AuditAction.UPDATE, obj=user, changes={"language": [before, language]}
    )
    return True
