"""What councils adds to pages it does not own: its place in the navigation bar and
the outreach events a new referral may name (see ``psp.hooks``)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from councils.models import OutreachEvent
from councils.selectors import recent_events_for_programs
from psp import policy
from psp.hooks import Item, register
from psp.models import User


@register("navigation", order=30)
def _councils(user: User) -> list[Item]:
    if not policy.can(user, "council.list"):
        return []
    return [{"label": _("Councils"), "url": reverse("councils:list"), "name": "councils"}]


@register("referral.source_events")
def _recent_outreach_events(program_ids: list[int]) -> QuerySet[OutreachEvent]:
    """A new referral may name one of its program's recent outreach events as its source."""
    return recent_events_for_programs(program_ids)
