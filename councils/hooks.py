"""What councils adds to pages it does not own: its place in the navigation bar, the
outreach events a new referral may name, and keeping the one it named (see ``psp.hooks``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from councils.models import OutreachEvent
from councils.selectors import recent_events_for_programs
from councils.services import referral_source_record
from psp import policy
from psp.hooks import Item, register
from psp.models import User
from referrals.models import Referral


@register("navigation", order=30)
def _councils(user: User) -> list[Item]:
    if not policy.can(user, "council.list"):
        return []
    return [{"label": _("Councils"), "url": reverse("councils:list"), "name": "councils"}]


@register("referral.source_events")
def _recent_outreach_events(program_ids: list[int], text: str = "") -> QuerySet[OutreachEvent]:
    """A new referral may name one of its program's recent outreach events as its source."""
    return recent_events_for_programs(program_ids, text=text)


@register("referral.created")
def _keep_source_event(*, actor: User, referral: Referral, answers: Mapping[str, Any]) -> None:
    """The event the referral form's "heard about the program at" question named, if any."""
    event = answers.get("source_event")
    if event is None:
        return
    try:
        referral_source_record(actor=actor, referral=referral, event=event)
    except ValidationError as error:
        # The form asked the question as ``source_event``: the refusal belongs there.
        raise ValidationError({"source_event": error.messages}) from error
