"""What mentoring adds to pages it does not own: its places in the navigation bar and
the progress shared with a referral's social worker (see ``psp.hooks``)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentoring.selectors import shared_progress, waiting_for_review
from psp import policy
from psp.hooks import Item, Section, register
from psp.models import Role, User
from referrals.models import Referral, Status


@register("navigation", order=20)
def _mentoring(user: User) -> list[Item]:
    found: list[Item] = []
    if policy.program_ids_where(user, {Role.PARENT_PARTNER}):
        found.append(
            {"label": _("My families"), "url": reverse("mentoring:home"), "name": "mentoring"}
        )
    elif policy.can(user, "case.list"):
        found.append(
            {"label": _("Cases"), "url": reverse("mentoring:case_list"), "name": "mentoring"}
        )
    if policy.can(user, "activity.review"):
        waiting = waiting_for_review(user).count()
        found.append(
            {
                "label": _("Review"),
                "url": reverse("mentoring:review_queue"),
                "name": "review",
                "badge": waiting or None,
                "badge_label": ngettext("contact to review", "contacts to review", waiting),
            }
        )
    if policy.program_ids_where(user, {Role.CLINICAL_SUPPORT}):
        found.append(
            {
                "label": _("Clinical support"),
                "url": reverse("mentoring:clinical"),
                "name": "clinical",
            }
        )
    if policy.can(user, "parent_partner.list"):
        found.append(
            {
                "label": _("Parent Partners"),
                "url": reverse("mentoring:partner_list"),
                "name": "parent_partners",
            }
        )
    return found


@register("referral.sections")
def _progress_shared_with_the_referrer(user: User, referral: Referral) -> Section | None:
    """On an assigned referral's page, the progress the case team shared with the referrer."""
    case = getattr(referral, "case", None) if referral.status == Status.ASSIGNED else None
    progress = shared_progress(case) if case is not None else []
    if not progress:
        return None
    return Section(
        "mentoring/includes/referral_shared_progress.html", {"shared_progress": progress}
    )
