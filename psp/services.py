"""Writes to people, programs, memberships and API tokens. Each one is atomic and audited."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from psp import audit
from psp.api import hash_key, new_key
from psp.models import (
    ApiToken,
    AuditAction,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    Program,
    Role,
    RoleLabel,
    School,
    SchoolDistrict,
    StatewideRole,
    User,
    VersionedModel,
    is_offered_language,
)
from psp.notifications import choices_for


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
def membership_grant(
    *,
    actor: User | None,
    user: User,
    program: Program,
    role: str,
    school: School | None = None,
) -> Membership:
    """Give ``user`` a role in ``program`` (or re-activate it); school staff at ``school``."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose a role from the list.")})
    membership = Membership.objects.filter(user=user, program=program, role=role).first()
    if membership is None:
        membership = Membership(user=user, program=program, role=role, school=school)
        membership.full_clean()
        membership.save()
        audit.record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=membership,
            changes={
                "user": user.get_username(),
                "role": role,
                **({"school": str(school)} if school else {}),
            },
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


# --- API tokens -----------------------------------------------------------------------------

# A token lives at most this long: a system that still needs one gets a new one each year.
API_TOKEN_LONGEST = datetime.timedelta(days=365)


def api_token_default_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.PSP_API_TOKEN_DAYS)


def api_token_check(*, user: User | None, expires_at: datetime.datetime | None) -> None:
    """The rules a new token answers to, as field errors: it belongs to an active state-staff
    account (a system reads what DCF reads, never a program's families) and expires within a
    year."""
    errors: dict[str, str] = {}
    if user is not None and not (user.is_state_staff and user.is_active):
        errors["user"] = _(
            "API tokens are only for active state-staff accounts. Choose a state-staff account."
        )
    if expires_at is not None:
        now = timezone.now()
        if expires_at <= now:
            errors["expires_at"] = _("Choose a moment in the future.")
        elif expires_at > now + API_TOKEN_LONGEST:
            errors["expires_at"] = _("A token can last at most one year. Choose an earlier date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def api_token_create(
    *, actor: User, user: User, name: str, expires_at: datetime.datetime
) -> tuple[ApiToken, str]:
    """Make a read-only token for ``user``. Returns the token and its key: the key is kept
    nowhere (only its SHA-256 and first characters), so it must be shown now or never."""
    api_token_check(user=user, expires_at=expires_at)
    key = new_key()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=key[: ApiToken._meta.get_field("prefix").max_length],
        key_hash=hash_key(key),
        created_by=actor,
        expires_at=expires_at,
    )
    token.full_clean()
    token.save()
    audit.record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=token,
        changes={
            "name": token.name,
            "account": user.get_username(),
            "prefix": token.prefix,
            "expires_at": expires_at.isoformat(),
        },
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> bool:
    """Stop ``token`` working from now on; the row stays, for the audit trail. Returns
    whether it was still unrevoked."""
    stored = ApiToken.objects.select_for_update().get(pk=token.pk)
    if stored.revoked_at is not None:
        token.revoked_at = stored.revoked_at
        return False
    stored.revoked_at = timezone.now()
    stored.full_clean()
    stored.save(update_fields=["revoked_at"])
    token.revoked_at = stored.revoked_at
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=stored,
        changes={"revoked_at": [None, stored.revoked_at.isoformat()]},
    )
    return True


# --- Notifications --------------------------------------------------------------------------


@transaction.atomic
def notification_read(*, user: User, notice: Notification) -> Notification:
    """``user`` opened one of their notifications: it is read from now on."""
    if notice.recipient_id != user.pk:
        raise ValidationError(_("This notification is someone else's."))
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=notice,
            changes={"read_at": notice.read_at.isoformat()},
        )
    return notice


@transaction.atomic
def notifications_mark_all_read(*, user: User) -> int:
    """Every unread notification of ``user``'s is read; how many were."""
    now = timezone.now()
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=now)
    if count:
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            object_type=Notification._meta.label_lower,
            object_repr=str(_("All notifications marked as read")),
            changes={"marked_read": count},
        )
    return count


@transaction.atomic
def notification_preferences_set(
    *, user: User, choices: dict[str, tuple[bool, bool]]
) -> dict[str, Any]:
    """Keep how ``user`` wants to be told of each kind: ``{kind: (in_app, email)}``. A kind
    left out keeps its choice. Returns the changes written to the audit log."""
    before = choices_for(user)
    changes: dict[str, Any] = {}
    for kind, (in_app, email) in choices.items():
        kind = NotificationKind(kind)
        old = before[kind]
        if (old.in_app, old.email) == (in_app, email):
            continue
        preference, _created = NotificationPreference.objects.get_or_create(
            user=user, kind=kind, defaults={"in_app": in_app, "email": email}
        )
        preference.in_app, preference.email = in_app, email
        preference.full_clean()
        preference.save()
        changes[kind] = [
            {"in_app": old.in_app, "email": old.email},
            {"in_app": in_app, "email": email},
        ]
    if changes:
        audit.record(
            actor=user,
            action=AuditAction.UPDATE,
            obj=user,
            object_type=NotificationPreference._meta.label_lower,
            changes=changes,
        )
    return changes


# --- Schools and districts of a school-based program ---------------------------------------

SCHOOL_FIELDS = ["district", "name", "is_active"]


def _save_unique(record: School | SchoolDistrict, taken: str) -> None:
    """Saved; when someone else saved the same name since it was checked (two people adding
    one school at the same moment), the database's unique constraint refuses it and the
    person reads ``taken`` at the name, as they would have a moment later."""
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as error:
        raise ValidationError({"name": taken}) from error


@transaction.atomic
def school_district_save(
    *, actor: User, program: Program, data: dict[str, Any], district: SchoolDistrict | None = None
) -> SchoolDistrict:
    """A school district (LEA) the program works with, added or renamed; audited."""
    name = " ".join(str(data.get("name") or "").split())
    others = SchoolDistrict.objects.filter(program=program, name__iexact=name)
    if district is not None:
        others = others.exclude(pk=district.pk)
    if others.exists():
        raise ValidationError({"name": _("This program already has a district of that name.")})
    before = (
        audit.snapshot(SchoolDistrict.objects.get(pk=district.pk), ["name"]) if district else None
    )
    district = district or SchoolDistrict(program=program)
    district.name = name
    district.full_clean()
    _save_unique(district, _("This program already has a district of that name."))
    after = audit.snapshot(district, ["name"])
    if before is None:
        audit.record(actor=actor, action=AuditAction.CREATE, obj=district, changes=after)
    elif changes := audit.diff(before, after):
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=district, changes=changes)
    return district


@transaction.atomic
def school_save(
    *, actor: User, program: Program, data: dict[str, Any], school: School | None = None
) -> School:
    """A school of one of the program's districts, added, renamed, moved to another of its
    districts, or made inactive (then it is no longer offered for new referrals or staff,
    and the records that name it keep it); audited."""
    district = data.get("district")
    if district is None or district.program_id != program.pk:
        raise ValidationError({"district": _("Choose one of this program's districts.")})
    name = " ".join(str(data.get("name") or "").split())
    others = School.objects.filter(district=district, name__iexact=name)
    if school is not None:
        others = others.exclude(pk=school.pk)
    if others.exists():
        raise ValidationError({"name": _("This district already has a school of that name.")})
    before = audit.snapshot(School.objects.get(pk=school.pk), SCHOOL_FIELDS) if school else None
    school = school or School()
    school.district = district
    school.name = name
    school.is_active = bool(data.get("is_active", True))
    school.full_clean()
    _save_unique(school, _("This district already has a school of that name."))
    after = audit.snapshot(school, SCHOOL_FIELDS)
    if before is None:
        audit.record(actor=actor, action=AuditAction.CREATE, obj=school, changes=after)
    elif changes := audit.diff(before, after):
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=school, changes=changes)
    return school
