"""Scheduled jobs for mentoring: the daily reminders and the weekly digest.

E-mails name families by referral number only; the details stay behind the sign-in.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import TYPE_CHECKING

from celery import shared_task
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

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
from psp import notifications
from psp.models import Membership, NotificationKind, Program, ProgramType, Role, User

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


# The notification each reminder is told as.
NOTIFICATION_OF = {
    ReminderKind.NO_CONTACT: NotificationKind.NO_CONTACT,
    ReminderKind.COURT_HEARING: NotificationKind.HEARING_NEAR,
    ReminderKind.NO_CLINICAL_SESSION: NotificationKind.NO_CLINICAL_SESSION,
    ReminderKind.FOLLOW_UP_DUE: NotificationKind.FOLLOW_UP_DUE,
    ReminderKind.SCHOOL_TRANSITION: NotificationKind.SCHOOL_TRANSITION,
}


def _remind_once(
    kind: str,
    key: str,
    recipient: User,
    *,
    url: str,
    params: dict[str, str],
    program_id: int,
) -> bool:
    """Tell one reminder unless this person already had it: in the app and by e-mail, as
    they chose (``psp.notifications``). ``ReminderSent`` keeps that it was told, whatever
    the person chose, so the next run does not tell it again."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(kind=kind, key=key, recipient=recipient)
    except IntegrityError:
        return False
    notifications.notify(
        recipient,
        NOTIFICATION_OF[ReminderKind(kind)],
        key=key,
        url=url,
        params=params,
        program=program_id,
    )
    return True


def follow_up_key(follow_up: FollowUp, day: datetime.date) -> str:
    """Once on the day it is due, then once in each week it stays open after that (a day
    the job did not run is caught up the next)."""
    weeks_late = (day - follow_up.due_on).days // 7
    return f"{follow_up.pk}:{follow_up.due_on.isoformat()}:{weeks_late}"


@shared_task(name="mentoring.move_on_next_hearings")
def move_on_next_hearings(today: str | None = None) -> int:
    """Just after midnight: a case whose next hearing was yesterday shows the one after it."""
    return services.sync_stale_next_hearings(datetime.date.fromisoformat(today) if today else None)


@shared_task(name="mentoring.send_daily_reminders")
def send_daily_reminders(today: str | None = None) -> int:
    """No contact in 14 days (to the Parent Partner and their coordinator), a court hearing
    in the next 7 days (to the Parent Partner), a follow-up due or overdue (to whoever does
    it), no clinical support yet this month after the 15th (to the Program Coordinator).
    Each is told once, as a notification (in the app and
    by e-mail, as each person chose). Returns how many were told."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    move_on_next_hearings(day.isoformat())  # in case the night's run was missed
    sent = 0
    open_cases = _open_cases()
    for case in open_cases:
        for reminder in selectors.reminders_for_cases([case], day):
            recipients = [
                a.parent_partner.user for a in case.current_assignments if a.parent_partner.user
            ]
            if reminder.kind == ReminderKind.NO_CONTACT:
                recipients += _coordinators(case.program_id, Role.PARENT_PARTNER_COORDINATOR)
            for recipient in recipients:
                sent += _remind_once(
                    reminder.kind,
                    reminder.key,
                    recipient,
                    url=reminder.url,
                    params=reminder.params,
                    program_id=case.program_id,
                )
    # A move to a new school to plan, to the family's Parent Partner (school-based programs).
    school_programs = set(
        Program.objects.filter(
            program_type=ProgramType.PARENT_PEER_SUPPORT, is_active=True
        ).values_list("pk", flat=True)
    )
    school_cases = {
        case.get_absolute_url(): case for case in open_cases if case.program_id in school_programs
    }
    for reminder in selectors.transition_reminders(
        list(school_cases.values()), day, school_programs
    ):
        case = school_cases[reminder.url]
        for assignment in case.current_assignments:
            if assignment.parent_partner.user:
                sent += _remind_once(
                    reminder.kind,
                    reminder.key,
                    assignment.parent_partner.user,
                    url=reminder.url,
                    params=reminder.params,
                    program_id=case.program_id,
                )
    for follow_up in selectors.follow_ups_due(day):
        # By the referral's number only: what to do is free text, kept behind the sign-in.
        sent += _remind_once(
            ReminderKind.FOLLOW_UP_DUE,
            follow_up_key(follow_up, day),
            follow_up.owner,
            url=follow_up.case.get_absolute_url(),
            params={
                "number": follow_up.case.referral.number,
                "day": follow_up.due_on.isoformat(),
            },
            program_id=follow_up.case.program_id,
        )
    if day.day >= CLINICAL_REMINDER_FROM_DAY:
        programs = dict(Program.objects.filter(is_active=True).values_list("pk", "name"))
        for program_id in selectors.programs_without_clinical_session(list(programs), day):
            key = f"{program_id}:{day:%Y-%m}"
            for recipient in _coordinators(program_id, Role.PROGRAM_COORDINATOR):
                sent += _remind_once(
                    ReminderKind.NO_CLINICAL_SESSION,
                    key,
                    recipient,
                    url=reverse("mentoring:clinical") + f"?program={program_id}",
                    params={"program": programs[program_id]},
                    program_id=program_id,
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
