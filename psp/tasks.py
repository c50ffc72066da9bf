"""Background jobs for people: telling someone their sign-in's second factor changed."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from psp.models import User


@shared_task(
    name="psp.send_second_factor_notice",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_second_factor_notice(
    user_id: int, change: str, language: str, ip_address: str, changed_at: str
) -> bool:
    """What changed, when and from which address: nothing about any family."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    with translation.override(language):
        context = {
            "user": user,
            "change": change,
            "ip_address": ip_address,
            "changed_at": datetime.fromisoformat(changed_at),
        }
        subject = render_to_string("psp/email/second_factor_changed-subject.txt", context)
        body = render_to_string("psp/email/second_factor_changed-body.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])
    return True
