"""The psp pages in the role x view matrix."""

from tests.matrix import Case, everyone

CASES = [
    Case("home", "/", everyone(302)),
    Case("dashboard", "/dashboard/", everyone(200)),
    Case("profile", "/profile/", everyone(200)),
    Case("program_list", "/programs/", everyone(200)),
    Case("program_detail", "/programs/door/", everyone(200, rock_coordinator=404, no_role=404)),
    Case(
        "program_settings",
        "/programs/door/settings/",
        everyone(403, door_coordinator=200, admin=200, rock_coordinator=404, no_role=404),
    ),
    Case(
        "audit_log", "/audit/", everyone(403, door_coordinator=200, rock_coordinator=200, admin=200)
    ),
    Case("healthz", "/healthz", {"*": 200}),
]
