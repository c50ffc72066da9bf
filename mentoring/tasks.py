"""Scheduled jobs for mentoring: the daily reminders and the weekly digest.

E-mails name families by referral number only; the details stay behind the sign-in.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from celery import shared_task
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentoring import selectors, services
from mentoring.models import (
    Activity,
    Case,
    CaseStatus,
    FollowUp,
    ReminderKind,
    ReminderSent,
    ReviewStatus,
)
from psp.dates import format_when
from psp.models import Membership, Program, Role, User

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

CLINICAL_REMINDER_FROM_DAY = 15


def _open_cases() -> list[WithAnnotations[Case, selectors.ReminderAttributes]]:
    return list(selectors.cases_for_all().filter(status=CaseStatus.OPEN))


def _coordinators(program_id: int, role: str) -> list[User]:
    return [
        membership.user
        for membership in Membership.objects.filter(
            program_id=program_id, role=role, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _send_once(kind: str, key: str, recipient: User, lines: Callable[[], list[str]]) -> bool:
    """Send one reminder e-mail unless this person already had it, in their language
    (``lines`` are written once that language is on)."""
    if not recipient.email:
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, recipient=recipient)
    except IntegrityError:
        return False
    with translation.override(recipient.language_or_default):
        context = {"recipient": recipient, "lines": lines(), "kind": ReminderKind(kind).label}
        subject = render_to_string("mentoring/email/reminder-subject.txt", context)
        body = render_to_string("mentoring/email/reminder-body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [recipient.email])
    return True


def _reminder_lines(
    case: Case, reminder: selectors.Reminder, day: datetime.date
) -> Callable[[], list[str]]:
    """The reminder's line, written in whichever language is on when it is called."""
    return lambda: [
        again.message
        for again in selectors.reminders_for_cases([case], day)
        if again.key == reminder.key and again.kind == reminder.kind
    ]


def follow_up_key(follow_up: FollowUp, day: datetime.date) -> str:
    """Once on the day it is due, then once in each week it stays open after that (a day
    the job did not run is caught up the next)."""
    weeks_late = (day - follow_up.due_on).days // 7
    return f"{follow_up.pk}:{follow_up.due_on.isoformat()}:{weeks_late}"


def _follow_up_lines(follow_up: FollowUp, day: datetime.date) -> Callable[[], list[str]]:
    """Named by the referral's number only: what to do is free text and stays behind the
    sign-in."""

    def lines() -> list[str]:
        values = {
            "number": follow_up.case.referral.number,
            "day": format_when(follow_up.due_on, "date"),
        }
        if follow_up.due_on < day:
            return [_("%(number)s: a follow-up was due on %(day)s") % values]
        return [_("%(number)s: a follow-up is due today (%(day)s)") % values]

    return lines


@shared_task(name="mentoring.move_on_next_hearings")
def move_on_next_hearings(today: str | None = None) -> int:
    """Just after midnight: a case whose next hearing was yesterday shows the one after it."""
    return services.sync_stale_next_hearings(datetime.date.fromisoformat(today) if today else None)


@shared_task(name="mentoring.send_daily_reminders")
def send_daily_reminders(today: str | None = None) -> int:
    """No contact in 14 days (to the Parent Partner and their coordinator), a court hearing
    in the next 7 days (to the Parent Partner), a follow-up due or overdue (to whoever does
    it), no clinical support yet this month after the 15th (to the Program Coordinator).
    Each is sent once."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    move_on_next_hearings(day.isoformat())  # in case the night's run was missed
    sent = 0
    for case in _open_cases():
        for reminder in selectors.reminders_for_cases([case], day):
            recipients = [
                a.parent_partner.user for a in case.current_assignments if a.parent_partner.user
            ]
            if reminder.kind == ReminderKind.NO_CONTACT:
                recipients += _coordinators(case.program_id, Role.PARENT_PARTNER_COORDINATOR)
            for recipient in recipients:
                sent += _send_once(
                    reminder.kind, reminder.key, recipient, _reminder_lines(case, reminder, day)
                )
    for follow_up in selectors.follow_ups_due(day):
        sent += _send_once(
            ReminderKind.FOLLOW_UP_DUE,
            follow_up_key(follow_up, day),
            follow_up.owner,
            _follow_up_lines(follow_up, day),
        )
    if day.day >= CLINICAL_REMINDER_FROM_DAY:
        programs = list(Program.objects.filter(is_active=True).values_list("pk", flat=True))
        for program_id in selectors.programs_without_clinical_session(programs, day):
            key = f"{program_id}:{day:%Y-%m}"
            for recipient in _coordinators(program_id, Role.PROGRAM_COORDINATOR):
                sent += _send_once(
                    ReminderKind.NO_CLINICAL_SESSION,
                    key,
                    recipient,
                    lambda: [str(ReminderKind.NO_CLINICAL_SESSION.label)],
                )
    return sent


@shared_task(name="mentoring.send_weekly_digest")
def send_weekly_digest(today: str | None = None) -> int:
    """Each Parent Partner Coordinator's week: contacts logged per Parent Partner, families
    with no contact in 14 days, and logs waiting for review."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    since = timezone.make_aware(
        datetime.datetime.combine(day - datetime.timedelta(days=7), datetime.time())
    )
    open_cases = _open_cases()
    sent = 0
    memberships = Membership.objects.filter(
        role=Role.PARENT_PARTNER_COORDINATOR, is_active=True, user__is_active=True
    ).select_related("user", "program")
    for membership in memberships:
        program = membership.program
        logged: dict[str, int] = defaultdict(int)
        for activity in Activity.objects.filter(
            program=program, created_at__gte=since
        ).select_related("parent_partner"):
            logged[str(activity.parent_partner)] += 1
        overdue = [
            case.referral.number
            for case in open_cases
            if case.program_id == program.pk and selectors.is_overdue(case, day)
        ]
        waiting = Activity.objects.filter(
            program=program, review_status=ReviewStatus.WAITING
        ).count()
        if not membership.user.email:
            continue
        with translation.override(membership.user.language_or_default):
            context = {
                "program": program,
                "logged": sorted(logged.items()),
                "overdue": overdue,
                "waiting": waiting,
                "week_of": day - datetime.timedelta(days=7),
            }
            subject = render_to_string("mentoring/email/digest-subject.txt", context)
            body = render_to_string("mentoring/email/digest-body.txt", context)
        send_mail(" ".join(subject.split()), body, None, [membership.user.email])
        sent += 1
    return sent
