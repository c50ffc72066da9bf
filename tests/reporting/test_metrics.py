"""Each quarterly-report metric against the hand-made data set in conftest.py (2026 Q2)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoAssertNumQueries

from psp.models import Program
from referrals.models import Parent, RaceEthnicity, Referral
from reporting import metrics
from reporting.metrics import CountByCode, Indicator
from tests.reporting.conftest import Q1, Q2, Councils, build

pytestmark = pytest.mark.django_db
D = Decimal


# --- 1. Referrals --------------------------------------------------------------------------


def test_referrals_for_one_program(data: Councils, door: Program) -> None:
    result = metrics.referral_metrics(program=door, quarter=Q2)
    # Received 1 Apr (F2), 10 Apr (F4), 30 Jun (F3), 3 Apr x2 (declined), 1 May (withdrawn);
    # F1 (20 Mar) and the referral received 1 Mar are Q1.
    assert result.received == 6
    # F2 and F4; F1's acceptance at 23:59 on 31 March is Q1.
    assert result.accepted == 2
    # No consent: 5 Apr and 2 Apr (received in Q1); unreachable: 30 Jun (from the referral).
    assert result.declined == 3
    assert result.declined_by_reason == [
        CountByCode("no_consent", "Parent did not agree to take part", 2),
        CountByCode("unreachable", "Could not reach the parent", 1),
    ]
    assert result.withdrawn == 1
    # F2: 1 Apr -> 5 Apr = 4 days; F4: 10 Apr -> 20 Apr = 10 days; F3 no contact yet.
    assert result.first_contacts == 2
    assert result.median_days_to_first_contact == D("7.0")


def test_referrals_statewide_add_up(data: Councils, door: Program, rock: Program) -> None:
    statewide = metrics.referral_metrics(program=None, quarter=Q2)
    rock_only = metrics.referral_metrics(program=rock, quarter=Q2)
    assert (rock_only.received, rock_only.accepted, rock_only.declined) == (1, 1, 0)
    assert rock_only.median_days_to_first_contact == D("2.0")  # 1 May -> 3 May
    assert statewide.received == 6 + 1
    assert statewide.accepted == 2 + 1
    assert statewide.declined == 3
    # Days 2, 4 and 10: the median is 4.
    assert statewide.median_days_to_first_contact == D("4.0")


def test_median_days_is_none_without_first_contacts(db: None, door: Program) -> None:
    result = metrics.referral_metrics(program=door, quarter=Q2)
    assert result.received == 0
    assert result.median_days_to_first_contact is None


# --- 2. Families served ---------------------------------------------------------------------


def test_families_counted_once_across_contacts_and_months(data: Councils, door: Program) -> None:
    result = metrics.family_metrics(program=door, quarter=Q2)
    # F1 (3 contacts, April and May), F2 (April and 30 June), F4: three families.
    assert result.served == 3
    # April: F1, F2, F4; May: F1; June: F2 (22:00 on the 30th) -> (3 + 1 + 1) / 3 = 1.67.
    assert result.per_month == [
        (datetime.date(2026, 4, 1), 3),
        (datetime.date(2026, 5, 1), 1),
        (datetime.date(2026, 6, 1), 1),
    ]
    assert result.average_per_month == D("1.7")
    assert result.new == 2  # F2 (2 Apr) and F4 (11 Apr); F1 opened in March
    assert result.closed == 1  # F2 on 30 June


def test_contact_on_the_last_evening_of_a_quarter_counts_there_only(
    data: Councils, door: Program
) -> None:
    q1 = metrics.family_metrics(program=door, quarter=Q1)
    # F1's only Q1 contact is at 23:30 on 31 March (already 1 April in UTC).
    assert q1.served == 1
    assert q1.per_month[2] == (datetime.date(2026, 3, 1), 1)
    assert metrics.contact_metrics(program=door, quarter=Q1).total == 1


def test_families_statewide_is_the_sum_of_programs(
    data: Councils, door: Program, rock: Program
) -> None:
    statewide = metrics.family_metrics(program=None, quarter=Q2)
    rock_only = metrics.family_metrics(program=rock, quarter=Q2)
    assert rock_only.served == 1  # F5; F6 had contacts in Q1 only
    assert rock_only.closed == 0  # F6 closed on 31 March
    assert statewide.served == 3 + 1
    assert statewide.new == 2 + 1
    # April 3, May 2 (F1, F5), June 2 (F2, F5): 7 / 3 = 2.33.
    assert statewide.average_per_month == D("2.3")


# --- 3. Contacts ---------------------------------------------------------------------------


def test_contacts_and_hours_by_type(data: Councils, door: Program) -> None:
    result = metrics.contact_metrics(program=door, quarter=Q2)
    by_type = {row.code: (row.count, row.hours) for row in result.by_type}
    assert by_type["home_visit"] == (2, D("2.0"))  # F1 1 Apr, F4 20 Apr: 60 + 60 minutes
    assert by_type["check_in"] == (1, D("0.5"))  # F1 15 Apr (the 31 Mar one is Q1)
    assert by_type["court_hearing"] == (1, D("2.0"))
    assert by_type["team_meeting"] == (1, D("1.5"))
    assert by_type["case_plan_input"] == (1, D("0.8"))  # 45 minutes
    assert by_type["iep_meeting"] == (0, D("0.0"))  # every kind listed
    assert result.by_type[0].label == "Home visit"
    assert result.total == 6
    assert result.hours == D("6.8")  # 405 minutes = 6.75 hours
    assert result.court_hearings == 1
    assert result.team_meetings == 2  # team meeting + case-plan meeting
    assert result.mileage == D("35.5")  # 20.0 + 5.5 + 10.0


def test_contacts_statewide_add_up(data: Councils, door: Program, rock: Program) -> None:
    statewide = metrics.contact_metrics(program=None, quarter=Q2)
    assert statewide.total == 6 + 2
    assert statewide.hours == D("8.8")  # 405 + 120 minutes
    assert statewide.mileage == D("35.5")


# --- 4. Outcomes ---------------------------------------------------------------------------


def test_outcomes_for_one_program(data: Councils, door: Program) -> None:
    result = metrics.outcome_metrics(program=door, quarter=Q2)
    assert result.children == 7  # F1: 2, F2: 2, F4: 3
    assert result.returned_home == 1  # F1's child on 15 April
    counts = {row.code: row.count for row in result.permanency_by_type}
    assert counts == {
        "reunification": 1,
        "relative_custody": 1,  # 1 April
        "guardianship": 1,  # 30 June, the 18-year-old (outcomes count them)
        "adoption": 0,
        "emancipation": 0,
        "other": 0,
    }
    # Stays ended in Q2: 226 (reunified), 272 (guardianship), 86 (relative custody).
    assert result.median_days_in_out_of_home_care == D("226.0")
    # Removed again in Q2: 20 May, 35 days after going home (12 and 24 months); 20 April,
    # after going home on 1 June 2024 (before 1 June 2026: 24 months only). The 1 July
    # removal is Q3's.
    assert result.reremovals_within_12_months == 1
    assert result.reremovals_within_24_months == 2


def test_cfsr_indicators_follow_the_target_periods(data: Councils, door: Program) -> None:
    result = metrics.outcome_metrics(program=door, quarter=Q2)
    # Permanency: entries 1 Jul 2024 - 30 Jun 2025, followed 12 months to 30 June 2026.
    # Only F4's child removed 1 Mar 2025 (home 1 May 2025, 61 days, aged 11) -> 1 of 1. The
    # Aug 2025 - Jan 2026 entries are too recent to have had their 12 months.
    assert result.permanency_period == metrics.TargetPeriod(
        datetime.date(2024, 7, 1), datetime.date(2025, 6, 30)
    )
    assert result.permanency_in_12_months == Indicator(1, 1, D("100.0"))
    # Re-entry: entries 1 Jul 2023 - 30 Jun 2024. F4's child removed 10 Jan 2024, home 1
    # June 2024 (reunification, within 12 months); removed again 20 Apr 2026, not before
    # 1 June 2025 -> 0 of 1.
    assert result.reentry_period == metrics.TargetPeriod(
        datetime.date(2023, 7, 1), datetime.date(2024, 6, 30)
    )
    assert result.reentry_in_12_months == Indicator(0, 1, D("0.0"))


def test_outcomes_statewide(data: Councils, rock: Program) -> None:
    rock_only = metrics.outcome_metrics(program=rock, quarter=Q2)
    # F5's child only: F6's case closed on 31 March, so its April reunification is not here.
    assert rock_only.children == 1
    assert rock_only.returned_home == 1
    assert rock_only.median_days_in_out_of_home_care == D("165.0")
    # Rock's children entered care in Nov and Dec 2025: in neither target period.
    assert rock_only.permanency_in_12_months == Indicator(0, 0, None)
    assert rock_only.reentry_in_12_months == Indicator(0, 0, None)

    statewide = metrics.outcome_metrics(program=None, quarter=Q2)
    assert statewide.children == 7 + 1
    assert statewide.returned_home == 1 + 1
    # 86, 165, 226, 272: (165 + 226) / 2.
    assert statewide.median_days_in_out_of_home_care == D("195.5")
    assert statewide.permanency_in_12_months == Indicator(1, 1, D("100.0"))
    assert statewide.reentry_in_12_months == Indicator(0, 1, D("0.0"))


def test_indicator_percent_is_none_without_children(db: None, door: Program) -> None:
    result = metrics.outcome_metrics(program=door, quarter=Q2)
    assert result.permanency_in_12_months == Indicator(0, 0, None)
    assert result.median_days_in_out_of_home_care is None


# --- 5. Survey -----------------------------------------------------------------------------


def test_survey_change(data: Councils, door: Program, rock: Program) -> None:
    # F1 2.00 -> 4.00, F2 3.00 -> 3.50; F4 has no intake survey; F5's closure is in July.
    door_result = metrics.survey_metrics(program=door, quarter=Q2)
    assert door_result == metrics.SurveyMetrics(2, D("2.50"), D("3.75"), D("1.25"))
    assert metrics.survey_metrics(program=rock, quarter=Q2) == metrics.SurveyMetrics(
        0, None, None, None
    )
    assert metrics.survey_metrics(program=None, quarter=Q2) == door_result


# --- 6. Workforce --------------------------------------------------------------------------


def test_workforce(data: Councils, door: Program, rock: Program) -> None:
    result = metrics.workforce_metrics(program=door, quarter=Q2)
    # Active with no history, and active until 15 July; the third was still in training.
    assert result.parent_partners_active == 2
    assert result.training_hours == D("4.25")  # 3.00 + 1.25; the 31 March 2.00 is Q1
    assert result.supervision_sessions == 2
    assert result.clinical_sessions == 3
    assert result.clinical_session_months == [
        (datetime.date(2026, 4, 1), True),
        (datetime.date(2026, 5, 1), False),
        (datetime.date(2026, 6, 1), True),
    ]
    statewide = metrics.workforce_metrics(program=None, quarter=Q2)
    assert statewide.parent_partners_active == 2 + 1
    assert statewide.training_hours == D("4.75")
    assert statewide.supervision_sessions == 2 + 1
    assert [held for _month, held in statewide.clinical_session_months] == [True, True, True]


# --- 7. Councils ---------------------------------------------------------------------------


def test_councils(data: Councils, door: Program, rock: Program) -> None:
    result = metrics.council_metrics(program=door, quarter=Q2)
    # The 1 April meeting: two present (one with lived experience), one absent.
    assert (result.meetings, result.present, result.lived_experience_present) == (1, 2, 1)
    assert result.lived_experience_percent == 50
    assert (result.stipends, result.stipend_total) == (1, D("50.00"))
    assert (result.recommendations_made, result.recommendations_adopted) == (1, 2)

    statewide = metrics.council_metrics(program=None, quarter=Q2)
    # Door 1 + Rock 1 + State 1 meetings; present 2 + 1 + 2, lived experience 1 + 1 + 1.
    assert (statewide.meetings, statewide.present, statewide.lived_experience_present) == (
        3,
        5,
        3,
    )
    assert statewide.lived_experience_percent == 60
    assert (statewide.stipends, statewide.stipend_total) == (2, D("125.00"))
    assert (statewide.recommendations_made, statewide.recommendations_adopted) == (2, 2)


# --- 8. Outreach ---------------------------------------------------------------------------


def test_outreach(data: Councils, door: Program, rock: Program) -> None:
    # 1 April (18 people, one referral) and 30 June (attendance not entered, one referral);
    # the 31 March event and its referral are Q1.
    assert metrics.outreach_metrics(program=door, quarter=Q2) == metrics.OutreachMetrics(2, 18, 2)
    assert metrics.outreach_metrics(program=None, quarter=Q2) == metrics.OutreachMetrics(3, 28, 2)


# --- 9. Race and ethnicity -----------------------------------------------------------------


def test_families_by_race_of_first_parent(data: Councils, door: Program) -> None:
    counts = metrics.families_by_race_ethnicity(program=door, quarter=Q2)
    assert list(counts) == [*RaceEthnicity.values, "not_recorded"]
    # F1 (white first parent, Hispanic second), F2 Black, F4 white.
    assert counts == {**dict.fromkeys(metrics.RACE_ETHNICITY_COLUMNS, 0), "white": 2, "black": 1}
    statewide = metrics.families_by_race_ethnicity(program=None, quarter=Q2)
    assert statewide["asian"] == 1  # F5
    assert sum(statewide.values()) == metrics.family_metrics(program=None, quarter=Q2).served


def test_a_family_never_asked_counts_as_not_recorded(data: Councils, door: Program) -> None:
    # F2's only parent was never asked (blank); F4's first parent said "Prefer not to say".
    # Door served F1 (white), F2 and F4: white 1, prefer not to say 1, not recorded 1, and
    # the row still adds up to the 3 families served. Statewide adds Rock's F5 (Asian): 4.
    Parent.objects.filter(family__program=door, race_ethnicity=RaceEthnicity.BLACK).update(
        race_ethnicity=""
    )
    f4 = Referral.objects.get(program=door, received_on=datetime.date(2026, 4, 10)).family
    f4.parents.update(race_ethnicity=RaceEthnicity.NOT_REPORTED)
    counts = metrics.families_by_race_ethnicity(program=door, quarter=Q2)
    assert counts == {
        **dict.fromkeys(metrics.RACE_ETHNICITY_COLUMNS, 0),
        "white": 1,
        "not_reported": 1,
        "not_recorded": 1,
    }
    assert sum(counts.values()) == metrics.family_metrics(program=door, quarter=Q2).served == 3
    table = metrics.families_by_program_and_race_ethnicity(quarter=Q2)
    assert table.counts("door") == counts
    assert table.shown("door", suppressed=False)["not_recorded"] == "1"
    assert table.shown("door", suppressed=False)["total"] == "3"
    assert table.shown(None, suppressed=False)["total"] == "4"
    assert sum(table.counts(None).values()) == (
        metrics.family_metrics(program=None, quarter=Q2).served
    )


# --- 10. The whole report ------------------------------------------------------------------


def test_quarter_report_compares_with_the_previous_quarter(data: Councils, door: Program) -> None:
    report = metrics.quarter_report(program=door, quarter=Q2)
    assert report["headline"] == metrics.Headline(6, 3, 6, D("6.8"), 1)
    # Q1: F1 and the 1 March referral received; F1's 31 March check-in (15 minutes).
    assert report["previous"] == metrics.Headline(2, 1, 1, D("0.3"), 0)
    assert report["change"] == {
        "referrals_received": 4,
        "families_served": 2,
        "contacts": 5,
        "hours": D("6.5"),
        "reunifications": 1,
    }
    assert report["families_by_race_ethnicity_suppressed"]["white"] == "*"


def test_quarter_report_query_count_does_not_grow_with_rows(
    data: Councils,
    door: Program,
    rock: Program,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    with CaptureQueriesContext(connection) as once:
        metrics.quarter_report(program=None, quarter=Q2)
    # 4 referrals, 2 families, 1 contacts, 3 outcomes, 1 survey, 4 workforce, 5 councils,
    # 2 outreach, 2 school-based programs, 1 race/ethnicity and 3 for the previous quarter's
    # headline.
    assert len(once) == 28
    build(door, rock, data)  # every record again
    with django_assert_max_num_queries(len(once)):
        doubled = metrics.quarter_report(program=None, quarter=Q2)
    assert doubled["families"].served == 2 * 4
    with django_assert_max_num_queries(len(once)):
        metrics.quarter_report(program=door, quarter=Q2)
