"""Background jobs for referrals: telling the referrer about each status change."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from referrals.models import Transition


@shared_task(
    name="referrals.send_status_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_status_email(transition_id: int) -> bool:
    """E-mail the referrer that their referral changed status.

    Only the parent's first name and the referral number leave the system: e-mail is not a
    safe place for a family's details.
    """
    transition = (
        Transition.objects.select_related("referral__program", "referral__referred_by")
        .filter(pk=transition_id)
        .first()
    )
    if transition is None:
        return False
    referral = transition.referral
    recipient = referral.referrer_email or (
        referral.referred_by.email if referral.referred_by else ""
    )
    if not recipient:
        return False
    first_parent = referral.family.parents.order_by("id").first()
    # The referrer's own language when they have an account; an address typed on the
    # referral (someone outside the system) gets the site's.
    language = (
        referral.referred_by.language_or_default if referral.referred_by else settings.LANGUAGE_CODE
    )
    with translation.override(language):
        context = {
            "referral": referral,
            "transition": transition,
            "status": transition.get_to_status_display(),
            "parent_first_name": first_parent.first_name if first_parent else "",
            "reason": transition.get_reason_display() if transition.reason else "",
            "program": referral.program,
        }
        subject = render_to_string("referrals/email/status_changed-subject.txt", context)
        body = render_to_string("referrals/email/status_changed-body.txt", context)
        html = render_to_string("referrals/email/status_changed-body.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=body, to=[recipient])
    message.attach_alternative(html, "text/html")
    message.send()
    return True


@shared_task(name="referrals.anonymise_closed_families")
def anonymise_closed_families() -> dict[str, int]:
    """The retention rule, monthly when ``PSP_RETENTION_AUTORUN`` is on (see settings)."""
    from referrals import retention

    run = retention.anonymise_closed_families()
    return {
        "anonymised": len(run.anonymised),
        "failed": len(run.failed),
        "public_requests_deleted": run.requests_deleted,
    }
