"""The mentoring pages in the role x view matrix.

Door's case is assigned to door_parent_partner and has one goal and one logged contact;
a second Door referral is accepted and waiting for a Parent Partner.
"""

import datetime
from decimal import Decimal
from typing import Any

from mentoring.models import (
    CaseGoal,
    ClaimStatus,
    ExpenseClaim,
    FollowUp,
    Hearing,
    MileageRate,
    Participation,
    ParticipationKind,
    TrainingRecord,
    TrainingTopic,
)
from psp.models import Program
from referrals.models import Status
from tests.factories import ReferralFactory
from tests.matrix import Case, everyone
from tests.mentoring.factories import ActivityFactory, ResourceFactory, add_document, assign_case


def placeholders(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    referral = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    case = assign_case(referral, personas["door_parent_partner"])
    goal = CaseGoal.objects.create(case=case, text="Find stable housing")
    activity = ActivityFactory(case=case)
    waiting = ReferralFactory(family__program=door, status=Status.ACCEPTED)
    resource = ResourceFactory(program=door)
    hearing = Hearing.objects.create(case=case, day=case.opened_on)
    follow_up = FollowUp.objects.create(
        case=case,
        what="Call the landlord",
        due_on=case.opened_on,
        owner=personas["door_parent_partner"],
    )
    MileageRate.objects.create(program=door, starts_on=datetime.date(2020, 1, 1), per_mile="0.70")
    claims = {
        f"{status}_claim": ExpenseClaim.objects.create(
            program=door,
            parent_partner=activity.parent_partner,
            month=datetime.date(2026, 10, 1),
            status=status,
            other_amount=Decimal("12.50"),
            total=Decimal("12.50"),
        ).pk
        for status in (ClaimStatus.SUBMITTED, ClaimStatus.SENT_BACK, ClaimStatus.APPROVED)
    }
    document = add_document(case, personas["door_coordinator"])
    participation = Participation.objects.create(
        parent_partner=activity.parent_partner,
        kind=ParticipationKind.COUNCIL,
        title="Local Advisory Council",
        held_on=datetime.date(2026, 10, 6),
        hours=Decimal("2"),
        amount=Decimal("50"),
    )
    training = TrainingRecord.objects.create(
        parent_partner=activity.parent_partner,
        topic=TrainingTopic.values[0],
        completed_on=datetime.date(2026, 9, 14),
        hours=Decimal("3"),
    )
    return {
        **claims,
        "hearing": hearing.pk,
        "follow_up": follow_up.pk,
        "document": document.pk,
        "participation": participation.pk,
        "training": training.pk,
        "resource": resource.pk,
        "case": case.pk,
        "goal": goal.pk,
        "activity": activity.pk,
        "partner": activity.parent_partner_id,
        "accepted": waiting.pk,
    }


HIDDEN = {"rock_coordinator": 404, "school_staff": 404, "state": 404, "no_role": 404}
CASE_TEAM_ONLY = everyone(
    404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=200
)

CASES = [
    # The program's public page's form: open to anyone, signed in or not.
    Case("public_interest", "/public/door/become-a-parent-partner/", {"*": 200}),
    Case("public_interest_sent", "/public/door/become-a-parent-partner/sent/", {"*": 200}),
    Case(
        "mentoring:home",
        "/mentoring/",
        everyone(
            403,
            door_coordinator=302,
            door_pp_coordinator=302,
            door_parent_partner=200,
            rock_coordinator=302,
            admin=302,
        ),
    ),
    Case(
        "mentoring:case_list",
        "/mentoring/cases/",
        everyone(
            403,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
            admin=200,
        ),
    ),
    Case(
        "mentoring:case_export",
        "/mentoring/cases/export.csv",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case("mentoring:case_detail", "/mentoring/cases/{case}/", CASE_TEAM_ONLY),
    Case(
        "mentoring:case_edit",
        "/mentoring/cases/{case}/edit/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=403, door_parent_partner=403, admin=403
        ),
    ),
    Case(
        "mentoring:goal_add",
        "/mentoring/cases/{case}/goals/",
        everyone(
            404, door_coordinator=302, door_pp_coordinator=403, door_parent_partner=403, admin=403
        ),
        method="post",
        data={"text": "Attend every family time visit"},
    ),
    Case(
        "mentoring:case_close",
        "/mentoring/cases/{case}/close/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=403, door_parent_partner=403, admin=403
        ),
    ),
    Case(
        "mentoring:hearing_add",
        "/mentoring/cases/{case}/hearings/new/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:hearing_edit",
        "/mentoring/hearings/{hearing}/edit/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:follow_up_list",
        "/mentoring/follow-ups/",
        everyone(
            403,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
            admin=200,
        ),
    ),
    Case(
        "mentoring:follow_up_add",
        "/mentoring/cases/{case}/follow-ups/new/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:follow_up_edit",
        "/mentoring/follow-ups/{follow_up}/edit/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:follow_up_done",
        "/mentoring/follow-ups/{follow_up}/done/",
        everyone(
            404, door_coordinator=302, door_pp_coordinator=302, door_parent_partner=302, admin=403
        ),
        method="post",
        data={"version": "1"},
    ),
    Case(
        "mentoring:document_add",
        "/mentoring/cases/{case}/documents/new/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:referral_document_add",
        "/mentoring/referrals/{accepted}/documents/new/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, admin=403),
    ),
    # Documents are the family's and its team's: not the administrator's, the referrer's,
    # clinical support's or the state's, who are not told they exist.
    Case(
        "mentoring:document_download",
        "/mentoring/documents/{document}/download/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200),
    ),
    Case(
        "mentoring:document_expire",
        "/mentoring/documents/{document}/expire/",
        everyone(404, door_coordinator=200, door_pp_coordinator=403, door_parent_partner=403),
    ),
    Case(
        "mentoring:goal_progress",
        "/mentoring/goals/{goal}/progress/",
        everyone(
            404, door_coordinator=302, door_pp_coordinator=302, door_parent_partner=302, admin=403
        ),
        method="post",
        data={"note": "Viewed two apartments", "status": "working"},
    ),
    Case(
        "mentoring:assign",
        "/mentoring/assign/{accepted}/",
        everyone(404, door_coordinator=200, door_pp_coordinator=403, admin=403),
    ),
    Case("mentoring:activity_log", "/mentoring/log/", everyone(403, door_parent_partner=200)),
    Case(
        "mentoring:activity_list",
        "/mentoring/contacts/",
        everyone(
            403,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
        ),
    ),
    Case(
        "mentoring:activity_export",
        "/mentoring/contacts/export.csv",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case("mentoring:activity_saved", "/mentoring/contacts/{activity}/saved/", CASE_TEAM_ONLY),
    Case(
        "mentoring:activity_edit",
        "/mentoring/contacts/{activity}/edit/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:activity_review",
        "/mentoring/contacts/{activity}/review/",
        everyone(
            404, door_coordinator=302, door_pp_coordinator=302, door_parent_partner=403, admin=403
        ),
        method="post",
        data={"decision": "sign_off", "version": "1"},
    ),
    Case(
        "mentoring:review_sign_off",
        "/mentoring/review/sign-off/",
        everyone(403, door_coordinator=302, door_pp_coordinator=302, rock_coordinator=302),
        method="post",
        data={},
    ),
    Case(
        "mentoring:review_queue",
        "/mentoring/review/",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "mentoring:partner_list",
        "/mentoring/parent-partners/",
        everyone(
            403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200, admin=200
        ),
    ),
    Case(
        "mentoring:partner_create",
        "/mentoring/parent-partners/new/",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "mentoring:partner_detail",
        "/mentoring/parent-partners/{partner}/",
        everyone(
            404,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            door_clinical=403,
            admin=200,
        ),
    ),
    Case(
        "mentoring:partner_edit",
        "/mentoring/parent-partners/{partner}/edit/",
        everyone(
            404,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=403,
            door_clinical=403,
            admin=403,
        ),
    ),
    Case(
        "mentoring:partner_stage",
        "/mentoring/parent-partners/{partner}/stage/",
        everyone(
            404,
            door_coordinator=302,
            door_pp_coordinator=302,
            door_parent_partner=403,
            door_clinical=403,
            admin=403,
        ),
        method="post",
        data={"stage": "inactive", "version": "1"},
    ),
    Case(
        "mentoring:resource_list",
        "/mentoring/resources/",
        everyone(200, state=403, no_role=403),
    ),
    Case(
        "mentoring:resource_create",
        "/mentoring/resources/new/",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "mentoring:resource_edit",
        "/mentoring/resources/{resource}/edit/",
        everyone(403, door_coordinator=200, door_pp_coordinator=200, **HIDDEN),
    ),
    *[
        Case(
            name,
            path,
            everyone(
                403,
                door_coordinator=200,
                door_pp_coordinator=200,
                door_parent_partner=200,
                door_clinical=200,
                rock_coordinator=200,
            ),
        )
        for name, path in [
            ("mentoring:supervision", "/mentoring/supervision/"),
            ("mentoring:clinical", "/mentoring/clinical-support/"),
            ("mentoring:training", "/mentoring/training/"),
        ]
    ],
    Case(
        "mentoring:participation",
        "/mentoring/participation/",
        everyone(
            403,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
        ),
    ),
    # Its coordinators correct a participation; the Parent Partner it is about sees it but
    # does not change it; another county's coordinator does not learn it exists.
    Case(
        "mentoring:participation_edit",
        "/mentoring/participation/{participation}/edit/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=403),
    ),
    Case(
        "mentoring:participation_delete",
        "/mentoring/participation/{participation}/delete/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=403),
    ),
    Case(
        "mentoring:training_edit",
        "/mentoring/training/{training}/edit/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=403),
    ),
    Case(
        "mentoring:training_delete",
        "/mentoring/training/{training}/delete/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=403),
    ),
    Case(
        "mentoring:core_topics",
        "/mentoring/training/core-topics/",
        everyone(403, door_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "mentoring:survey",
        "/mentoring/cases/{case}/survey/intake/",
        everyone(
            404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200, admin=403
        ),
    ),
    Case(
        "mentoring:monthly_summary",
        "/mentoring/parent-partners/{partner}/summary/2026-10/",
        everyone(
            404,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            door_clinical=403,
            admin=200,
        ),
    ),
    # Mileage and expenses: a Parent Partner's own claims; a program's for its coordinators;
    # approving, paying, rates and the finance CSV for Program Coordinators only.
    Case(
        "mentoring:claim_list",
        "/mentoring/mileage/",
        everyone(
            403,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
        ),
    ),
    Case(
        "mentoring:claim_export",
        "/mentoring/mileage/export.csv",
        everyone(403, door_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "mentoring:mileage_rates",
        "/mentoring/mileage/rates/",
        everyone(403, door_coordinator=200, rock_coordinator=200),
    ),
    Case(
        "mentoring:claim_new",
        "/mentoring/mileage/claim/{partner}/2026-10/",
        everyone(
            404,
            door_coordinator=403,
            door_pp_coordinator=403,
            door_parent_partner=200,
            door_clinical=403,
            admin=403,
        ),
    ),
    Case(
        "mentoring:claim_detail",
        "/mentoring/mileage/{submitted_claim}/",
        everyone(404, door_coordinator=200, door_pp_coordinator=200, door_parent_partner=200),
    ),
    Case(
        "mentoring:claim_edit",
        "/mentoring/mileage/{sent_back_claim}/change/",
        everyone(404, door_coordinator=403, door_pp_coordinator=403, door_parent_partner=200),
    ),
    Case(
        "mentoring:claim_decide",
        "/mentoring/mileage/{submitted_claim}/decide/",
        everyone(404, door_coordinator=200, door_pp_coordinator=403, door_parent_partner=403),
        method="post",
        data={},
    ),
    Case(
        "mentoring:claim_pay",
        "/mentoring/mileage/{approved_claim}/paid/",
        everyone(404, door_coordinator=200, door_pp_coordinator=403, door_parent_partner=403),
        method="post",
        data={},
    ),
    # The tablet's JSON API: family-level data for the case team only (state staff see
    # figures, never families: 403); a caller who is not signed in gets 401.
    Case(
        "api:caseload",
        "/api/v1/caseload/",
        everyone(
            403,
            anonymous=401,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
            admin=200,
        ),
    ),
    Case(
        "api:contacts",
        "/api/v1/contacts/",
        everyone(
            403,
            anonymous=401,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=200,
        ),
    ),
    Case(
        "api:contact_detail",
        "/api/v1/contacts/{activity}/",
        everyone(
            403,
            anonymous=401,
            door_coordinator=200,
            door_pp_coordinator=200,
            door_parent_partner=200,
            rock_coordinator=404,
        ),
    ),
    Case("api:activity_types", "/api/v1/activity-types/", everyone(200, anonymous=401)),
    Case(
        "api:resources",
        "/api/v1/resources/",
        everyone(200, anonymous=401, state=403, no_role=403),
    ),
]
