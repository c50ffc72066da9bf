"""What referrals adds to pages it does not own: its places in the navigation bar (see
``psp.hooks``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from psp import policy
from psp.hooks import Item, register
from psp.models import User
from referrals.selectors import new_referral_count


@register("navigation", order=10)
def _referrals(user: User) -> list[Item]:
    if not policy.can(user, "referral.list"):
        return []
    new = new_referral_count(user)
    return [
        {
            "label": _("Referrals"),
            "url": reverse("referrals:list"),
            "name": "referrals",
            "badge": new or None,
            "badge_label": ngettext("new referral", "new referrals", new),
        }
    ]
