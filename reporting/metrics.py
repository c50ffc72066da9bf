"""The quarterly report's metrics: one definition of each, computed by the database.

Every metric is a keyword-only function ``metric(*, program, quarter)``: ``program`` is one
``Program`` or ``None`` for statewide (every program; for councils, the State Advisory Council
as well), ``quarter`` a ``reporting.quarters.Quarter``. Each returns a small frozen dataclass
of ints, Decimals, dates, strings and lists, so the PDF, the CSV and the dashboards all print
the same numbers. ``quarter_report`` bundles them.

How the numbers are made:

- Counts and sums are aggregates and annotations: each metric runs a fixed number of queries
  whatever the number of rows. The only rows fetched are the pairs of dates the medians need
  (one pair per referral or child in the quarter); the medians are taken in Python.
- Dates are compared as calendar dates. Timestamps (contacts, referral status changes,
  recommendation status changes) are placed on the calendar in the project's time zone
  (``settings.TIME_ZONE``), whatever time zone the person asking for the report uses.
- Every metric counts only what is dated on or before the quarter's last day (a first
  contact, a referral from an outreach event, an intake survey, a stipend's payment, a Parent
  Partner entered in the system), never "now": a report for a past quarter gives the same
  figures when it is produced again later.
- Every figure is rounded half up (12.5 to 13, 0.25 to 0.3) by ``psp.numbers``: hours, medians,
  averages of families and percents to one decimal place, survey means and money to two,
  the lived-experience share to a whole percent. Hours by kind of contact are apportioned
  (largest remainder) so that they add up to the total hours shown.

``DEFINITIONS`` states each metric in plain language for the report's appendix, and
``DEFINITION_SOURCES`` where each definition comes from.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import (
    Avg,
    CharField,
    Count,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Conditional  # ``Case`` is mentoring's model here
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear, Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import (
    Attendance,
    Council,
    CouncilKind,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatus,
    RecommendationStatusChange,
    Stipend,
    StipendStatus,
)
from councils.selectors import PRESENT, PRESENT_WITH_LIVED_EXPERIENCE, Share
from mentoring.models import (
    SCHOOL_MEETINGS,
    SERVICES_CONNECTED,
    Activity,
    ActivityType,
    Case,
    ClinicalSupportSession,
    ParentPartner,
    Present,
    Stage,
    StageChange,
    SupervisionSession,
    SurveyResponse,
    SurveyTiming,
    TrainingRecord,
)
from psp.models import Program, ProgramType
from psp.numbers import DecimalSum, apportion, percent, round_half_up
from referrals import schooling
from referrals.models import (
    Child,
    DeclineReason,
    DischargeReason,
    EducationPlan,
    Family,
    RaceEthnicity,
    Referral,
    RemovalEpisode,
    Status,
    Transition,
)
from reporting import suppression
from reporting.quarters import Quarter

ONE_PLACE = 1  # decimal places
TWO_PLACES = 2
SHORT_STAY = datetime.timedelta(days=8)
ADULT_AGE = 18

# CFSR Round 4: the discharges that count as permanency, and those after which a re-entry
# is measured.
PERMANENT_EXITS = [
    DischargeReason.REUNIFICATION,
    DischargeReason.RELATIVE_CUSTODY,
    DischargeReason.GUARDIANSHIP,
    DischargeReason.ADOPTION,
]
REENTRY_EXITS = [
    DischargeReason.REUNIFICATION,
    DischargeReason.RELATIVE_CUSTODY,
    DischargeReason.GUARDIANSHIP,
]
# Triage decisions that end a referral: counted by where the referral stood at the quarter's end.
CLOSING_STATUSES = [Status.DECLINED, Status.WITHDRAWN]
TEAM_MEETING_TYPES = [ActivityType.TEAM_MEETING, ActivityType.CASE_PLAN_INPUT]
# The race and ethnicity columns: every answer a parent can give ("Prefer not to say" is one),
# then the families whose first parent has no answer recorded yet, or who have no parent on
# record. Every family served is in exactly one column.
NOT_RECORDED = "not_recorded"
RACE_ETHNICITY_COLUMNS = [*RaceEthnicity.values, NOT_RECORDED]


DEFINITIONS: dict[str, Any] = {
    "dates": _(
        "Every date is a calendar day in the programs' time zone, %(time_zone)s (Central "
        "Time): a contact at 23:30 on a quarter's last day belongs to that quarter. A "
        "quarter's figures count only what is dated on or before its last day, so the report "
        "gives the same figures when it is made again later, unless records dated in the "
        "quarter are entered or corrected afterwards."
    ),
    "closed_quarters": _(
        "A program's quarter is closed by its Program Coordinator once it has ended. Closing "
        "files the quarter's numbers as they stand; every report of a closed quarter is made "
        "from them and is the same file however often it is made. A record of a closed "
        "quarter entered or corrected later does not change its report: each figure that "
        "differs is listed, as filed and as counted now, under “Changes to quarters already "
        "filed” in the next report. The statewide quarter closes when every program has "
        "closed it; statewide figures are counted at that moment, from the programs' filed "
        "race and ethnicity counts and from the records for everything else."
    ),
    "rounding": _(
        "Figures are rounded half up (12.5 becomes 13): hours, medians, averages and percents "
        "to one decimal place, the lived-experience share to a whole percent, survey scores and "
        "dollars to two places. Hours by kind of contact are rounded so that they add up to "
        "the total hours shown (largest remainder), so one kind's hours may be 0.1 away from "
        "its own rounding."
    ),
    "percentages": _(
        "Every percent is shown with the two numbers it is made of (“2 of 3”). A percent of "
        "fewer than %(small_denominator)s is marked “too few to compare”: with so few, one "
        "more or one fewer moves it a long way, so it should not be compared with other "
        "programs or quarters."
    ),
    "referrals_received": _("Referrals with a date received in the quarter."),
    "referrals_accepted": _("Referrals moved to “accepted” during the quarter, each once."),
    "referrals_declined": _(
        "Referrals that stood “declined” at the end of the quarter by a decline made during "
        "the quarter, each counted once, under the reason given for its last decline. A "
        "referral declined and reopened within the quarter is not counted; one declined in "
        "the quarter and reopened later still counts in this quarter, and counts again in a "
        "later quarter only if it is declined again then."
    ),
    "referrals_withdrawn": _(
        "Referrals that stood “withdrawn” at the end of the quarter by a step taken during "
        "the quarter, each counted once."
    ),
    "days_to_first_contact": _(
        "For referrals received in the quarter with a first contact logged on the case by "
        "the quarter's last day: the median number of days from the date received to that "
        "first contact. Referrals with no contact by the quarter's last day are left out, "
        "even when they have one now; the number of referrals the median is taken over is "
        "shown beside it."
    ),
    "families_served": _(
        "Families with at least one contact logged in the quarter, each counted once however "
        "many contacts they had."
    ),
    "families_new": _("Families whose case opened in the quarter."),
    "families_closed": _("Families whose case closed in the quarter."),
    "families_per_month": _(
        "The average over the quarter's three months of the families with at least one "
        "contact in the month."
    ),
    "contacts": _(
        "Contacts logged in the quarter, with their hours (duration), by kind of contact. "
        "Court hearings are the contacts of the kind “court hearing”; team meetings are "
        "“team meeting” and “case-plan meeting” contacts. Mileage is the miles driven "
        "recorded on those contacts. The hours of the kinds add up to the total hours."
    ),
    # A school-based program's own report: its kinds of contact have no court hearings.
    "contacts_school": _(
        "Contacts logged in the quarter, with their hours (duration), by kind of contact the "
        "program logs. Mileage is the miles driven recorded on those contacts. The hours of "
        "the kinds add up to the total hours."
    ),
    "school_based": _(
        "School-based Parent Peer Support programs only (statewide: all of them together). "
        "School meetings are contacts of the kinds IEP meeting, 504 plan meeting, other school "
        "meeting and planning a move to a new school, logged in the quarter; attended with "
        "support when the contact records the parent as there. Services connected are contacts "
        "of the kinds connected to mental-health services, basic needs and connected to a "
        "resource. Children are those of the families whose case was open on at least one day "
        "of the quarter, by their special-education plan as recorded now; moving to a new "
        "school when, on the quarter's last day, they are in the last grade of their school "
        "(4K, grade 5, grade 8 or grade 12; a school year runs from July 1 to June 30)."
    ),
    "children_served": _(
        "Outcomes are counted for the children of families whose case was open on at least "
        "one day of the quarter, from their stays in out-of-home care (removal episodes) as "
        "recorded by the quarter's last day. A child removed again after going home has a "
        "second stay; each stay has its own removal and discharge."
    ),
    "returned_home": _(
        "Children whose stay in care ended in the quarter with reunification with their "
        "parents, each counted once."
    ),
    "permanency_by_type": _(
        "Children whose stay in care ended in the quarter, by the reason it ended."
    ),
    "days_in_out_of_home_care": _(
        "For the stays in care that ended in the quarter: the median number of days from "
        "removal to discharge."
    ),
    "reremovals": _(
        "Removals in the quarter of a child who had left care before, within 12 or within 24 "
        "months of leaving that earlier stay (before the same day of the month 12 or 24 "
        "months later). The 24-month count includes the 12-month one."
    ),
    "cfsr_permanency_12_months": _(
        "CFSR Round 4 statewide data indicator “permanency in 12 months for children "
        "entering foster care”, as the Children's Bureau specifies it (see “Sources of the "
        "CFSR definitions”). Denominator: the children who entered care in the 12-month "
        "target period, counted once by their first removal in the period; a stay of fewer "
        "than 8 days (discharge date minus removal date) and a child 18 or older on the day "
        "of removal are left out. A child whose first removal in the period was a stay of "
        "fewer than 8 days is left out even when removed again later in the period. The "
        "documents state both rules (stays under 8 days left out, only the first entry in the "
        "period evaluated) but not which applies first; where the documents do not say, this "
        "report follows the reading of the California Child Welfare Indicators Project "
        "(University of California at Berkeley), whose methodology “CFSR4-P1: Permanency in "
        "12 Months for Children Entering Foster Care” says “For children with multiple "
        "episodes during the same 12-month period, this measure only evaluates the first "
        "episode within the period”, so a later stay is not counted in its place. Numerator: "
        "those discharged to reunification, living with other relatives, guardianship or "
        "adoption within 12 months of entering (the discharge date is before the same day "
        "of the month 12 months after the removal, or that month's last day when it is "
        "shorter) and before their 18th birthday. The target period is the most recent 12 "
        "months whose every entrant has had the full 12 months by the quarter's last day: "
        "the 12 months ending one year before it. Counted for the children of families the "
        "program served (a case open on at least one day) from the period's first day to "
        "the quarter's last day."
    ),
    "cfsr_reentry_12_months": _(
        "CFSR Round 4 statewide data indicator “re-entry to foster care in 12 months”, as "
        "the same documents specify it. Denominator: the children who entered care in the "
        "12-month target period (first removal in the period, with the same exclusions, read "
        "the same way: a child whose first removal in the period lasted fewer than 8 days is "
        "left out, not counted by a later removal) and were discharged within 12 months of "
        "entering to reunification, living with other relatives or guardianship, before their "
        "18th birthday (a discharge at 18 or older leaves the denominator). Numerator: those "
        "removed again within 12 months of that discharge (before the same day of the month "
        "12 months later). The target period is the most recent 12 months whose entrants "
        "have all had 12 months to leave care and 12 more to re-enter by the quarter's last "
        "day: the 12 months ending two years before it. Counted for the children of families "
        "the program served from the period's first day to the quarter's last day."
    ),
    "cfsr_sources": _(
        "Children's Bureau (Administration for Children and Families, U.S. Department of "
        "Health and Human Services), “CFSR Round 4 Statewide Data Indicators Data "
        "Dictionary”, CFSR Information Portal, cfsrportal.acf.hhs.gov, section “CFSR Round 4 "
        "Statewide Data Indicators”; and the Capacity Building Center for States' “CFSR Round "
        "4 Statewide Data Indicator Series” fact sheets (2022) “Permanency in 12 Months for "
        "Children Entering Care” and “Reentry to Foster Care in 12 Months”. The program's "
        "figures follow their definitions but are computed from the program's own records, "
        "not from AFCARS, and are not risk-standardized as the federal performance is; trial "
        "home visits are not recorded separately."
    ),
    "survey_change": _(
        "For cases with a closure survey answered in the quarter and an intake survey "
        "answered by the quarter's last day: the number of cases, the average intake and "
        "closure scores (1 to 5) and the average change (closure minus intake)."
    ),
    "parent_partners_active": _(
        "Parent Partners whose stage was “active” on the quarter's last day: from their stage "
        "history when it is recorded, otherwise their current stage if they were entered by "
        "that day."
    ),
    "training_hours": _("Training hours completed by Parent Partners in the quarter."),
    "supervision_sessions": _("Supervision sessions held in the quarter."),
    "clinical_sessions": _(
        "Clinical support sessions held in the quarter, and whether each month had one."
    ),
    "council_meetings": _(
        "Meetings held in the quarter: the program's Local Advisory Council, or statewide "
        "every council including the State Advisory Council."
    ),
    "council_lived_experience_share": _(
        "Of the members present at those meetings, the share with lived experience of the "
        "child welfare system (a member present at three meetings counts three times), as a "
        "whole percent."
    ),
    "stipends": _(
        "Stipends paid in the quarter (by the date paid, whatever the date of the "
        "contribution): how many and the total. Stipends not paid yet are not counted."
    ),
    "recommendations": _(
        "Recommendations proposed in the quarter, and recommendations adopted in the quarter."
    ),
    "outreach": _(
        "Outreach and education events held in the quarter, the people who came, and the "
        "referrals received by the quarter's last day that name one of those events as where "
        "the family heard of the program."
    ),
    "families_by_race_ethnicity": _(
        "Families served in the quarter by the race or ethnicity of the family's first "
        "recorded parent, as the parent describes it; “Prefer not to say” is the parent's "
        "answer. A family whose first parent has no answer recorded yet (not asked), or with "
        "no parent on record, is counted under “Not recorded”, so the counts add up to the "
        "families served. In the reports state staff read, counts from 1 to %(largest_hidden)s "
        "are hidden (“*”), and so are as many other counts as it takes that no hidden count "
        "can be narrowed to fewer than %(threshold)s possible values (in a row whose total is "
        "under %(largest_hidden)s, to fewer than every value from 0 to that total) from the "
        "totals, this report and the other reports of the quarter together. The same counts "
        "are hidden in every report of the quarter: they are chosen once, from every "
        "program's filed counts, when the last program closes the quarter, and until then "
        "the reports state staff read leave the table out."
    ),
    "families_by_program_and_race_ethnicity": _(
        "Statewide report only: the same count for each program, with each program's total "
        "(its families served); the statewide race and ethnicity counts are the sums of "
        "these rows."
    ),
}


# Where each definition comes from, printed under it in the appendix ("Source: ..."). Only
# documents that exist are named: the CFSR Round 4 documents of "cfsr_sources"; the state's
# (DCF) PSP program documents, by their own titles; and the project's published specification
# ("PSP Case Management specification", by its section names). Where a rule is the project's
# own (rounding, percents of few), the source says so rather than naming a document.
DEFINITION_SOURCES: dict[str, Any] = {
    "dates": _(
        "PSP Case Management specification, section “Rules that hold everywhere”: "
        "“America/Chicago is the program's time zone; a time not given is not invented.” "
        "Counting only what is dated by the quarter's last day is this project's own rule, so "
        "that a filed report is not rewritten (the specification, “Capabilities”, 7. Quarter "
        "close: “its report is frozen”)."
    ),
    "closed_quarters": _(
        "PSP Case Management specification, section “Capabilities”, 7. Quarter close: “the "
        "coordinator closes the quarter: its report is frozen; later changes are amendments, "
        "listed, never silently rewriting a filed report”. The Program Coordinator is the one "
        "to “complete State reporting requirements” (DCF, “Parents Supporting Parents: A "
        "Wisconsin Parent Partner Model”, section “Local Parents Support Parents (PSP) "
        "Programs”)."
    ),
    "rounding": _(
        "This project's own rule, the same for every figure; none of the source documents sets "
        "a rounding rule. A half is rounded up, as people round by hand, not to the even "
        "number as some software does."
    ),
    "percentages": _(
        "This project's own rule; none of the source documents sets one. The smallest "
        "denominator compared (%(small_denominator)s) is a setting of this installation."
    ),
    "referrals_received": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: "
        "“referrals (received, accepted, declined by reason, days to first contact)”. The "
        "state's program description gives the Program Coordinator the task to “complete State "
        "reporting requirements” (DCF, “Parents Supporting Parents: A Wisconsin Parent Partner "
        "Model”, section “Local Parents Support Parents (PSP) Programs”)."
    ),
    "referrals_accepted": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting (“referrals "
        "(received, accepted, …)”) and 1. Referrals (“received → screening → accepted | "
        "declined (reason) | withdrawn”)."
    ),
    "referrals_declined": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting (“declined "
        "by reason”) and 1. Referrals (“declined (reason)”)."
    ),
    "referrals_withdrawn": _(
        "PSP Case Management specification, section “Capabilities”, 1. Referrals: the triage "
        "state “withdrawn”, counted as the report of 5. Reporting counts the other decisions."
    ),
    "days_to_first_contact": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “days to "
        "first contact”. The median is this project's choice of summary."
    ),
    "families_served": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “families "
        "served (unique per quarter, average per month)”."
    ),
    "families_new": _(
        "PSP Case Management specification, section “Capabilities”, 2. Mentoring (a case opens "
        "when a Parent Partner is assigned to an accepted referral), for the families served "
        "of 5. Reporting."
    ),
    "families_closed": _(
        "PSP Case Management specification, section “Capabilities”, 2. Mentoring (“the case: "
        "… closure with outcome”), for the families served of 5. Reporting."
    ),
    "families_per_month": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “families "
        "served (unique per quarter, average per month)”; the school-based sister model counts "
        "its reach the same way (“assist an average of 142 families per month”, “Establishing "
        "Parent Peer Support Providers”)."
    ),
    "contacts": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “contacts "
        "and hours by type, court hearings and team meetings attended”, and 2. Mentoring (the "
        "activity log's duration, type and mileage). What Parent Partners do: “Support families "
        "by attending team meetings, court hearings, or other gatherings” (DCF, “Parents "
        "Supporting Parents: A Wisconsin Parent Partner Model”, section “Parent Partners”)."
    ),
    "contacts_school": _(
        "PSP Case Management specification, section “Capabilities”, 2. Mentoring (the activity "
        "log's duration, type and mileage) and 10. School-based Parent Peer Support "
        "(“IEP/504 meetings, transitions”)."
    ),
    "school_based": _(
        "PSP Case Management specification, section “Capabilities”, 10. School-based Parent "
        "Peer Support (“IEP/504 meetings, transitions, its own outcomes”). Wisconsin's Safe "
        "Schools/Healthy Students Parent Peer Support providers accompany families to IEP "
        "meetings, guide them through transitions from pre-K to elementary and from middle to "
        "high school, and connect them to mental-health services and basic needs (Wisconsin "
        "Family Ties). The school year: Wis. Stat. 115.001(13)."
    ),
    "children_served": _(
        "PSP Case Management specification, section “Capabilities”, 3. Outcomes: “per child, "
        "one or more removal episodes (removal date, placement history within the episode, "
        "discharge date and reason / permanency type); a re-removal is a new episode”."
    ),
    "returned_home": _(
        "PSP Case Management specification, section “Capabilities”, 3. Outcomes (“returned "
        "home at discharge”) and 5. Reporting (“reunifications”). The state's program "
        "description names “sooner reunification” among the impacts Iowa reported (DCF, "
        "“Parents Supporting Parents: A Wisconsin Parent Partner Model”)."
    ),
    "permanency_by_type": _(
        "PSP Case Management specification, section “Capabilities”, 3. Outcomes: “discharge "
        "date and reason / permanency type”. Parent Partners “Assist in the goal of "
        "reunification or appropriate permanency goal” (DCF, “Parents Supporting Parents: A "
        "Wisconsin Parent Partner Model”, section “Parent Partners”)."
    ),
    "days_in_out_of_home_care": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “median "
        "days in out-of-home care”. The state's program description names “Reduction in time "
        "in out-of-home care (OHC)” among the impacts Iowa reported (DCF, “Parents Supporting "
        "Parents: A Wisconsin Parent Partner Model”)."
    ),
    "reremovals": _(
        "PSP Case Management specification, section “Capabilities”, 3. Outcomes: “re-removal "
        "within 12 and 24 months of going home”. The state's program description names “less "
        "likely to reenter system” among the impacts Iowa reported (DCF, “Parents Supporting "
        "Parents: A Wisconsin Parent Partner Model”)."
    ),
    "cfsr_permanency_12_months": _(
        "The CFSR Round 4 documents named under “Sources of the CFSR definitions”, as the PSP "
        "Case Management specification asks (section “Capabilities”, 3. Outcomes: “Where a "
        "federal definition exists, use it”); for the order of the two exclusions, the "
        "California Child Welfare Indicators Project's methodology “CFSR4-P1” quoted above."
    ),
    "cfsr_reentry_12_months": _(
        "The CFSR Round 4 documents named under “Sources of the CFSR definitions”, as the PSP "
        "Case Management specification asks (section “Capabilities”, 3. Outcomes: “re-entry to "
        "care within 12 months of discharge”, “with their exclusions (under 8 days in care, "
        "age 18+)”)."
    ),
    "cfsr_sources": _(
        "PSP Case Management specification, section “Capabilities”, 3. Outcomes: “Where a "
        "federal definition exists, use it: the CFSR Round 4 statewide data indicators”."
    ),
    "survey_change": _(
        "PSP Case Management specification, section “Capabilities”, 3. Outcomes (“a short "
        "survey at intake and at closure … the default measures hope and feeling supported, as "
        "the Iowa model reported”) and 5. Reporting (“survey change”). The state's program "
        "description: parents served in Iowa “reported increased hope and belief in "
        "themselves” and “felt supported” (DCF, “Parents Supporting Parents: A Wisconsin "
        "Parent Partner Model”)."
    ),
    "parent_partners_active": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “workforce "
        "(Parent Partners active, …)”, with the stages of 2. Mentoring."
    ),
    "training_hours": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting (“training "
        "hours”). Parent Partners “receive a lot of training, support, supervision and ongoing "
        "opportunities for professional development” (DCF, “Parents Supporting Parents: A "
        "Wisconsin Parent Partner Model”, section “Parent Partners”)."
    ),
    "supervision_sessions": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting (“supervision "
        "and clinical sessions held”). The Parent Partner Coordinator “will manage and "
        "supervise the Parent Partner(s)” (DCF, “Parents Supporting Parents: A Wisconsin Parent "
        "Partner Model”, section “Local Parents Support Parents (PSP) Programs”)."
    ),
    "clinical_sessions": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting (“supervision "
        "and clinical sessions held”). The Program Coordinator will “arrange monthly clinical "
        "support for Parent Partner(s)”, and Clinical Support “will facilitate monthly support "
        "for the local team” (DCF, “Parents Supporting Parents: A Wisconsin Parent Partner "
        "Model”, section “Local Parents Support Parents (PSP) Programs”)."
    ),
    "council_meetings": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “councils "
        "(meetings, …)”. “Each Innovation Zone will develop an advisory council … and "
        "participate in a state advisory council”, whose meetings the Program Coordinator leads "
        "(DCF, “Parents Supporting Parents: A Wisconsin Parent Partner Model”, section “Local "
        "Parents Support Parents (PSP) Programs”)."
    ),
    "council_lived_experience_share": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: "
        "“lived-experience share”. “Parent participation is a vital component to both the "
        "local and state advisory councils” (DCF, “Parents Supporting Parents: A Wisconsin "
        "Parent Partner Model”); “Engaging people with lived experience leads to new and "
        "different insights” (DCF, “Parents Supporting Parents: Wisconsin's Parent Partner "
        "Model in Child Welfare”, “Guiding Principles”)."
    ),
    "stipends": _(
        "PSP Case Management specification, section “Capabilities”, 4. Councils and outreach "
        "(“stipends paid to parent members”) and 5. Reporting (“stipends”). The contributions "
        "of parents with lived experience “deserve compensation” (DCF, “Parents Supporting "
        "Parents: Wisconsin's Parent Partner Model in Child Welfare”, “Guiding Principles”)."
    ),
    "recommendations": _(
        "PSP Case Management specification, section “Capabilities”, 4. Councils and outreach: "
        "“recommendations and their follow-up to adoption”, and 5. Reporting "
        "(“recommendations”)."
    ),
    "outreach": _(
        "PSP Case Management specification, section “Capabilities”, 4. Councils and outreach: "
        "“outreach and education events (audience, attendance, referrals generated)”. The "
        "Program Coordinator and the Parent Partner Coordinator “complete outreach and "
        "education in the community regarding PSP” (DCF, “Parents Supporting Parents: A "
        "Wisconsin Parent Partner Model”, section “Local Parents Support Parents (PSP) "
        "Programs”)."
    ),
    "families_by_race_ethnicity": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “Family "
        "counts are broken down by race/ethnicity, with small counts … suppressed in anything "
        "state staff see”; which counts are small (here 1 to %(largest_hidden)s) is a setting "
        "of this installation. None of the source documents sets a small-cell rule. "
        "Why the breakdown: “Those most impacted by racial disparities in child welfare must "
        "be engaged as leaders in systems improvement” (DCF, “Parents Supporting Parents: "
        "Wisconsin's Parent Partner Model in Child Welfare”, “Guiding Principles”)."
    ),
    "families_by_program_and_race_ethnicity": _(
        "PSP Case Management specification, section “Capabilities”, 5. Reporting: “a "
        "quarterly state report per program and statewide”, with its family counts “broken "
        "down by race/ethnicity”."
    ),
}


def small_count_threshold() -> int:
    """The smallest count shown as it is to state staff (the setting
    ``PSP_SMALL_COUNT_THRESHOLD``, as ``suppress`` reads it)."""
    return int(getattr(settings, "PSP_SMALL_COUNT_THRESHOLD", 5))


def small_denominator() -> int:
    """Percents of fewer than this many are too few to compare (``PSP_SMALL_DENOMINATOR``)."""
    return int(getattr(settings, "PSP_SMALL_DENOMINATOR", 10))


def too_few_to_compare(denominator: int) -> bool:
    """Whether a percent of ``denominator`` is too small to compare (a percent of nothing is
    not shown at all)."""
    return 0 < denominator < small_denominator()


def definition_values() -> dict[str, Any]:
    """The settings the definitions name, so that every sentence says what is applied."""
    threshold = small_count_threshold()
    return {
        "threshold": threshold,
        "largest_hidden": threshold - 1,
        "small_denominator": small_denominator(),
        "time_zone": settings.TIME_ZONE,
    }


def _filled(texts: dict[str, Any]) -> dict[str, str]:
    values = definition_values()
    return {
        key: str(text) % values if "%(" in str(text) else str(text) for key, text in texts.items()
    }


def definitions() -> dict[str, str]:
    """``DEFINITIONS`` in the active language, with the settings in force filled in."""
    return _filled(DEFINITIONS)


def definition_sources() -> dict[str, str]:
    """``DEFINITION_SOURCES`` in the active language, in ``DEFINITIONS``' order (a definition
    without a source is a ``KeyError``: every definition says where it comes from)."""
    sources = _filled(DEFINITION_SOURCES)
    return {key: sources[key] for key in DEFINITIONS}


# --- Helpers -------------------------------------------------------------------------------


def _scoped(queryset: QuerySet[Any], program: Program | None, path: str = "program") -> Any:
    """``queryset`` limited to ``program`` through the field ``path``; statewide: unchanged."""
    if program is None:
        return queryset
    return queryset.filter(**{path: program})


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone()
    )


def _on_days(field: str, start: datetime.date, end: datetime.date) -> Q:
    """Timestamps in ``field`` falling on the calendar days ``start`` to ``end`` inclusive."""
    return Q(**{f"{field}__gte": _midnight(start), f"{field}__lt": _midnight(end + _ONE_DAY)})


def _between(field: str, start: datetime.date, end: datetime.date) -> Q:
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


_ONE_DAY = datetime.timedelta(days=1)


def _hours(minutes: int | None) -> Decimal:
    return round_half_up(Fraction(minutes or 0, 60), ONE_PLACE)


def _round(value: Any, places: int) -> Decimal | None:
    if value is None:
        return None
    return round_half_up(value, places)


def _median(values: Iterable[int]) -> Decimal | None:
    numbers = list(values)
    if not numbers:
        return None
    return _round(statistics.median(numbers), ONE_PLACE)


def _percent(numerator: int, denominator: int) -> Decimal | None:
    return percent(numerator, denominator, ONE_PLACE)


@dataclass(frozen=True)
class CountByCode:
    """One row of a breakdown: the stored code, its label in the active language, a count."""

    code: str
    label: str
    count: int


# --- 1. Referrals --------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralMetrics:
    received: int
    accepted: int
    declined: int
    declined_by_reason: list[CountByCode]
    withdrawn: int
    median_days_to_first_contact: Decimal | None
    first_contacts: int  # how many referrals the median is taken over


def referral_metrics(*, program: Program | None, quarter: Quarter) -> ReferralMetrics:
    """Referrals received in the quarter and triage decisions made in it (4 queries).

    Each decision counts once per referral. A referral is declined (or withdrawn) in a
    quarter when that is where it stood at the quarter's end, by a step taken in the quarter:
    its last triage step on or before the quarter's last day. So a referral declined,
    reopened and declined again in a quarter is one decline, under the reason of the last
    decline; one declined and reopened in the same quarter is no decline; one declined in a
    quarter and reopened later stays a decline of that quarter (the report does not change
    afterwards), and is a decline of a later quarter too only if it is declined again then.
    The reason is the one recorded on that step, or the referral's own when the step has none
    (steps recorded before reasons were kept on them).
    """
    received = _received(program, quarter).count()

    steps = _scoped(Transition.objects.all(), program, "referral__program").filter(
        _on_days("at", quarter.start, quarter.end)
    )
    accepted = steps.aggregate(
        total=Count("referral", distinct=True, filter=Q(to_status=Status.ACCEPTED))
    )["total"]
    last_step = Transition.objects.filter(
        referral=OuterRef("pk"), at__lt=_midnight(quarter.end + _ONE_DAY)
    ).order_by("-at", "-id")
    closing = (
        _scoped(Referral.objects.all(), program)
        .filter(pk__in=steps.filter(to_status__in=CLOSING_STATUSES).values("referral"))
        .annotate(
            last_status=Subquery(last_step.values("to_status")[:1]),
            last_reason=Subquery(last_step.values("reason")[:1]),
        )
        .filter(last_status__in=CLOSING_STATUSES)
        .annotate(
            reason_code=Conditional(
                When(Q(last_status=Status.DECLINED, last_reason=""), then=F("decline_reason")),
                When(last_status=Status.DECLINED, then=F("last_reason")),
                default=Value(""),
                output_field=CharField(),
            )
        )
        .values("last_status", "reason_code")
        .annotate(total=Count("id"))
        .order_by()
    )
    closing_counts = [(row["last_status"], row["reason_code"], row["total"]) for row in closing]
    declined_counts = {
        reason: total for status, reason, total in closing_counts if status == Status.DECLINED
    }
    labels = dict(DeclineReason.choices)
    declined_by_reason = [
        CountByCode(code=code or "", label=str(labels.get(code, _("Not recorded"))), count=total)
        for code, total in sorted(
            declined_counts.items(), key=lambda item: _choice_order(DeclineReason, item[0])
        )
    ]

    # A contact after the quarter's last day has not happened yet for this quarter's report.
    first_contacts = list(
        _received(program, quarter)
        .annotate(
            first_contact=Min(
                "case__activities__occurred_on",
                filter=Q(case__activities__occurred_on__lte=quarter.end),
            )
        )
        .filter(first_contact__isnull=False)
        .values_list("received_on", "first_contact")
    )
    days = [(contact - received).days for received, contact in first_contacts]
    return ReferralMetrics(
        received=received,
        accepted=accepted,
        declined=sum(declined_counts.values()),
        declined_by_reason=declined_by_reason,
        withdrawn=sum(
            total for status, _reason, total in closing_counts if status == Status.WITHDRAWN
        ),
        median_days_to_first_contact=_median(days),
        first_contacts=len(days),
    )


def _received(program: Program | None, quarter: Quarter) -> QuerySet[Referral]:
    referrals = _scoped(Referral.objects.all(), program)
    return referrals.filter(_between("received_on", quarter.start, quarter.end))


def _choice_order(choices: Any, code: str | None) -> int:
    values = list(choices.values)
    return values.index(code) if code in values else len(values)


# --- 2. Families served --------------------------------------------------------------------


@dataclass(frozen=True)
class FamilyMetrics:
    served: int
    new: int
    closed: int
    average_per_month: Decimal
    per_month: list[tuple[datetime.date, int]]


def _contacts(program: Program | None, start: datetime.date, end: datetime.date) -> Any:
    return _scoped(Activity.objects.all(), program).filter(_between("occurred_on", start, end))


def family_metrics(*, program: Program | None, quarter: Quarter) -> FamilyMetrics:
    """Unique families with a contact in the quarter and in each month; families whose case
    opened or closed in the quarter (2 queries)."""
    months = quarter.months()
    served = _contacts(program, quarter.start, quarter.end).aggregate(
        quarter=Count("case__family", distinct=True),
        **{
            f"month_{index}": Count(
                "case__family", distinct=True, filter=_between("occurred_on", start, end)
            )
            for index, (start, end) in enumerate(months)
        },
    )
    cases = _scoped(Case.objects.all(), program).aggregate(
        new=Count(
            "family", distinct=True, filter=_between("opened_on", quarter.start, quarter.end)
        ),
        closed=Count(
            "family", distinct=True, filter=_between("closed_on", quarter.start, quarter.end)
        ),
    )
    per_month = [(start, served[f"month_{index}"]) for index, (start, _end) in enumerate(months)]
    average = Fraction(sum(count for _start, count in per_month), len(per_month))
    return FamilyMetrics(
        served=served["quarter"],
        new=cases["new"],
        closed=cases["closed"],
        average_per_month=round_half_up(average, ONE_PLACE),
        per_month=per_month,
    )


# --- 3. Contacts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactTypeRow:
    code: str
    label: str
    count: int
    hours: Decimal


@dataclass(frozen=True)
class ContactMetrics:
    by_type: list[ContactTypeRow]  # every kind of contact, in the form's order, zeros included
    total: int
    hours: Decimal
    court_hearings: int
    team_meetings: int
    mileage: Decimal


def contact_metrics(*, program: Program | None, quarter: Quarter) -> ContactMetrics:
    """Contacts and hours by kind, court hearings, team meetings and miles (1 query)."""
    rows = {
        row["activity_type"]: row
        for row in _contacts(program, quarter.start, quarter.end)
        .values("activity_type")
        .annotate(count=Count("id"), minutes=Sum("duration_minutes"), miles=DecimalSum("mileage"))
        .order_by()
    }
    minutes = [(rows[code]["minutes"] or 0) if code in rows else 0 for code in ActivityType.values]
    # The rows add up to the total shown (rounding each on its own may not).
    hours = apportion([Fraction(value, 60) for value in minutes], ONE_PLACE)
    by_type = [
        ContactTypeRow(
            code=code,
            label=str(label),
            count=rows[code]["count"] if code in rows else 0,
            hours=hours[index],
        )
        for index, (code, label) in enumerate(ActivityType.choices)
    ]
    total_minutes = sum(minutes)
    mileage = sum((Decimal(str(row["miles"] or 0)) for row in rows.values()), Decimal(0))
    return ContactMetrics(
        by_type=by_type,
        total=sum(row["count"] for row in rows.values()),
        hours=_hours(total_minutes),
        court_hearings=rows.get(ActivityType.COURT_HEARING, {}).get("count", 0),
        team_meetings=sum(rows.get(code, {}).get("count", 0) for code in TEAM_MEETING_TYPES),
        mileage=round_half_up(mileage, ONE_PLACE),
    )


# --- 4. Outcomes for children --------------------------------------------------------------


@dataclass(frozen=True)
class Indicator:
    numerator: int
    denominator: int
    percent: Decimal | None  # one decimal place; None when the denominator is 0


@dataclass(frozen=True)
class TargetPeriod:
    """The 12 months whose entries into care a CFSR indicator follows (both days included)."""

    start: datetime.date
    end: datetime.date


@dataclass(frozen=True)
class OutcomeMetrics:
    children: int  # children of the families with a case open in the quarter
    returned_home: int
    permanency_by_type: list[CountByCode]  # children leaving care in the quarter, by reason
    median_days_in_out_of_home_care: Decimal | None
    reremovals_within_12_months: int
    reremovals_within_24_months: int
    permanency_in_12_months: Indicator
    reentry_in_12_months: Indicator
    permanency_period: TargetPeriod  # the entries the permanency indicator follows
    reentry_period: TargetPeriod  # the entries the re-entry indicator follows


def children_served(*, program: Program | None, quarter: Quarter) -> QuerySet[Child]:
    """The children of families whose case was open on at least one day of the quarter."""
    return _children_of_cases_open(program, quarter.start, quarter.end)


def _children_of_cases_open(
    program: Program | None, start: datetime.date, end: datetime.date
) -> QuerySet[Child]:
    """The children of families whose case was open on at least one day from ``start`` to
    ``end``."""
    open_cases = _scoped(Case.objects.all(), program).filter(
        Q(opened_on__lte=end), Q(closed_on__isnull=True) | Q(closed_on__gte=start)
    )
    return Child.objects.filter(family__in=open_cases.values("family"))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by whole calendar months; the 31st (or 29 February) becomes the last day
    of a shorter month: 31 January + 1 month is 28 (or 29) February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    first_of_next = datetime.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    last_day = (first_of_next - _ONE_DAY).day
    return datetime.date(year, month + 1, min(day.day, last_day))


def permanency_target_period(quarter: Quarter) -> TargetPeriod:
    """The most recent 12 months whose entrants have all had their 12 months in care by the
    quarter's last day: the 12 months ending one year before it."""
    start, end = Quarter(quarter.year - 1, quarter.number).twelve_months_ending()
    return TargetPeriod(start, end)


def reentry_target_period(quarter: Quarter) -> TargetPeriod:
    """The most recent 12 months whose entrants have all had 12 months to leave care and 12
    more to re-enter by the quarter's last day: the 12 months ending two years before it."""
    start, end = Quarter(quarter.year - 2, quarter.number).twelve_months_ending()
    return TargetPeriod(start, end)


def _date_parts(queryset: QuerySet[Any], name: str, date: Any) -> QuerySet[Any]:
    """``queryset`` annotated with the calendar parts of ``date`` (a field or expression)
    that the month arithmetic below compares, as ``<name>_ym`` (months since year 0),
    ``<name>_day``, ``<name>_md`` (month * 100 + day) and ``<name>_length`` (days in its
    month). Whole numbers only, so PostgreSQL and SQLite agree."""
    year, month, day = ExtractYear(date), ExtractMonth(date), ExtractDay(date)
    queryset = queryset.annotate(
        **{
            f"{name}_year": year,
            f"{name}_month": month,
            f"{name}_day": day,
            f"{name}_ym": year * 12 + month,
            f"{name}_md": month * 100 + day,
            f"{name}_y4": Mod(year, 4),
            f"{name}_y100": Mod(year, 100),
            f"{name}_y400": Mod(year, 400),
        }
    )
    leap = Q(**{f"{name}_y4": 0}) & (~Q(**{f"{name}_y100": 0}) | Q(**{f"{name}_y400": 0}))
    return queryset.annotate(
        **{
            f"{name}_length": Conditional(
                When(Q(**{f"{name}_month__in": [4, 6, 9, 11]}), then=Value(30)),
                When(Q(**{f"{name}_month": 2}) & leap, then=Value(29)),
                When(Q(**{f"{name}_month": 2}), then=Value(28)),
                default=Value(31),
                output_field=IntegerField(),
            )
        }
    )


def _within_months(later: str, earlier: str, months: int) -> Q:
    """``later`` is before ``earlier`` + ``months`` calendar months (see ``add_months``):
    what the CFSR means by "within 12 months". Both are ``_date_parts`` names.

    Before the target month, always; in it, only before the target day, which is
    ``earlier``'s day of the month or, in a shorter month, the month's last day.
    """
    target = F(f"{earlier}_ym") + months
    return Q(**{f"{later}_ym__lt": target}) | (
        Q(**{f"{later}_ym": target, f"{later}_day__lt": F(f"{earlier}_day")})
        & Q(**{f"{later}_day__lt": F(f"{later}_length")})
    )


def _age(on: str) -> Any:
    """Whole years of age on the ``_date_parts`` date ``on`` (None without a birth date): the
    birthday counts from its day, as ``referrals.models.age_on``."""
    birthday_not_reached = Conditional(
        When(Q(**{f"{on}_md__lt": F("birth_md")}), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return F(f"{on}_year") - F("birth_year") - birthday_not_reached


def _episodes_with_dates(children: QuerySet[Child], end: datetime.date) -> QuerySet[Any]:
    """The removal episodes of ``children`` that began by ``end``, as they stood on ``end``
    (a discharge after it has not happened yet), with what the outcome measures compare:
    the calendar parts of the removal, the discharge, the next removal and the previous
    discharge, the ages at entry and at discharge, and the days in care."""
    episodes = RemovalEpisode.objects.filter(child__in=children, removed_on__lte=end)
    siblings = RemovalEpisode.objects.filter(child=OuterRef("child"), removed_on__lte=end)
    discharged_on = Conditional(
        When(discharged_on__lte=end, then=F("discharged_on")),
        default=None,
        output_field=DateField(),
    )
    episodes = episodes.annotate(
        discharged=discharged_on,
        discharge_reason_then=Conditional(
            When(discharged_on__lte=end, then=F("discharge_reason")),
            default=Value(""),
            output_field=CharField(),
        ),
        next_removed_on=Subquery(
            siblings.filter(removed_on__gt=OuterRef("removed_on"))
            .order_by("removed_on")
            .values("removed_on")[:1],
            output_field=DateField(),
        ),
        previous_discharged_on=Subquery(
            siblings.filter(removed_on__lt=OuterRef("removed_on"), discharged_on__lte=end)
            .order_by("-removed_on")
            .values("discharged_on")[:1],
            output_field=DateField(),
        ),
        stay_length=ExpressionWrapper(F("discharged") - F("removed_on"), DurationField()),
    )
    for name, date in [
        ("birth", F("child__birth_date")),
        ("entry", F("removed_on")),
        ("exit", F("discharged")),
        ("next", F("next_removed_on")),
        ("previous", F("previous_discharged_on")),
    ]:
        episodes = _date_parts(episodes, name, date)
    return episodes.annotate(entry_age=_age("entry"), exit_age=_age("exit"))


def _with_first_entries(episodes: QuerySet[Any], **periods: TargetPeriod) -> QuerySet[Any]:
    """``episodes`` annotated, for each named period, with whether the child was removed
    earlier in that period (``<name>_earlier``): only the child's first removal in a period
    counts."""
    return episodes.annotate(
        **{
            f"{name}_earlier": Exists(
                RemovalEpisode.objects.filter(
                    child=OuterRef("child"),
                    removed_on__gte=period.start,
                    removed_on__lt=OuterRef("removed_on"),
                )
            )
            for name, period in periods.items()
        }
    )


def _first_entry_in(name: str, period: TargetPeriod) -> Q:
    """The child's first removal in ``period`` (a child removed twice in it counts once, by
    the first time), kept by the CFSR's exclusions: in care 8 days or more, and under 18 on
    entering (a child without a date of birth is kept). ``name`` as in
    ``_with_first_entries``."""
    # The first removal is chosen before the exclusions apply, so a child whose first removal
    # in the period lasted under 8 days is left out, not counted by a later removal in it.
    # The CFSR documents state both rules but not their order; where they do not say, we
    # follow the California Child Welfare Indicators Project's restatement of CFSR4-P1, "this
    # measure only evaluates the first episode within the period" (quoted in
    # ``DEFINITIONS``). Both indicators select their cohort here.
    return (
        _between("removed_on", period.start, period.end)
        & Q(**{f"{name}_earlier": False})
        & (Q(discharged__isnull=True) | Q(stay_length__gte=SHORT_STAY))
        & (Q(child__birth_date__isnull=True) | Q(entry_age__lt=ADULT_AGE))
    )


def _left_before_18() -> Q:
    return Q(child__birth_date__isnull=True) | Q(exit_age__lt=ADULT_AGE)


def outcome_metrics(*, program: Program | None, quarter: Quarter) -> OutcomeMetrics:
    """Discharges, days in care, re-removals and the two CFSR Round 4 indicators, from the
    children's removal episodes (3 queries).

    Dates after the quarter's last day are treated as not yet happened. The CFSR indicators
    follow the children of families the program served from the target period's first day
    to the quarter's last day (see ``DEFINITIONS``).
    """
    permanency_period = permanency_target_period(quarter)
    reentry_period = reentry_target_period(quarter)
    served = children_served(program=program, quarter=quarter)
    served_for_permanency = _children_of_cases_open(program, permanency_period.start, quarter.end)
    served_for_reentry = _children_of_cases_open(program, reentry_period.start, quarter.end)
    # Every child the three populations hold: the re-entry one reaches back furthest.
    episodes = _with_first_entries(
        _episodes_with_dates(served_for_reentry, quarter.end),
        permanency=permanency_period,
        reentry=reentry_period,
    )

    in_served = Q(child__in=served)
    left_in_quarter = in_served & _between("discharged", quarter.start, quarter.end)
    removed_again_in_quarter = (
        in_served
        & _between("removed_on", quarter.start, quarter.end)
        & Q(previous_discharged_on__isnull=False)
    )
    permanency_cohort = Q(child__in=served_for_permanency) & _first_entry_in(
        "permanency", permanency_period
    )
    left_within_12_months = Q(discharged__isnull=False) & _within_months("exit", "entry", 12)
    reentry_cohort = (
        _first_entry_in("reentry", reentry_period)
        & left_within_12_months
        & Q(discharge_reason_then__in=REENTRY_EXITS)
        & _left_before_18()
    )

    totals = episodes.aggregate(
        returned_home=Count(
            "child",
            distinct=True,
            filter=left_in_quarter & Q(discharge_reason_then=DischargeReason.REUNIFICATION),
        ),
        **{
            f"left_{code}": Count(
                "child", distinct=True, filter=left_in_quarter & Q(discharge_reason_then=code)
            )
            for code in DischargeReason.values
        },
        reremovals_12=Count(
            "id", filter=removed_again_in_quarter & _within_months("entry", "previous", 12)
        ),
        reremovals_24=Count(
            "id", filter=removed_again_in_quarter & _within_months("entry", "previous", 24)
        ),
        entered=Count("id", filter=permanency_cohort),
        permanent_in_12=Count(
            "id",
            filter=permanency_cohort
            & left_within_12_months
            & Q(discharge_reason_then__in=PERMANENT_EXITS)
            & _left_before_18(),
        ),
        reentry_cohort=Count("id", filter=reentry_cohort),
        reentered_in_12=Count(
            "id",
            filter=reentry_cohort
            & Q(next_removed_on__isnull=False)
            & _within_months("next", "exit", 12),
        ),
    )
    permanency_by_type = [
        CountByCode(code=code, label=str(label), count=totals[f"left_{code}"])
        for code, label in DischargeReason.choices
    ]
    stays = (
        RemovalEpisode.objects.filter(child__in=served)
        .filter(_between("discharged_on", quarter.start, quarter.end))
        .values_list("removed_on", "discharged_on")
    )
    return OutcomeMetrics(
        children=served.count(),
        returned_home=totals["returned_home"],
        permanency_by_type=permanency_by_type,
        median_days_in_out_of_home_care=_median(
            (discharged - removed).days
            for removed, discharged in stays
            if discharged is not None  # always (filtered): narrows the type
        ),
        reremovals_within_12_months=totals["reremovals_12"],
        reremovals_within_24_months=totals["reremovals_24"],
        permanency_in_12_months=Indicator(
            numerator=totals["permanent_in_12"],
            denominator=totals["entered"],
            percent=_percent(totals["permanent_in_12"], totals["entered"]),
        ),
        reentry_in_12_months=Indicator(
            numerator=totals["reentered_in_12"],
            denominator=totals["reentry_cohort"],
            percent=_percent(totals["reentered_in_12"], totals["reentry_cohort"]),
        ),
        permanency_period=permanency_period,
        reentry_period=reentry_period,
    )


def returned_home(*, program: Program | None, quarter: Quarter) -> QuerySet[RemovalEpisode]:
    """The episodes of the children served in the quarter that ended in the quarter with the
    child going home to their parents (``outcome_metrics().returned_home`` counts their
    children)."""
    return RemovalEpisode.objects.filter(
        child__in=children_served(program=program, quarter=quarter),
        discharge_reason=DischargeReason.REUNIFICATION,
    ).filter(_between("discharged_on", quarter.start, quarter.end))


# --- 5. Parent survey ----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyMetrics:
    cases: int
    mean_intake: Decimal | None
    mean_closure: Decimal | None
    mean_change: Decimal | None


def survey_metrics(*, program: Program | None, quarter: Quarter) -> SurveyMetrics:
    """Change from the intake to the closure survey, for closure surveys answered in the
    quarter whose case also has an intake survey answered by the quarter's last day
    (1 query)."""
    intake_score = SurveyResponse.objects.filter(
        case=OuterRef("case"), timing=SurveyTiming.INTAKE, answered_on__lte=quarter.end
    ).values("score")[:1]
    totals = (
        _scoped(SurveyResponse.objects.all(), program, "case__program")
        .filter(timing=SurveyTiming.CLOSURE)
        .filter(_between("answered_on", quarter.start, quarter.end))
        .annotate(intake_score=Subquery(intake_score))
        .filter(intake_score__isnull=False)
        .aggregate(cases=Count("id"), intake=Avg("intake_score"), closure=Avg("score"))
    )
    if not totals["cases"]:
        return SurveyMetrics(cases=0, mean_intake=None, mean_closure=None, mean_change=None)
    intake = Decimal(str(totals["intake"]))
    closure = Decimal(str(totals["closure"]))
    return SurveyMetrics(
        cases=totals["cases"],
        mean_intake=_round(intake, TWO_PLACES),
        mean_closure=_round(closure, TWO_PLACES),
        # The mean of the paired differences equals the difference of the means.
        mean_change=_round(closure - intake, TWO_PLACES),
    )


# --- 6. Workforce --------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkforceMetrics:
    parent_partners_active: int
    training_hours: Decimal
    supervision_sessions: int
    clinical_sessions: int
    clinical_session_months: list[tuple[datetime.date, bool]]


def workforce_metrics(*, program: Program | None, quarter: Quarter) -> WorkforceMetrics:
    """Parent Partners active at the quarter's end, their training, supervision and clinical
    support (4 queries).

    The stage on the quarter's last day is ``stage_at_end``'s.
    """
    active = (
        _scoped(ParentPartner.objects.all(), program)
        .annotate(stage_at_end=stage_at_end(quarter.end))
        .filter(stage_at_end=Stage.ACTIVE)
        .count()
    )
    training = (
        _scoped(TrainingRecord.objects.all(), program, "parent_partner__program")
        .filter(_between("completed_on", quarter.start, quarter.end))
        .aggregate(hours=DecimalSum("hours"))
    )
    supervision = (
        _scoped(SupervisionSession.objects.all(), program)
        .filter(_between("held_on", quarter.start, quarter.end))
        .count()
    )
    months = quarter.months()
    clinical = (
        _scoped(ClinicalSupportSession.objects.all(), program)
        .filter(_between("held_on", quarter.start, quarter.end))
        .aggregate(
            total=Count("id"),
            **{
                f"month_{index}": Count("id", filter=_between("held_on", start, end))
                for index, (start, end) in enumerate(months)
            },
        )
    )
    return WorkforceMetrics(
        parent_partners_active=active,
        training_hours=_round(training["hours"] or 0, TWO_PLACES) or Decimal("0.00"),
        supervision_sessions=supervision,
        clinical_sessions=clinical["total"],
        clinical_session_months=[
            (start, clinical[f"month_{index}"] > 0) for index, (start, _end) in enumerate(months)
        ],
    )


def stage_at_end(day: datetime.date) -> Any:
    """A Parent Partner's stage at the end of ``day``, as an expression: the ``to_stage`` of
    the last recorded stage change on or before that day; with none, the ``from_stage`` of the
    first change after it; with no stage history at all, the current stage if they were
    entered by that day (and none if they were entered later: they were not there yet)."""
    after_end = _midnight(day + _ONE_DAY)
    changes = StageChange.objects.filter(parent_partner=OuterRef("pk"))
    return Coalesce(
        Subquery(changes.filter(at__lt=after_end).order_by("-at", "-id").values("to_stage")[:1]),
        Subquery(changes.filter(at__gte=after_end).order_by("at", "id").values("from_stage")[:1]),
        Conditional(When(created_at__lt=after_end, then=F("stage")), default=Value(None)),
        output_field=CharField(),
    )


# --- 7. Councils ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CouncilMetrics:
    meetings: int
    present: int
    lived_experience_present: int
    lived_experience_percent: int | None
    stipends: int
    stipend_total: Decimal
    recommendations_made: int
    recommendations_adopted: int


def _councils(program: Program | None) -> QuerySet[Council]:
    if program is None:
        return Council.objects.all()
    return Council.objects.filter(kind=CouncilKind.LOCAL, program=program)


def council_metrics(*, program: Program | None, quarter: Quarter) -> CouncilMetrics:
    """Council meetings, who came, stipends and recommendations (5 queries).

    The lived-experience share uses the councils app's definition (``PRESENT``,
    ``PRESENT_WITH_LIVED_EXPERIENCE`` and ``Share``) over all the councils in scope at once.
    """
    councils = _councils(program)
    held = _between("held_on", quarter.start, quarter.end)
    meetings = Meeting.objects.filter(held, council__in=councils).count()
    attendance = Attendance.objects.filter(meeting__council__in=councils).filter(
        _between("meeting__held_on", quarter.start, quarter.end)
    )
    totals = attendance.aggregate(
        present=Count("id", filter=PRESENT),
        lived_experience=Count("id", filter=PRESENT_WITH_LIVED_EXPERIENCE),
    )
    share = Share(present=totals["present"], lived_experience=totals["lived_experience"])
    # Paid in the quarter, whenever the contribution: a stipend still to pay is not counted,
    # and one paid after the quarter belongs to the quarter it is paid in.
    stipends = Stipend.objects.filter(
        _between("paid_on", quarter.start, quarter.end),
        status=StipendStatus.PAID,
        member__council__in=councils,
    ).aggregate(count=Count("id"), total=DecimalSum("amount"))
    made = Recommendation.objects.filter(
        _between("proposed_on", quarter.start, quarter.end), council__in=councils
    ).count()
    adopted = RecommendationStatusChange.objects.filter(
        _on_days("at", quarter.start, quarter.end),
        to_status=RecommendationStatus.ADOPTED,
        recommendation__council__in=councils,
    ).aggregate(total=Count("recommendation", distinct=True))
    return CouncilMetrics(
        meetings=meetings,
        present=share.present,
        lived_experience_present=share.lived_experience,
        lived_experience_percent=share.percent,
        stipends=stipends["count"],
        stipend_total=_round(stipends["total"] or 0, TWO_PLACES) or Decimal("0.00"),
        recommendations_made=made,
        recommendations_adopted=adopted["total"],
    )


# --- 8. Outreach ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OutreachMetrics:
    events: int
    reach: int
    referrals: int


def outreach_metrics(*, program: Program | None, quarter: Quarter) -> OutreachMetrics:
    """Outreach events held in the quarter, the people reached and the referrals naming one
    of those events as their source received by the quarter's last day (2 queries)."""
    events = _scoped(OutreachEvent.objects.all(), program).filter(
        _between("held_on", quarter.start, quarter.end)
    )
    totals = events.aggregate(events=Count("id"), reach=Sum("attendance"))
    referrals = Referral.objects.filter(
        source__event__in=events, received_on__lte=quarter.end
    ).count()
    return OutreachMetrics(events=totals["events"], reach=totals["reach"] or 0, referrals=referrals)


# --- 9. Families by race or ethnicity ------------------------------------------------------


def race_ethnicity_columns() -> list[tuple[str, str]]:
    """``RACE_ETHNICITY_COLUMNS`` with their labels in the active language, in order."""
    labels = {**dict(RaceEthnicity.choices), NOT_RECORDED: _("Not recorded")}
    return [(code, str(labels[code])) for code in RACE_ETHNICITY_COLUMNS]


def _race_column(race: str | None) -> str:
    """The column of a family whose first parent answered ``race`` (blank or None: not
    asked yet, or no parent; ``Family.race_ethnicity``)."""
    return race if race in RaceEthnicity.values else NOT_RECORDED


def families_by_race_ethnicity(*, program: Program | None, quarter: Quarter) -> dict[str, int]:
    """Families served in the quarter (as ``family_metrics().served``) by the race or
    ethnicity of their first parent (lowest id): every column of ``RACE_ETHNICITY_COLUMNS``,
    0 when none (1 query). A first parent with no answer recorded (blank), or no parent on
    record, counts as ``NOT_RECORDED``; the counts add up to the families served."""
    served = _contacts(program, quarter.start, quarter.end).values("case__family")
    rows = (
        Family.objects.filter(pk__in=served)
        .annotate(race=F("race_ethnicity"))
        .values("race")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(RACE_ETHNICITY_COLUMNS, 0)
    for row in rows:
        counts[_race_column(row["race"])] += row["total"]
    return counts


@dataclass(frozen=True)
class RaceEthnicityByProgram:
    """Families served in the quarter by program (rows, by name) and race or ethnicity, the
    statewide counts being the columns' sums, and the cells hidden from state staff in every
    report of the quarter (``reporting.suppression``)."""

    programs: list[tuple[str, str]]  # (slug, name), by name
    table: suppression.Table

    def counts(self, row: str | None) -> dict[str, int]:
        """Every category's count for the program with slug ``row`` (None: statewide)."""
        if row is not None and row not in self.table.program_rows:
            return dict.fromkeys(self.table.columns, 0)  # no family served
        return {column: self.table.counts[(row, column)] for column in self.table.columns}

    @cached_property
    def hidden(self) -> frozenset[suppression.Cell]:
        return suppression.protect(self.table)

    def shown(self, row: str | None, *, suppressed: bool = True) -> dict[str, str]:
        """Row ``row`` (a program's slug, None: statewide) as a report prints it, with
        ``"total"``; with ``suppressed``, the quarter's hidden cells as ``*``."""
        if row is not None and row not in self.table.program_rows:
            return {**dict.fromkeys(self.table.columns, "0"), "total": "0"}
        return suppression.shown_row(self.table, self.hidden if suppressed else (), row)


def families_by_program_and_race_ethnicity(*, quarter: Quarter) -> RaceEthnicityByProgram:
    """``families_by_race_ethnicity`` for every program at once: the programs with a family
    served in the quarter, each family counted in its own program (1 query)."""
    served = _contacts(None, quarter.start, quarter.end).values("case__family")
    rows = (
        Family.objects.filter(pk__in=served)
        .annotate(race=F("race_ethnicity"))
        .values("program__slug", "program__name", "race")
        .annotate(total=Count("id"))
        .order_by()
    )
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for row in rows:
        program = (row["program__slug"], row["program__name"])
        by_race = counts.setdefault(program, dict.fromkeys(RACE_ETHNICITY_COLUMNS, 0))
        by_race[_race_column(row["race"])] += row["total"]
    programs = sorted(counts, key=lambda program: (program[1], program[0]))
    table = suppression.Table.from_rows(
        {slug: counts[(slug, name)] for slug, name in programs}, RACE_ETHNICITY_COLUMNS
    )
    return RaceEthnicityByProgram(programs=programs, table=table)


# --- 10. The whole report ------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    referrals_received: int
    families_served: int
    contacts: int
    hours: Decimal
    reunifications: int


def headline(*, program: Program | None, quarter: Quarter) -> Headline:
    """The numbers compared quarter over quarter, by the same definitions as the full
    metrics, for the previous quarter (3 queries)."""
    contacts = _contacts(program, quarter.start, quarter.end).aggregate(
        families=Count("case__family", distinct=True),
        contacts=Count("id"),
        minutes=Sum("duration_minutes"),
    )
    return Headline(
        referrals_received=_received(program, quarter).count(),
        families_served=contacts["families"],
        contacts=contacts["contacts"],
        hours=_hours(contacts["minutes"]),
        reunifications=returned_home(program=program, quarter=quarter).aggregate(
            children=Count("child", distinct=True)
        )["children"],
    )


# --- School-based Parent Peer Support ---------------------------------------------------


@dataclass(frozen=True)
class SchoolMetrics:
    """A school-based program's own measures (statewide: every school-based program's)."""

    meetings: int  # school meetings (IEP, 504, other, transition planning) logged
    meetings_with_parent: int  # of them, with the parent there: attended with support
    meetings_by_kind: list[CountByCode]  # with the parent there, by kind
    families_at_meetings: int
    services_connected: int  # contacts connecting the family to services
    families_connected: int
    families_planning_a_move: int  # families with a transition-planning contact
    children: int  # children of the families whose case was open in the quarter
    children_by_plan: list[CountByCode]  # IEP, 504, being evaluated, none, not known
    children_moving: int  # of them, in the last grade of their school at the quarter's end


def school_metrics(*, program: Program | None, quarter: Quarter) -> SchoolMetrics | None:
    """The school-based section: None for a child-welfare program's report (3 queries)."""
    if program is not None and not program.is_school_based:
        return None
    schools = (
        Q(program=program)
        if program is not None
        else Q(program__program_type=ProgramType.PARENT_PEER_SUPPORT)
    )
    contacts = list(
        Activity.objects.filter(schools, _between("occurred_on", quarter.start, quarter.end))
        .filter(activity_type__in=[*SCHOOL_MEETINGS, *SERVICES_CONNECTED])
        .values_list("activity_type", "present", "case__family_id")
    )
    # "Who was there" is a JSON list: read here, the same on PostgreSQL and SQLite.
    meetings = [row for row in contacts if row[0] in SCHOOL_MEETINGS]
    attended = [row for row in meetings if Present.PARENT in (row[1] or [])]
    connected = [row for row in contacts if row[0] in SERVICES_CONNECTED]
    by_kind = {kind: sum(1 for row in attended if row[0] == kind) for kind in SCHOOL_MEETINGS}
    cases = Case.objects.filter(schools).filter(
        Q(opened_on__lte=quarter.end), Q(closed_on__isnull=True) | Q(closed_on__gte=quarter.start)
    )
    children = list(
        Child.objects.filter(family__in=cases.values("family")).values_list(
            "education_plan", "grade", "grade_school_year"
        )
    )
    plans = [*EducationPlan.values, ""]
    return SchoolMetrics(
        meetings=len(meetings),
        meetings_with_parent=len(attended),
        meetings_by_kind=[
            CountByCode(code=kind.value, label=str(kind.label), count=by_kind[kind])
            for kind in ActivityType
            if kind in SCHOOL_MEETINGS
        ],
        families_at_meetings=len({row[2] for row in attended}),
        services_connected=len(connected),
        families_connected=len({row[2] for row in connected}),
        families_planning_a_move=len(
            {row[2] for row in meetings if row[0] == ActivityType.TRANSITION_PLANNING}
        ),
        children=len(children),
        children_by_plan=[
            CountByCode(
                code=code,
                label=str(EducationPlan(code).label) if code else str(_("Not known")),
                count=sum(1 for row in children if row[0] == code),
            )
            for code in plans
        ],
        children_moving=sum(
            1
            for _plan, grade, year in children
            if schooling.upcoming_transition(
                schooling.grade_on(grade, year, quarter.end), quarter.end
            )
        ),
    )


def quarter_report(*, program: Program | None, quarter: Quarter) -> dict[str, Any]:
    """Every metric for ``program`` (or statewide) and ``quarter``, with the previous
    quarter's headline numbers and the change from them. A fixed number of queries."""
    referrals = referral_metrics(program=program, quarter=quarter)
    families = family_metrics(program=program, quarter=quarter)
    contacts = contact_metrics(program=program, quarter=quarter)
    outcomes = outcome_metrics(program=program, quarter=quarter)
    current = Headline(
        referrals_received=referrals.received,
        families_served=families.served,
        contacts=contacts.total,
        hours=contacts.hours,
        reunifications=outcomes.returned_home,
    )
    previous = headline(program=program, quarter=quarter.previous())
    # One table for every program: which counts state staff may see depends on them all.
    by_program = families_by_program_and_race_ethnicity(quarter=quarter)
    row = program.slug if program else None
    return {
        "program": program,
        "quarter": quarter,
        "previous_quarter": quarter.previous(),
        "referrals": referrals,
        "families": families,
        "contacts": contacts,
        "outcomes": outcomes,
        "survey": survey_metrics(program=program, quarter=quarter),
        "workforce": workforce_metrics(program=program, quarter=quarter),
        "councils": council_metrics(program=program, quarter=quarter),
        "outreach": outreach_metrics(program=program, quarter=quarter),
        "school_based": bool(program and program.is_school_based),
        "school": school_metrics(program=program, quarter=quarter),
        "families_by_race_ethnicity": by_program.counts(row),
        "families_by_race_ethnicity_suppressed": by_program.shown(row),
        "families_by_program_and_race_ethnicity": by_program if program is None else None,
        "headline": current,
        "previous": previous,
        "change": {
            field: getattr(current, field) - getattr(previous, field)
            for field in Headline.__dataclass_fields__
        },
    }
