"""What every page needs to draw its navigation for the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from psp import hooks, notifications, policy
from psp.models import User


class Unread:
    """The bell's count of unread notifications: one query, and only on a page that shows
    the bell (a page drawn without ``base.html`` asks nothing)."""

    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def count(self) -> int:
        return notifications.unread_count(self.user)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {
            "nav_items": [],
            "works_offline": False,
            "can_search": False,
            "unread_notifications": None,
        }
    items = hooks.navigation_for(user)
    # The current page is the item whose address is the longest prefix of this one.
    prefixes = [item for item in items if request.path.startswith(str(item["url"]))]
    current = max(prefixes, key=lambda item: len(str(item["url"])), default=None)
    for item in items:
        item["current"] = item is current
    # Parent Partners log contacts in the field: their tablet keeps their pages and outbox.
    return {
        "nav_items": items,
        "works_offline": policy.can(user, "activity.create"),
        # Coordinators find a family from any page.
        "can_search": policy.can(user, "search"),
        "unread_notifications": Unread(user),
    }
