"""Every form in the project, and the pages where people fill it in.

``CASES`` lists one case per page that shows a form: who uses it (a persona allowed to),
where the form is shown and where it sends, and the form classes the page exercises.
``tests/test_hostile_input.py`` types hostile values into each one, and fails when a form
class of the project's apps is in no case (``test_every_form_is_covered``).

The records the paths point at come from each app's ``tests/<app>/matrix_cases.py``
``placeholders`` (all in Door), with the few extras a form needs to have choices to offer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from councils import forms as councils_forms
from mentoring import forms as mentoring_forms
from mentoring.models import Stage
from psp import admin as psp_admin
from psp import filters as psp_filters
from psp import forms as psp_forms
from psp import public as psp_public
from psp.models import Program
from referrals import forms as referrals_forms
from reporting import forms as reporting_forms
from reporting.comparison_forms import ComparisonUploadForm
from tests.councils import matrix_cases as councils_matrix
from tests.mentoring import matrix_cases as mentoring_matrix
from tests.mentoring.factories import ParentPartnerFactory
from tests.psp import matrix_cases as psp_matrix
from tests.referrals import matrix_cases as referrals_matrix
from tests.reporting import matrix_cases as reporting_matrix

Setup = Callable[[dict[str, Any], Any], dict[str, Any]]


def nothing(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    return {}


def mentoring_records(personas: dict[str, Any], door: Program) -> dict[str, Any]:
    """The mentoring placeholders, and a Parent Partner in training to record sessions for."""
    values = mentoring_matrix.placeholders(personas, door)
    ParentPartnerFactory(program=door, stage=Stage.TRAINING)
    return values


@dataclass(frozen=True)
class FormCase:
    name: str
    forms: tuple[type, ...]  # the form, formset and filter classes the page uses
    persona: str
    page: str  # where the form is shown; {names} come from ``setup``
    action: str = ""  # where it sends, when not to the page itself
    method: str = "post"
    setup: Setup = nothing
    # Values that make the plausible submission valid, so generated ones reach deeper.
    valid: dict[str, Any] = field(default_factory=dict)

    @property
    def target(self) -> str:
        return self.action or self.page


def get_filter(name: str, filter_class: type, persona: str, page: str, setup: Setup = nothing):
    return FormCase(name, (filter_class,), persona, page, method="get", setup=setup)


R, M, C = referrals_forms, mentoring_forms, councils_forms
REFERRAL_VALID = {
    "parents-0-consent_method": "verbal",
    "children-TOTAL_FORMS": "1",
    "children-0-first_name": "Ana",
    "children-0-birth_date_day": "2",
    "children-0-birth_date_month": "3",
    "children-0-birth_date_year": "2019",
    "children-0-placement_status": "at_home",
    "children-0-out_of_home_type": "",
    "children-0-removal_date": "",
}

CASES: list[FormCase] = [
    # --- psp ---------------------------------------------------------------------------
    FormCase("sign_in", (psp_forms.LoginForm,), "anonymous", "/accounts/login/"),
    FormCase(
        "program_settings",
        (psp_forms.ProgramSettingsForm,),
        "door_coordinator",
        "/programs/door/settings/",
    ),
    FormCase(
        "program_schools",
        (psp_forms.SchoolForm,),
        "admin",
        "/programs/wausau/schools/",
        setup=psp_matrix.placeholders,
        valid={"add": "school", "school-name": "Evergreen Elementary"},
    ),
    FormCase(
        "school_edit",
        (psp_forms.SchoolForm,),
        "admin",
        "/programs/wausau/schools/{school}/edit/",
        setup=psp_matrix.placeholders,
    ),
    FormCase(
        "district_edit",
        (psp_forms.SchoolDistrictForm,),
        "admin",
        "/programs/wausau/districts/{district}/edit/",
        setup=psp_matrix.placeholders,
    ),
    get_filter("audit_log", psp_forms.AuditFilterForm, "door_coordinator", "/audit/"),
    get_filter("calendar", reporting_forms.CalendarForm, "door_coordinator", "/calendar/"),
    FormCase("profile", (psp_forms.ProfileForm,), "door_parent_partner", "/profile/"),
    FormCase(
        "notification_preferences",
        (psp_forms.NotificationPreferencesForm,),
        "door_parent_partner",
        "/profile/notifications/",
    ),
    FormCase(
        "api_token_add",
        (psp_admin.ApiTokenForm,),
        "admin",
        "/admin/psp/apitoken/add/",
        valid={"name": "DCF data warehouse"},
    ),
    FormCase(
        "program_admin_with_contract_periods",
        (psp_admin.LabelledRows,),
        "admin",
        "/admin/psp/program/{program}/change/",
        setup=lambda personas, door: {"program": door.pk},
    ),
    # --- referrals -----------------------------------------------------------------------
    FormCase(
        "referral_on_behalf",
        (R.ReferralForm, R.ParentFormSet, R.ParentForm, R.ChildFormSet, R.ChildIntakeForm),
        "door_coordinator",
        "/referrals/new/",
        valid={"referrer_name": "Megan Schultz", **REFERRAL_VALID},
    ),
    FormCase(
        "referral_by_social_worker",
        (R.ReferralForm, R.ParentFormSet, R.ParentForm, R.ChildFormSet, R.ChildIntakeForm),
        "door_social_worker",
        "/referrals/new/",
        valid=REFERRAL_VALID,
    ),
    FormCase(
        # A school-based program's intake: the child's school, grade and plan.
        "referral_by_school_staff",
        (R.ReferralForm, R.ParentFormSet, R.ParentForm, R.ChildFormSet, R.ChildIntakeForm),
        "school_staff",
        "/referrals/new/",
        valid={
            **{key: value for key, value in REFERRAL_VALID.items() if "placement" not in key},
            "children-0-grade": "5",
            "children-0-education_plan": "iep",
        },
    ),
    FormCase(
        "referral_transition",
        (R.TransitionForm,),
        "door_coordinator",
        "/referrals/{referral}/",
        action="/referrals/{referral}/status/",
        setup=referrals_matrix.placeholders,
    ),
    FormCase(
        "child_edit",
        (R.ChildForm,),
        "door_coordinator",
        "/referrals/children/{child}/edit/",
        setup=referrals_matrix.placeholders,
    ),
    FormCase(
        "episode_create",
        (R.EpisodeForm,),
        "door_coordinator",
        "/referrals/children/{child}/episodes/new/",
        setup=referrals_matrix.placeholders,
        valid={"setting": "foster"},
    ),
    FormCase(
        "episode_edit",
        (R.EpisodeForm,),
        "door_coordinator",
        "/referrals/episodes/{episode}/edit/",
        setup=referrals_matrix.placeholders,
    ),
    FormCase(
        "placement_create",
        (R.PlacementForm,),
        "door_coordinator",
        "/referrals/episodes/{episode}/placements/new/",
        setup=referrals_matrix.placeholders,
        valid={"setting": "group"},
    ),
    FormCase(
        "placement_edit",
        (R.PlacementForm,),
        "door_coordinator",
        "/referrals/placements/{placement}/edit/",
        setup=referrals_matrix.placeholders,
    ),
    FormCase(
        "parent_edit",
        (R.ParentEditForm,),
        "door_coordinator",
        "/referrals/parents/{parent}/edit/",
        setup=referrals_matrix.placeholders,
    ),
    get_filter("referral_list", R.ReferralFilter, "door_coordinator", "/referrals/"),
    get_filter("family_search", R.SearchForm, "door_coordinator", "/referrals/search/"),
    get_filter(
        "referral_notice",
        R.NoticeForm,
        "door_coordinator",
        "/referrals/{referral}/notice/",
        setup=referrals_matrix.placeholders,
    ),
    get_filter("referral_export", R.ReferralFilter, "door_coordinator", "/referrals/export.csv"),
    # The program's public page: anyone, signed in or not (the robot traps are
    # ``psp.public``'s; the hidden box left empty as a person leaves it).
    FormCase(
        "public_request",
        (R.ReferralRequestForm, psp_public.SpamTrapForm),
        "anonymous",
        "/public/door/ask-for-help/",
        valid={"website": "", "phone": "920-555-0147", "email": "", "sender": "self"},
    ),
    FormCase(
        # A school-based program's: no question about a child protective services case.
        "public_request_school",
        (R.ReferralRequestForm, psp_public.SpamTrapForm),
        "anonymous",
        "/public/wausau/ask-for-help/",
        setup=psp_matrix.placeholders,
        valid={"website": "", "phone": "715-555-0147", "email": "", "sender": "self"},
    ),
    FormCase(
        "public_request_close",
        (R.RequestCloseForm,),
        "door_coordinator",
        "/referrals/requests/{public_request}/",
        action="/referrals/requests/{public_request}/close/",
        setup=referrals_matrix.placeholders,
    ),
    # --- mentoring -----------------------------------------------------------------------
    FormCase(
        "public_interest",
        (M.PartnerInterestForm, psp_public.SpamTrapForm),
        "anonymous",
        "/public/door/become-a-parent-partner/",
        valid={
            "website": "",
            "email": "",
            "eligibility_date_month": "6",
            "eligibility_date_day": "1",
            "eligibility_date_year": "2021",
        },
    ),
    FormCase(
        # A school-based program's: a caregiver's experience, the only one offered.
        "public_interest_school",
        (M.PartnerInterestForm, psp_public.SpamTrapForm),
        "anonymous",
        "/public/wausau/become-a-parent-partner/",
        setup=psp_matrix.placeholders,
        valid={
            "website": "",
            "email": "",
            "eligibility_basis": "caregiver",
            "eligibility_date_month": "6",
            "eligibility_date_day": "1",
            "eligibility_date_year": "2021",
        },
    ),
    FormCase(
        "partner_create",
        (M.ParentPartnerForm,),
        "door_coordinator",
        "/mentoring/parent-partners/new/",
        valid={"eligibility_date": "2020-01-01", "languages": ["en"]},
    ),
    FormCase(
        "partner_edit",
        (M.ParentPartnerForm,),
        "door_coordinator",
        "/mentoring/parent-partners/{partner}/edit/",
        setup=mentoring_records,
    ),
    FormCase(
        "partner_stage",
        (M.StageForm,),
        "door_coordinator",
        "/mentoring/parent-partners/{partner}/",
        action="/mentoring/parent-partners/{partner}/stage/",
        setup=mentoring_records,
    ),
    FormCase(
        "assign",
        (M.AssignForm,),
        "door_coordinator",
        "/mentoring/assign/{accepted}/",
        setup=mentoring_records,
    ),
    FormCase(
        "case_edit",
        (M.CaseForm,),
        "door_coordinator",
        "/mentoring/cases/{case}/edit/",
        setup=mentoring_records,
    ),
    FormCase(
        "goal_add",
        (M.GoalForm,),
        "door_coordinator",
        "/mentoring/cases/{case}/",
        action="/mentoring/cases/{case}/goals/",
        setup=mentoring_records,
    ),
    FormCase(
        "hearing_add",
        (M.HearingForm,),
        "door_parent_partner",
        "/mentoring/cases/{case}/hearings/new/",
        setup=mentoring_records,
    ),
    FormCase(
        "hearing_edit",
        (M.HearingForm,),
        "door_coordinator",
        "/mentoring/hearings/{hearing}/edit/",
        setup=mentoring_records,
        valid={"version": "1"},
    ),
    FormCase(
        "follow_up_add",
        (M.FollowUpForm,),
        "door_pp_coordinator",
        "/mentoring/cases/{case}/follow-ups/new/",
        setup=mentoring_records,
    ),
    FormCase(
        "follow_up_edit",
        (M.FollowUpForm,),
        "door_parent_partner",
        "/mentoring/follow-ups/{follow_up}/edit/",
        setup=mentoring_records,
        valid={"version": "1"},
    ),
    # The file box is not typed into: without a file the form always comes back, and the
    # hostile values in the other boxes must be shown again, never saved nor a 500.
    FormCase(
        "document_add",
        (M.DocumentForm,),
        "door_parent_partner",
        "/mentoring/cases/{case}/documents/new/",
        setup=mentoring_records,
    ),
    FormCase(
        "referral_document_add",
        (M.DocumentForm,),
        "door_coordinator",
        "/mentoring/referrals/{accepted}/documents/new/",
        setup=mentoring_records,
    ),
    FormCase(
        "claim_new",
        (M.ClaimForm, M.ClaimExpenseFormSet, M.ClaimExpenseForm),
        "door_parent_partner",
        "/mentoring/mileage/claim/{partner}/2026-10/",
        setup=mentoring_records,
    ),
    FormCase(
        "claim_edit",
        (M.ClaimForm, M.ClaimExpenseFormSet, M.ClaimExpenseForm),
        "door_parent_partner",
        "/mentoring/mileage/{sent_back_claim}/change/",
        setup=mentoring_records,
        valid={"version": "1"},
    ),
    FormCase(
        "claim_decide",
        (M.ClaimDecisionForm,),
        "door_coordinator",
        "/mentoring/mileage/{submitted_claim}/",
        action="/mentoring/mileage/{submitted_claim}/decide/",
        setup=mentoring_records,
        valid={"version": "1"},
    ),
    FormCase(
        "claim_pay",
        (M.ClaimPaymentForm,),
        "door_coordinator",
        "/mentoring/mileage/{approved_claim}/",
        action="/mentoring/mileage/{approved_claim}/paid/",
        setup=mentoring_records,
        valid={"version": "1"},
    ),
    FormCase(
        "mileage_rates",
        (M.MileageRateForm,),
        "door_coordinator",
        "/mentoring/mileage/rates/",
        setup=mentoring_records,
    ),
    FormCase(
        "goal_progress",
        (M.ProgressForm,),
        "door_parent_partner",
        "/mentoring/cases/{case}/",
        action="/mentoring/goals/{goal}/progress/",
        setup=mentoring_records,
    ),
    FormCase(
        "case_close",
        (M.CloseCaseForm, M.ChildOutcomeForm),
        "door_coordinator",
        "/mentoring/cases/{case}/close/",
        setup=mentoring_records,
    ),
    FormCase(
        "activity_log",
        (M.ActivityForm,),
        "door_parent_partner",
        "/mentoring/log/",
        setup=mentoring_records,
        valid={"activity_type": "home_visit", "time": ""},
    ),
    FormCase(
        "activity_edit",
        (M.ActivityForm,),
        "door_parent_partner",
        "/mentoring/contacts/{activity}/edit/",
        setup=mentoring_records,
    ),
    FormCase(
        "activity_review",
        (M.ReviewForm,),
        "door_coordinator",
        "/mentoring/review/",
        action="/mentoring/contacts/{activity}/review/",
        setup=mentoring_records,
    ),
    FormCase(
        "review_sign_off",
        (M.BulkSignOffForm,),
        "door_coordinator",
        "/mentoring/review/",
        action="/mentoring/review/sign-off/",
        setup=mentoring_records,
    ),
    get_filter("review_queue", M.ReviewFilter, "door_coordinator", "/mentoring/review/"),
    get_filter("case_list", M.CaseFilter, "door_coordinator", "/mentoring/cases/"),
    get_filter("case_export", M.CaseFilter, "door_coordinator", "/mentoring/cases/export.csv"),
    get_filter("activity_list", M.ActivityFilter, "door_coordinator", "/mentoring/contacts/"),
    get_filter(
        "activity_export", M.ActivityFilter, "door_coordinator", "/mentoring/contacts/export.csv"
    ),
    FormCase("resource_create", (M.ResourceForm,), "door_coordinator", "/mentoring/resources/new/"),
    FormCase(
        "resource_edit",
        (M.ResourceForm,),
        "door_coordinator",
        "/mentoring/resources/{resource}/edit/",
        setup=mentoring_records,
    ),
    FormCase(
        "supervision",
        (M.SupervisionForm,),
        "door_coordinator",
        "/mentoring/supervision/",
        setup=mentoring_records,
    ),
    FormCase(
        "clinical_support",
        (M.ClinicalSessionForm,),
        "door_clinical",
        "/mentoring/clinical-support/",
        setup=mentoring_records,
    ),
    FormCase(
        "core_topics",
        (M.CoreTopicsForm,),
        "door_coordinator",
        "/mentoring/training/core-topics/",
    ),
    FormCase(
        "training",
        (M.TrainingForm,),
        "door_coordinator",
        "/mentoring/training/",
        setup=mentoring_records,
        valid={"hours": "1.5"},
    ),
    FormCase(
        "participation",
        (M.ParticipationForm,),
        "door_coordinator",
        "/mentoring/participation/",
        setup=mentoring_records,
        valid={"hours": "2", "kind": "council", "title": "Local Advisory Council"},
    ),
    FormCase(
        "training_edit",
        (M.TrainingForm,),
        "door_coordinator",
        "/mentoring/training/{training}/edit/",
        setup=mentoring_records,
        valid={"hours": "2"},
    ),
    FormCase(
        "participation_edit",
        (M.ParticipationForm,),
        "door_coordinator",
        "/mentoring/participation/{participation}/edit/",
        setup=mentoring_records,
        valid={"hours": "2", "kind": "council", "title": "Local Advisory Council"},
    ),
    FormCase(
        "survey",
        (M.SurveyForm,),
        "door_parent_partner",
        "/mentoring/cases/{case}/survey/intake/",
        setup=mentoring_records,
    ),
    # --- councils ------------------------------------------------------------------------
    FormCase("council_create", (C.CouncilCreateForm,), "rock_coordinator", "/councils/new/"),
    FormCase(
        "member_create",
        (C.CouncilMemberForm,),
        "door_coordinator",
        "/councils/{council}/members/new/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "member_edit",
        (C.CouncilMemberForm,),
        "door_coordinator",
        "/councils/members/{member}/edit/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "meeting_create",
        (C.MeetingForm, C.AttendanceFormSet, C.AttendanceForm),
        "door_coordinator",
        "/councils/{council}/meetings/new/",
        setup=councils_matrix.placeholders,
        valid={"location": "Sturgeon Bay library"},
    ),
    FormCase(
        "meeting_edit",
        (C.MeetingEditForm, C.AttendanceFormSet, C.AttendanceForm),
        "door_coordinator",
        "/councils/meetings/{meeting}/edit/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "recommendation_create",
        (C.RecommendationForm,),
        "door_coordinator",
        "/councils/{council}/recommendations/new/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "recommendation_edit",
        (C.RecommendationEditForm,),
        "door_coordinator",
        "/councils/recommendations/{recommendation}/edit/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "recommendation_status",
        (C.RecommendationMoveForm,),
        "door_coordinator",
        "/councils/recommendations/{recommendation}/",
        action="/councils/recommendations/{recommendation}/status/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "stipend_create",
        (C.StipendForm,),
        "door_coordinator",
        "/councils/{council}/stipends/new/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "stipend_edit",
        (C.StipendForm,),
        "door_coordinator",
        "/councils/stipends/{stipend}/edit/",
        setup=councils_matrix.placeholders,
    ),
    FormCase(
        "outreach_create",
        (C.OutreachEventCreateForm,),
        "door_coordinator",
        "/councils/outreach/new/",
        valid={"attendance": "25"},
    ),
    FormCase(
        "outreach_edit",
        (C.OutreachEventEditForm,),
        "door_coordinator",
        "/councils/outreach/{event}/edit/",
        setup=councils_matrix.placeholders,
    ),
    get_filter("council_list", C.CouncilFilter, "door_coordinator", "/councils/"),
    get_filter(
        "meeting_list",
        C.MeetingFilter,
        "door_coordinator",
        "/councils/{council}/meetings/",
        councils_matrix.placeholders,
    ),
    get_filter(
        "recommendation_list",
        C.RecommendationFilter,
        "door_coordinator",
        "/councils/recommendations/",
    ),
    get_filter(
        "recommendation_export",
        C.RecommendationFilter,
        "door_coordinator",
        "/councils/recommendations/export.csv",
    ),
    get_filter(
        "stipend_list",
        C.StipendFilter,
        "door_coordinator",
        "/councils/{council}/stipends/",
        councils_matrix.placeholders,
    ),
    get_filter(
        "stipend_export",
        C.StipendFilter,
        "door_coordinator",
        "/councils/{council}/stipends/export.csv",
        councils_matrix.placeholders,
    ),
    get_filter("outreach_list", C.OutreachFilter, "door_coordinator", "/councils/outreach/"),
    get_filter(
        "outreach_export", C.OutreachFilter, "door_coordinator", "/councils/outreach/export.csv"
    ),
    # --- reporting -----------------------------------------------------------------------
    FormCase(
        "report_generate",
        (reporting_forms.ReportRequestForm,),
        "door_coordinator",
        "/reports/",
        action="/reports/generate/",
        setup=reporting_matrix.placeholders,
    ),
    get_filter(
        "quality_panel", reporting_forms.QualityForm, "door_coordinator", "/reports/quality/"
    ),
    FormCase(
        "quarter_close",
        (reporting_forms.CloseQuarterForm,),
        "door_coordinator",
        "/reports/quality/?program=door&quarter=2026-2",
        action="/reports/close/",
    ),
    # As with documents, no file: the dates and the note come back, never saved nor a 500.
    FormCase(
        "comparison_upload",
        (ComparisonUploadForm,),
        "state",
        "/reports/comparison/",
        valid={"period_start": "2025-01-01", "period_end": "2025-12-31"},
    ),
]

# Classes that are only ever used through a subclass in CASES.
BASES: dict[type, str] = {
    psp_forms.ModelForm: "the base of every model form",
    psp_filters.FilterSet: "the base of every filter",
    C.OutreachEventForm: "shown as its create and edit forms",
}


@dataclass(frozen=True)
class QueryPage:
    """A page that reads values from its query string outside any form."""

    name: str
    persona: str
    path: str
    params: tuple[str, ...]
    setup: Setup = nothing


QUERY_PAGES = [
    QueryPage("dashboard", "door_coordinator", "/dashboard/", ("program",)),
    QueryPage(
        "source_events",
        "door_coordinator",
        "/referrals/new/events/",
        ("source_event_search", "source_event", "program"),
    ),
    QueryPage("audit_page", "door_coordinator", "/audit/", ("page",)),
    QueryPage(
        "activity_log",
        "door_parent_partner",
        "/mentoring/log/",
        ("case", "saved"),
        mentoring_records,
    ),
    QueryPage("review_queue", "door_coordinator", "/mentoring/review/", ("page",)),
    QueryPage(
        "resource_list",
        "door_coordinator",
        "/mentoring/resources/",
        ("q", "category", "all", "page"),
    ),
    QueryPage("supervision", "door_coordinator", "/mentoring/supervision/", ("program", "page")),
    QueryPage("clinical_support", "door_clinical", "/mentoring/clinical-support/", ("program",)),
    QueryPage("training", "door_coordinator", "/mentoring/training/", ("program",)),
    QueryPage(
        "recommendation_create",
        "door_coordinator",
        "/councils/{council}/recommendations/new/",
        ("meeting",),
        councils_matrix.placeholders,
    ),
    QueryPage(
        "stipend_create",
        "door_coordinator",
        "/councils/{council}/stipends/new/",
        ("meeting",),
        councils_matrix.placeholders,
    ),
    QueryPage(
        "stipend_export",
        "door_coordinator",
        "/councils/{council}/stipends/export.csv",
        ("year",),
        councils_matrix.placeholders,
    ),
    QueryPage("report_list", "door_coordinator", "/reports/", ("page",)),
]
