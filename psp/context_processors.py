"""What every page needs to draw its navigation for the signed-in user."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from psp import hooks, policy


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "works_offline": False, "can_search": False}
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
    }
