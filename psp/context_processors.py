"""What every page needs to draw its navigation for the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from psp import policy
from psp.models import Role


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict[str, Any]] = [
        {"label": _("Dashboard"), "url": reverse("dashboard"), "name": "dashboard"},
        {"label": _("Programs"), "url": reverse("program_list"), "name": "program_list"},
    ]
    if policy.can(user, "referral.list"):
        from referrals.selectors import new_referral_count

        new = new_referral_count(user)
        items.append(
            {
                "label": _("Referrals"),
                "url": reverse("referrals:list"),
                "name": "referrals",
                "badge": new or None,
                "badge_label": ngettext("new referral", "new referrals", new),
            }
        )
    if policy.program_ids_where(user, {Role.PARENT_PARTNER}):
        items.append(
            {"label": _("My families"), "url": reverse("mentoring:home"), "name": "mentoring"}
        )
    elif policy.can(user, "case.list"):
        items.append(
            {"label": _("Cases"), "url": reverse("mentoring:case_list"), "name": "mentoring"}
        )
    if policy.can(user, "activity.review"):
        from mentoring.selectors import waiting_for_review

        waiting = waiting_for_review(user).count()
        items.append(
            {
                "label": _("Review"),
                "url": reverse("mentoring:review_queue"),
                "name": "review",
                "badge": waiting or None,
                "badge_label": ngettext("contact to review", "contacts to review", waiting),
            }
        )
    if policy.program_ids_where(user, {Role.CLINICAL_SUPPORT}):
        items.append(
            {
                "label": _("Clinical support"),
                "url": reverse("mentoring:clinical"),
                "name": "clinical",
            }
        )
    if policy.can(user, "parent_partner.list"):
        items.append(
            {
                "label": _("Parent Partners"),
                "url": reverse("mentoring:partner_list"),
                "name": "parent_partners",
            }
        )
    if policy.can(user, "council.list"):
        items.append({"label": _("Councils"), "url": reverse("councils:list"), "name": "councils"})
    if policy.can(user, "report.list"):
        items.append({"label": _("Reports"), "url": reverse("reporting:list"), "name": "reports"})
    if policy.can(user, "audit.view"):
        items.append({"label": _("Audit log"), "url": reverse("audit_log"), "name": "audit_log"})
    if policy.can(user, "admin.access"):
        items.append({"label": _("Administration"), "url": reverse("admin:index"), "name": "admin"})
    # The current page is the item whose address is the longest prefix of this one.
    prefixes = [item for item in items if request.path.startswith(str(item["url"]))]
    current = max(prefixes, key=lambda item: len(str(item["url"])), default=None)
    for item in items:
        item["current"] = item is current
    return {"nav_items": items}
