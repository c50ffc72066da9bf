"""The psp pages in the role x view matrix."""

from typing import Any

from psp.models import Notification, NotificationKind, Program, School
from tests.matrix import Case, everyone


def placeholders(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    """A notification of door_parent_partner's: theirs to open, nobody else's to see; and
    the school-based program "wausau" of the school staff persona, with its school."""
    school = School.objects.get(
        district__program=personas["school_staff"].memberships.get().program
    )
    notification = Notification.objects.create(
        recipient=personas["door_parent_partner"],
        kind=NotificationKind.CASE_ASSIGNED,
        key="matrix",
        url="/mentoring/",
        params={"number": "DOOR-2026-0001"},
        program=door,
    )
    return {"notification": notification.pk, "school": school.pk, "district": school.district_id}


CASES = [
    Case("home", "/", everyone(302)),
    Case("dashboard", "/dashboard/", everyone(200)),
    Case("profile", "/profile/", everyone(200)),
    # Everyone signed in has notifications: their own, never another's.
    Case("notification_preferences", "/profile/notifications/", everyone(200)),
    Case("notification_list", "/notifications/", everyone(200)),
    Case("notification_mark_all_read", "/notifications/read/", everyone(302), method="post"),
    Case(
        "notification_open",
        "/notifications/{notification}/",
        everyone(404, door_parent_partner=302),
    ),
    Case("program_list", "/programs/", everyone(200)),
    Case(
        "program_detail",
        "/programs/door/",
        everyone(200, rock_coordinator=404, school_staff=404, no_role=404),
    ),
    Case(
        "program_settings",
        "/programs/door/settings/",
        everyone(
            403,
            door_coordinator=200,
            admin=200,
            rock_coordinator=404,
            school_staff=404,
            no_role=404,
        ),
    ),
    # A school-based program's schools: its team and the statewide roles read them; its
    # Program Coordinators and administrators change them. Door's people never see Wausau.
    Case(
        "program_schools",
        "/programs/wausau/schools/",
        everyone(404, state=200, admin=200, school_staff=200),
    ),
    Case(
        "school_edit",
        "/programs/wausau/schools/{school}/edit/",
        everyone(404, state=403, admin=200, school_staff=403),
    ),
    Case(
        "district_edit",
        "/programs/wausau/districts/{district}/edit/",
        everyone(404, state=403, admin=200, school_staff=403),
    ),
    Case(
        "audit_log", "/audit/", everyone(403, door_coordinator=200, rock_coordinator=200, admin=200)
    ),
    Case("healthz", "/healthz", {"*": 200}),
    # Each program's public page, and the list of them: open to anyone, signed in or not.
    Case("public_programs", "/public/", {"*": 200}),
    Case("public_program", "/public/door/", {"*": 200}),
    # The tablet app's service worker and manifest hold no one's data.
    Case("service_worker", "/service-worker.js", {"*": 200}),
    Case("manifest", "/manifest.webmanifest", {"*": 200}),
    # The JSON API: nobody is sent to a sign-in page; a caller who is not signed in gets 401.
    Case("api:schema", "/api/v1/schema/", {"*": 200}),
    Case("api:docs", "/api/v1/docs/", {"*": 200}),
    Case("api:languages", "/api/v1/languages/", {"*": 200}),
    Case("api:me", "/api/v1/me/", everyone(200, anonymous=401)),
    Case("api:programs", "/api/v1/programs/", everyone(200, anonymous=401)),
]
