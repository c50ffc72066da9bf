"""The referral pages in the role x view matrix.

The Door referral was made by door_social_worker; it has one parent and one child, in care
(one open stay with its first placement).
"""

from typing import Any

from psp.models import Program
from tests.factories import ReferralFactory, ReferralRequestFactory
from tests.matrix import Case, everyone


def placeholders(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    social_worker = personas["door_social_worker"]
    referral = ReferralFactory(
        family__program=door, referred_by=social_worker, referrer_email=social_worker.email
    )
    child = referral.family.children.get()
    episode = child.episodes.get()
    return {
        "referral": referral.pk,
        "child": child.pk,
        "parent": referral.family.parents.get().pk,
        "family": referral.family_id,
        "episode": episode.pk,
        "placement": episode.placements.get().pk,
        "public_request": ReferralRequestFactory(program=door).pk,
    }


# A request from Door's public page is its Program Coordinator's alone: nobody else sees
# one, and another county's coordinator gets 404.
PUBLIC_REQUEST_ONE = everyone(404, door_coordinator=200)

CASES = [
    # The program's public page's form: open to anyone, signed in or not.
    Case("public_request", "/public/door/ask-for-help/", {"*": 200}),
    Case("public_request_sent", "/public/door/ask-for-help/sent/", {"*": 200}),
    Case(
        "referrals:request_list",
        "/referrals/requests/",
        everyone(403, door_coordinator=200, rock_coordinator=200),
    ),
    Case("referrals:request_detail", "/referrals/requests/{public_request}/", PUBLIC_REQUEST_ONE),
    Case(
        "referrals:request_close",
        "/referrals/requests/{public_request}/close/",
        PUBLIC_REQUEST_ONE,
        method="post",
    ),
    Case(
        "referrals:list",
        "/referrals/",
        everyone(
            403,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            door_social_worker=200,
            school_staff=200,
            rock_coordinator=200,
            admin=200,
        ),
    ),
    Case(
        "referrals:search",
        "/referrals/search/",
        everyone(
            403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200, admin=200
        ),
    ),
    Case(
        "referrals:create",
        "/referrals/new/",
        everyone(
            403,
            door_coordinator=200,
            door_social_worker=200,
            school_staff=200,
            rock_coordinator=200,
        ),
    ),
    Case(
        "referrals:source_events",
        "/referrals/new/events/",
        # A social worker refers as themselves: not asked where the family heard of us.
        everyone(
            403,
            door_coordinator=200,
            door_social_worker=404,
            school_staff=404,
            rock_coordinator=200,
        ),
    ),
    Case(
        "referrals:export",
        "/referrals/export.csv",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "referrals:detail",
        "/referrals/{referral}/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_social_worker=200, admin=200
        ),
    ),
    Case(
        "referrals:notice",
        "/referrals/{referral}/notice/",
        # Whoever reads the referral: the Parent Partner only once assigned to the family.
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_social_worker=200, admin=200
        ),
    ),
    Case(
        "referrals:transition",
        "/referrals/{referral}/status/",
        everyone(
            404,
            door_coordinator=302,
            door_pp_coordinator=403,
            door_social_worker=403,
            admin=403,
        ),
        method="post",
        data={"to_status": "screening", "version": "1"},
    ),
    Case(
        "referrals:family_record",
        "/referrals/families/{family}/record.zip",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=403, door_social_worker=403, admin=200
        ),
    ),
    Case(
        "referrals:child_edit",
        "/referrals/children/{child}/edit/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_social_worker=403, admin=200
        ),
    ),
    *[
        Case(
            name,
            path,
            everyone(
                404,
                door_coordinator=200,
                door_pp_coordinator=200,
                door_social_worker=403,
                admin=200,
            ),
        )
        for name, path in [
            ("referrals:child_detail", "/referrals/children/{child}/"),
            ("referrals:episode_create", "/referrals/children/{child}/episodes/new/"),
            ("referrals:episode_edit", "/referrals/episodes/{episode}/edit/"),
            ("referrals:placement_create", "/referrals/episodes/{episode}/placements/new/"),
            ("referrals:placement_edit", "/referrals/placements/{placement}/edit/"),
        ]
    ],
    Case(
        "referrals:parent_edit",
        "/referrals/parents/{parent}/edit/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_social_worker=403, admin=200
        ),
    ),
]
