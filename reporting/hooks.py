"""What reporting adds to pages it does not own: its places in the navigation bar (see
``psp.hooks``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from psp import policy
from psp.hooks import Item, register
from psp.models import User


@register("navigation", order=40)
def _reports(user: User) -> list[Item]:
    if not policy.can(user, "report.list"):
        return []
    return [{"label": _("Reports"), "url": reverse("reporting:list"), "name": "reports"}]


@register("navigation", order=35)
def _calendar(user: User) -> list[Item]:
    if not policy.can(user, "calendar.view"):
        return []
    return [{"label": _("Calendar"), "url": reverse("calendar"), "name": "calendar"}]
