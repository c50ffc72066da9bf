"""The quarterly report's definitions at their edges, each number worked out by hand.

Small data sets of Door County around 2026 Q2 (1 April to 30 June, America/Chicago): declines
reopened within and across quarters, figures that round on a half, hours that do not add up
when each kind is rounded on its own, and records dated after the quarter that must not move
its figures. Each test checks the metrics and the report as a reader sees it (the PDF's HTML,
reduced to its text; one test reads the PDF itself).
"""

from __future__ import annotations

import datetime
import html
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.utils import translation

from councils.models import Council, Stipend, StipendStatus
from mentoring.models import (
    ActivityType,
    Case,
    ParentPartner,
    Stage,
    StageChange,
    SurveyInstrument,
    SurveyResponse,
    SurveyTiming,
)
from psp.models import Program
from referrals.models import DeclineReason, Referral, Status
from reporting import documents, metrics
from reporting.metrics import CountByCode
from reporting.models import Report
from reporting.quarters import Quarter
from tests.councils.factories import (
    AttendanceFactory,
    CouncilFactory,
    CouncilMemberFactory,
    MeetingFactory,
    OutreachEventFactory,
    StipendFactory,
)
from tests.mentoring.factories import ParentPartnerFactory
from tests.reporting.conftest import Q1, Q2, at, case, contact, entered, family, referral

pytestmark = pytest.mark.django_db
D = Decimal
date = datetime.date
Q3 = Quarter(2026, 3)
# The first half hour after 2026 Q2, when the scheduler makes its report, and a day months
# later when somebody makes it again.
FIRST_MOMENT_AFTER_Q2 = at(2026, 7, 1, 0, 30)
MONTHS_LATER = at(2026, 11, 16, 10, 0)


@pytest.fixture
def after_q2() -> Iterator[None]:
    with time_machine.travel(FIRST_MOMENT_AFTER_Q2, tick=False):
        yield


def report_text(program: Program | None, quarter: Quarter, *, suppressed: bool = False) -> str:
    """The report's HTML for the PDF as a reader reads it: text only, spaces squeezed."""
    year, number = quarter.year, quarter.number
    report = Report(program=program, year=year, quarter=number, suppressed=suppressed)
    with translation.override("en"):
        page = documents.render_html(documents.pdf_context(report, documents.report_data(report)))
    body = page.split("<body>", 1)[1]
    assert "<5" not in body and "<11" not in body  # a "<" in text is escaped
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def step(to_status: str, when: datetime.datetime, reason: str = "") -> tuple[str, Any, str]:
    return (to_status, when, reason)


# --- Declines ------------------------------------------------------------------------------


def declines(door: Program) -> None:
    """Referrals declined, reopened ("screening" again) and declined again."""
    # A: declined 10 April (no consent), reopened 12 April, declined 20 April (unreachable):
    # one Q2 decline, under "unreachable" only.
    referral(
        family(door), date(2026, 4, 2),
        step(Status.DECLINED, at(2026, 4, 10), DeclineReason.NO_CONSENT),
        step(Status.SCREENING, at(2026, 4, 12)),
        step(Status.DECLINED, at(2026, 4, 20), DeclineReason.UNREACHABLE),
        decline_reason=DeclineReason.UNREACHABLE,
    )  # fmt: skip
    # B: declined 5 May (not eligible), reopened 6 May, accepted 7 May: accepted, no decline.
    referral(
        family(door), date(2026, 5, 3),
        step(Status.DECLINED, at(2026, 5, 5), DeclineReason.NOT_ELIGIBLE),
        step(Status.SCREENING, at(2026, 5, 6)),
        step(Status.ACCEPTED, at(2026, 5, 7)),
    )  # fmt: skip
    # C: declined at 23:30 on 30 June (no capacity; already 1 July in UTC): a Q2 decline. It
    # is reopened on 2 July and declined again on 3 July (other reason): a Q3 decline too,
    # and Q2 keeps its own.
    referral(
        family(door), date(2026, 6, 1),
        step(Status.DECLINED, at(2026, 6, 30, 23, 30), DeclineReason.NO_CAPACITY),
        step(Status.SCREENING, at(2026, 7, 2)),
        step(Status.DECLINED, at(2026, 7, 3), DeclineReason.OTHER),
        decline_reason=DeclineReason.OTHER,
    )  # fmt: skip
    # D: declined at 23:59 on 31 March (out of area): a Q1 decline. Reopened a minute after
    # midnight on 1 April and not declined again: nothing in Q2, and Q1 keeps its decline.
    referral(
        family(door), date(2026, 3, 1),
        step(Status.DECLINED, at(2026, 3, 31, 23, 59), DeclineReason.OUT_OF_AREA),
        step(Status.SCREENING, at(2026, 4, 1, 0, 1)),
    )  # fmt: skip
    # E: withdrawn 3 April and reopened 4 April: not withdrawn. F: withdrawn 1 June: withdrawn.
    referral(
        family(door), date(2026, 4, 2),
        step(Status.WITHDRAWN, at(2026, 4, 3)), step(Status.SCREENING, at(2026, 4, 4)),
    )  # fmt: skip
    referral(family(door), date(2026, 5, 20), step(Status.WITHDRAWN, at(2026, 6, 1)))


def test_a_referral_declined_twice_is_one_decline_under_its_last_reason(
    door: Program, after_q2: None
) -> None:
    declines(door)
    q2 = metrics.referral_metrics(program=door, quarter=Q2)
    # Received in Q2: A, B, C, E, F (D was received in March).
    assert q2.received == 5
    # A (unreachable, its last decline) and C (no capacity, 30 June 23:30). B was reopened
    # and accepted, D's decline was in Q1. Counting each reason's referrals and adding them
    # up would say 4: A twice, B and C.
    assert q2.declined == 2
    assert q2.declined_by_reason == [
        CountByCode("unreachable", "Could not reach the parent", 1),
        CountByCode("no_capacity", "No Parent Partner available", 1),
    ]
    assert q2.accepted == 1  # B
    assert q2.withdrawn == 1  # F; E was reopened the next day

    q1 = metrics.referral_metrics(program=door, quarter=Q1)
    assert (q1.declined, q1.declined_by_reason) == (
        1,
        [CountByCode("out_of_area", "Lives outside the program's county", 1)],
    )
    q3 = metrics.referral_metrics(program=door, quarter=Q3)
    assert (q3.declined, q3.declined_by_reason) == (
        1,
        [CountByCode("other", "Other reason", 1)],
    )

    text = report_text(door, Q2)
    assert "Declined 2 Withdrawn 1" in text
    assert "Could not reach the parent 1 No Parent Partner available 1" in text
    assert "Parent did not agree to take part" not in text
    assert "Not eligible for the program" not in text


def test_declines_statewide_count_each_referral_once(
    door: Program, rock: Program, after_q2: None
) -> None:
    declines(door)
    # Rock: declined twice in Q2 for the same reason -> one more decline statewide.
    referral(
        family(rock), date(2026, 4, 1),
        step(Status.DECLINED, at(2026, 4, 2), DeclineReason.NO_CONSENT),
        step(Status.SCREENING, at(2026, 4, 3)),
        step(Status.DECLINED, at(2026, 4, 4), DeclineReason.NO_CONSENT),
    )  # fmt: skip
    statewide = metrics.referral_metrics(program=None, quarter=Q2)
    assert statewide.declined == 2 + 1
    assert statewide.declined == sum(row.count for row in statewide.declined_by_reason)


# --- Rounding ------------------------------------------------------------------------------


@dataclass
class RoundingData:
    council: Council


def rounding_data(door: Program) -> RoundingData:
    partner = entered(ParentPartnerFactory(program=door, stage=Stage.ACTIVE), at(2026, 1, 5))
    fam = family(door)
    on_case = case(referral(fam, date(2026, 4, 1)), date(2026, 4, 1))
    # Three contacts of 45 minutes in May: 135 minutes = 2.25 hours, shown 2.3.
    contact(on_case, partner, at(2026, 5, 4), ActivityType.HOME_VISIT, 45)
    contact(on_case, partner, at(2026, 5, 5), ActivityType.CHECK_IN, 45)
    contact(on_case, partner, at(2026, 5, 6), ActivityType.COURT_HEARING, 45)
    # A council meeting with 8 members present, 1 with lived experience: 12.5%.
    council = CouncilFactory(program=door)
    meeting = MeetingFactory(council=council, held_on=date(2026, 5, 12))
    for index in range(8):
        member = CouncilMemberFactory(council=council, lived_experience=index == 0)
        AttendanceFactory(meeting=meeting, member=member)
    return RoundingData(council=council)


def test_lived_experience_share_rounds_half_up(door: Program, after_q2: None) -> None:
    rounding_data(door)
    result = metrics.council_metrics(program=door, quarter=Q2)
    # 1 of 8 = 12.5%: half up is 13 (Python's round says 12).
    assert (result.present, result.lived_experience_present) == (8, 1)
    assert result.lived_experience_percent == 13
    text = report_text(door, Q2)
    # With its numerator and denominator, and 8 is fewer than 10: too few to compare.
    assert "Of them, with lived experience 1 of 8 (13%) too few to compare" in text


def test_hours_by_kind_add_up_to_the_total(door: Program, after_q2: None) -> None:
    rounding_data(door)
    result = metrics.contact_metrics(program=door, quarter=Q2)
    # Each 45 minutes is 0.75 hours; rounded on its own each would show 0.8, 2.4 in all, but
    # the total is 2.25 -> 2.3. Rounded down each is 0.7 (2.1); the two tenths missing go to
    # the largest remainders (all 0.05), on a tie to the first kinds in the form's order:
    # home visit and check-in 0.8, court hearing 0.7.
    assert result.hours == D("2.3")
    hours = {row.code: row.hours for row in result.by_type}
    assert (hours["home_visit"], hours["check_in"], hours["court_hearing"]) == (
        D("0.8"),
        D("0.8"),
        D("0.7"),
    )
    assert sum(row.hours for row in result.by_type) == result.hours
    text = report_text(door, Q2)
    assert "Hours of contact 2.3 0.0 +2.3" in text  # the summary against Q1
    assert "Home visit 1 0.8 Phone or text check-in 1 0.8" in text
    assert "Court hearing (attended or supported) 1 0.7" in text


def test_pdf_shows_the_rounded_figures(door: Program, after_q2: None, tmp_path: Path) -> None:
    rounding_data(door)
    report = Report(program=door, year=2026, quarter=2, suppressed=False)
    with translation.override("en"):
        context = documents.pdf_context(report, documents.report_data(report))
        pdf = documents.render_pdf(documents.render_html(context))
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = " ".join(
        subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
        ).stdout.split()
    )
    assert "1 of 8 (13%) too few to compare" in text
    assert "Court hearing (attended or supported) 1 0.7" in text
    assert "Central Time (America/Chicago)" in text


# --- Nothing after the quarter -------------------------------------------------------------


@dataclass
class LeakData:
    partner: ParentPartner
    waiting: Case  # received 20 June, first contact 2 July
    late_intake: Case  # closure survey on 30 June, intake entered dated 2 July
    council: Council
    member: Any
    event: Any
    declined: Referral  # declined at 23:30 on 30 June


def quarter_data(door: Program) -> LeakData:
    """What happened by 30 June."""
    partner = entered(ParentPartnerFactory(program=door, stage=Stage.ACTIVE), at(2026, 1, 5))
    instrument, _ = SurveyInstrument.objects.get_or_create(
        name="Hope and support", defaults={"questions": []}
    )
    # L1: received 1 June, first contact 11 June: 10 days. Surveys 2 June (2) and 25 June (4).
    l1 = case(referral(family(door), date(2026, 6, 1)), date(2026, 6, 1))
    contact(l1, partner, at(2026, 6, 11))
    for timing, day, score in [
        (SurveyTiming.INTAKE, date(2026, 6, 2), "2"),
        (SurveyTiming.CLOSURE, date(2026, 6, 25), "4"),
    ]:
        SurveyResponse.objects.create(
            case=l1, instrument=instrument, timing=timing, answered_on=day, score=D(score)
        )
    # L2: received 20 June; no contact by 30 June.
    l2 = case(referral(family(door), date(2026, 6, 20)), date(2026, 6, 21))
    # L3: received 25 June, first contact at 23:30 on 30 June: 5 days, in Q2. Closure survey
    # 30 June; its intake survey is entered later.
    l3 = case(referral(family(door), date(2026, 6, 25)), date(2026, 6, 25))
    contact(l3, partner, at(2026, 6, 30, 23, 30))
    SurveyResponse.objects.create(
        case=l3, instrument=instrument, timing=SurveyTiming.CLOSURE,
        answered_on=date(2026, 6, 30), score=D("5"),
    )  # fmt: skip
    # An outreach event on 30 June (12 people) and L4, received that day, naming it.
    event = OutreachEventFactory(program=door, held_on=date(2026, 6, 30), attendance=12)
    referral(family(door), date(2026, 6, 30), source_event=event)
    # Stipends: a March contribution paid 5 April (Q2), a 1 May one not paid yet.
    council = CouncilFactory(program=door)
    member = CouncilMemberFactory(council=council, lived_experience=True)
    StipendFactory(
        member=member, awarded_on=date(2026, 3, 20), amount=D("40.00"),
        status=StipendStatus.PAID, paid_on=date(2026, 4, 5),
    )  # fmt: skip
    StipendFactory(member=member, awarded_on=date(2026, 5, 1), amount=D("30.00"))
    declined = referral(
        family(door), date(2026, 6, 2),
        step(Status.DECLINED, at(2026, 6, 30, 23, 30), DeclineReason.NO_CAPACITY),
    )  # fmt: skip
    return LeakData(partner, l2, l3, council, member, event, declined)


def later_records(data: LeakData, door: Program) -> None:
    """Records dated after 30 June, entered months later."""
    contact(data.waiting, data.partner, at(2026, 7, 2, 9))  # L2's first contact: 12 days
    SurveyResponse.objects.create(
        case=data.late_intake, instrument=SurveyInstrument.objects.get(),
        timing=SurveyTiming.INTAKE, answered_on=date(2026, 7, 2), score=D("1"),
    )  # fmt: skip
    # L5, received 1 July, heard of the program at the 30 June event.
    referral(family(door), date(2026, 7, 1), source_event=data.event)
    # The 1 May stipend paid on 2 July; a stipend for a June contribution paid in August.
    Stipend.objects.filter(member=data.member, status=StipendStatus.PENDING).update(
        status=StipendStatus.PAID, paid_on=date(2026, 7, 2)
    )
    StipendFactory(
        member=data.member, awarded_on=date(2026, 6, 15), amount=D("20.00"),
        status=StipendStatus.PAID, paid_on=date(2026, 8, 1),
    )  # fmt: skip
    # A Parent Partner entered today, active, without stage history; the first one leaves
    # on 1 August.
    ParentPartnerFactory(program=door, stage=Stage.ACTIVE)
    StageChange.objects.create(
        parent_partner=data.partner, from_stage=Stage.ACTIVE, to_stage=Stage.INACTIVE,
        at=at(2026, 8, 1),
    )  # fmt: skip
    # The 30 June decline reopened on 2 July and declined again on 3 July.
    for to_status, when, reason in [
        step(Status.SCREENING, at(2026, 7, 2)),
        step(Status.DECLINED, at(2026, 7, 3), DeclineReason.OTHER),
    ]:
        data.declined.transitions.create(to_status=to_status, at=when, reason=reason)


def test_a_quarter_counts_only_what_happened_by_its_last_day(door: Program) -> None:
    with time_machine.travel(FIRST_MOMENT_AFTER_Q2, tick=False):
        data = quarter_data(door)
    with time_machine.travel(MONTHS_LATER, tick=False):
        later_records(data, door)
        report = metrics.quarter_report(program=door, quarter=Q2)
        text = report_text(door, Q2)

    referrals = report["referrals"]
    # L1 10 days, L3 5 days (its contact at 23:30 on 30 June); L2's first contact on 2 July
    # is after the quarter: left out. Median of 5 and 10: 7.5, over 2 referrals. (With L2's
    # 12 days: 10.0 over 3.)
    assert (referrals.median_days_to_first_contact, referrals.first_contacts) == (D("7.5"), 2)
    assert "Median days from referral to first contact 7.5 (2 referrals)" in text
    # The 30 June event: 12 people; L4 (30 June) names it; L5 (1 July) is not counted.
    assert report["outreach"] == metrics.OutreachMetrics(events=1, reach=12, referrals=1)
    assert "Events held 1 People reached 12 Referrals from these events 1" in text
    # Survey: L1 only (2 -> 4); L3's intake is dated 2 July.
    assert report["survey"] == metrics.SurveyMetrics(1, D("2.00"), D("4.00"), D("2.00"))
    # Stipends paid in Q2: the March contribution paid 5 April, $40. The 1 May one was paid
    # on 2 July and the June one in August: Q3.
    councils = report["councils"]
    assert (councils.stipends, councils.stipend_total) == (1, D("40.00"))
    assert "Stipends paid 1 ($40.00)" in text
    # Active on 30 June: the first Parent Partner (left 1 August); the one entered in
    # November is not counted.
    assert report["workforce"].parent_partners_active == 1
    # The decline at 23:30 on 30 June stays a Q2 decline after it is reopened in July.
    assert referrals.declined == 1

    q3_councils = metrics.council_metrics(program=door, quarter=Q3)
    assert (q3_councils.stipends, q3_councils.stipend_total) == (2, D("50.00"))  # 30 + 20
    q3_referrals = metrics.referral_metrics(program=door, quarter=Q3)
    assert q3_referrals.declined_by_reason == [CountByCode("other", "Other reason", 1)]


def test_a_past_quarter_gives_the_same_figures_when_made_again(door: Program) -> None:
    with time_machine.travel(FIRST_MOMENT_AFTER_Q2, tick=False):
        data = quarter_data(door)
        first = metrics.quarter_report(program=door, quarter=Q2)
        report = Report(program=door, year=2026, quarter=2, suppressed=False)
        first_csv = documents.csv_rows(report, documents.report_data(report))
    with time_machine.travel(MONTHS_LATER, tick=False):
        later_records(data, door)
        again = metrics.quarter_report(program=door, quarter=Q2)
        again_csv = documents.csv_rows(report, documents.report_data(report))
    for key in first:
        assert again[key] == first[key], key
    assert again_csv == first_csv


# --- What the report says about itself -----------------------------------------------------


def test_report_states_its_time_zone_and_rules(door: Program, after_q2: None) -> None:
    text = report_text(door, Q2)
    assert "Time zone Central Time (America/Chicago): every date in this report" in text
    assert "Percents of fewer than 10 are marked “too few to compare”" in text
    assert "Dates and time zone Every date is a calendar day in the programs' time zone, " in text
    assert "America/Chicago" in text
    assert "Rounding Figures are rounded half up (12.5 becomes 13)" in text


def test_sentences_name_the_thresholds_as_set(door: Program, after_q2: None, settings: Any) -> None:
    settings.PSP_SMALL_COUNT_THRESHOLD = 11
    settings.PSP_SMALL_DENOMINATOR = 4
    rounding_data(door)
    text = report_text(door, Q2, suppressed=True)
    assert "Race and ethnicity counts from 1 to 10 are hidden" in text
    assert "“*” is a hidden count: counts from 1 to 10 are hidden" in text  # table
    assert "counts from 1 to 10 are hidden (“*”)" in text  # appendix
    assert "fewer than 11 possible values" in text
    assert "Percents of fewer than 4 are marked" in text
    assert "1 to 4" not in text and "<5" not in text
    # 8 members present: not too few with a threshold of 4.
    assert "1 of 8 (13%) too few" not in text
    assert "1 of 8 (13%)" in text


def test_csv_says_what_is_too_few_and_what_is_paid(door: Program, after_q2: None) -> None:
    rounding_data(door)
    report = Report(program=door, year=2026, quarter=2, suppressed=False)
    rows = {
        (section, metric): value
        for section, metric, value in documents.csv_rows(report, documents.report_data(report))
    }
    assert rows[("report", "time_zone")] == "America/Chicago"
    assert rows[("councils", "lived_experience_percent")] == 13
    assert rows[("councils", "lived_experience_too_few_to_compare")] == "yes"
    assert rows[("councils", "stipends_paid")] == 0
    assert rows[("outcomes", "cfsr_permanency_12_months_too_few_to_compare")] == "no"  # 0 of 0
    assert rows[("contacts", "court_hearing_hours")] == D("0.7")
