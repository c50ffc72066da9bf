"""Telling people what happened: in the app (the bell in the navigation bar) and by e-mail,
as each person chose (``NotificationPreference``).

Domain apps call ``notify`` from their services. A notification keeps no words: its message
is written from its kind and ``params`` when it is shown or sent, in the reader's language,
and names a family by its referral or case number only, never by a name (e-mail is not a
safe place for a family's details; the details stay behind the sign-in).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from psp.dates import format_when
from psp.models import Notification, NotificationKind, NotificationPreference, Program, User


@dataclass(frozen=True)
class Choice:
    in_app: bool
    email: bool


# What a person gets when they have not chosen: everything, in the app and by e-mail (these
# are few, and each one asks the person to do something).
DEFAULTS: dict[str, Choice] = {kind: Choice(in_app=True, email=True) for kind in NotificationKind}


def choices_for(user: User) -> dict[str, Choice]:
    """Each kind's choice for ``user``: theirs where they made one, else the default."""
    found = dict(DEFAULTS)
    for preference in NotificationPreference.objects.filter(user=user):
        found[preference.kind] = Choice(in_app=preference.in_app, email=preference.email)
    return found


def choice_for(user: User, kind: str) -> Choice:
    preference = NotificationPreference.objects.filter(user=user, kind=kind).first()
    if preference is None:
        return DEFAULTS[kind]
    return Choice(in_app=preference.in_app, email=preference.email)


def is_local(url: str) -> bool:
    """A path on this site, never another site's address."""
    return url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts=None, require_https=False
    )


def _day(params: dict[str, Any]) -> str:
    value = params.get("day")
    if not value:
        return ""
    try:
        return format_when(datetime.date.fromisoformat(str(value)), "date")
    except ValueError:
        return ""


def message(kind: str, params: dict[str, Any]) -> str:
    """The notification's words, in the language that is on."""
    values = {"number": params.get("number", ""), "day": _day(params)}
    if kind == NotificationKind.REFERRAL_ARRIVED:
        return _("New referral %(number)s, received on %(day)s") % values
    if kind == NotificationKind.CONTACT_SENT_BACK:
        return _("%(number)s: your contact of %(day)s was sent back to you to change") % values
    if kind == NotificationKind.CASE_ASSIGNED:
        return _("%(number)s: the case is assigned to you") % values
    if kind == NotificationKind.HEARING_NEAR:
        return _("%(number)s: court hearing on %(day)s") % values
    if kind == NotificationKind.FOLLOW_UP_DUE:
        return _("%(number)s: follow-up due on %(day)s") % values
    if kind == NotificationKind.NO_CONTACT:
        return _("%(number)s: no contact in 14 days") % values
    if kind == NotificationKind.NO_CLINICAL_SESSION and params.get("program"):
        return _("%(program)s: no clinical support session yet this month") % {
            "program": params["program"]
        }
    if kind == NotificationKind.PUBLIC_REQUEST:
        return _("A parent asked for help on the public page on %(day)s") % values
    if kind == NotificationKind.SCHOOL_TRANSITION:
        return (
            _(
                "%(number)s: a child moves to a new school after this school year; "
                "plan it by %(day)s"
            )
            % values
        )
    if kind == NotificationKind.PUBLIC_INTEREST:
        return _("Someone asked on the public page on %(day)s to become a Parent Partner") % values
    return str(NotificationKind(kind).label)


# Kinds told as reminders of something coming or overdue ("Reminder: ..." in the subject).
REMINDERS = frozenset(
    {
        NotificationKind.HEARING_NEAR,
        NotificationKind.FOLLOW_UP_DUE,
        NotificationKind.NO_CONTACT,
        NotificationKind.NO_CLINICAL_SESSION,
        NotificationKind.SCHOOL_TRANSITION,
    }
)


def subject(kind: str) -> str:
    """The e-mail's subject, in the language that is on."""
    label = NotificationKind(kind).label
    if kind in REMINDERS:
        return _("Reminder: %(kind)s") % {"kind": label}
    return _("PSP Case Management: %(kind)s") % {"kind": label}


def notify(
    recipient: User,
    kind: NotificationKind | str,
    *,
    key: str,
    url: str,
    params: dict[str, Any] | None = None,
    program: Program | int | None = None,
) -> Notification | None:
    """Tell ``recipient`` about one event (``kind`` and ``key``), once: in the app if they
    want it (the notification is returned), and by e-mail, once the transaction commits, if
    they want it and have an address. Nothing for an inactive account or an event already
    told. ``params`` hold what the message needs (``number``, ``day`` as an ISO date)."""
    kind = NotificationKind(kind)
    params = dict(params or {})
    if not recipient.is_active:
        return None
    if not is_local(url):
        raise ValueError(f"A notification leads to a page of this site, not {url!r}.")
    if Notification.objects.filter(recipient=recipient, kind=kind, key=key).exists():
        return None
    choice = choice_for(recipient, kind)
    program_id = program.pk if isinstance(program, Program) else program
    notification = None
    if choice.in_app:
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=kind,
                    key=key,
                    url=url,
                    params=params,
                    program_id=program_id,
                )
        except IntegrityError:
            return None  # told at the same moment by another worker
    if choice.email and recipient.email:
        transaction.on_commit(lambda: send_email(recipient, kind, params))
    return notification


def send_email(recipient: User, kind: str, params: dict[str, Any]) -> None:
    """The e-mail for one notification, in the recipient's language."""
    with translation.override(recipient.language_or_default):
        context = {
            "recipient": recipient,
            "subject": subject(kind),
            "message": message(kind, params),
        }
        title = render_to_string("psp/email/notification-subject.txt", context)
        body = render_to_string("psp/email/notification-body.txt", context)
    send_mail(" ".join(title.split()), body, None, [recipient.email])


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
