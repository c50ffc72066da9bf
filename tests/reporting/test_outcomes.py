"""Outcomes of served families' children against a matched comparison group from the state's
extract (``reporting.outcomes``): who is counted as served, which of the extract's stays are
compared, the outcomes as of the data's day, the nightly comparison and its page."""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from mentoring.models import Case, CaseStatus
from psp.models import Program, ProgramType
from referrals.models import DischargeReason, RemovalEpisode, Sex
from reporting import matching, outcomes, tasks
from reporting.models import (
    ComparisonEpisode,
    ComparisonExtract,
    ExtractStatus,
    OutcomeComparison,
    OutcomeStatus,
)
from tests.clock import CHICAGO
from tests.factories import ChildFactory, ParentFactory, ProgramFactory, ReferralFactory

pytestmark = pytest.mark.django_db

D = datetime.date
PERIOD_START, PERIOD_END, AS_OF = D(2023, 1, 1), D(2023, 12, 31), D(2026, 6, 30)
BORN = D(2018, 5, 1)


@pytest.fixture(autouse=True)
def before_dawn_on_a_quarters_first_day() -> Iterator[None]:
    with time_machine.travel(datetime.datetime(2026, 7, 1, 0, 30, tzinfo=CHICAGO), tick=False):
        yield


@pytest.fixture
def extract() -> ComparisonExtract:
    return ComparisonExtract.objects.create(
        file_name="dcf-extract.csv",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        data_as_of=AS_OF,
        status=ExtractStatus.IN_USE,
        rows_accepted=1,
    )


def served_stay(
    program: Program,
    *,
    removed: datetime.date,
    discharged: datetime.date | None = None,
    reason: str = DischargeReason.REUNIFICATION,
    case_opened: datetime.date | None = None,
    case_closed: datetime.date | None = None,
    birth: datetime.date = BORN,
    sex: str = Sex.FEMALE,
    race: str = "white",
    again: datetime.date | None = None,
) -> RemovalEpisode:
    """A child of ``program`` removed on ``removed`` (home on ``discharged``), whose family
    had a case from ``case_opened`` (None: no case) to ``case_closed``; removed again on
    ``again``."""
    referral = ReferralFactory(family__program=program, members=False, received_on=removed)
    ParentFactory(family=referral.family, race_ethnicity=race)
    child = ChildFactory(family=referral.family, birth_date=birth, sex=sex, episode=False)
    stay = RemovalEpisode.objects.create(
        child=child,
        removed_on=removed,
        discharged_on=discharged,
        discharge_reason=reason if discharged else "",
        removal_reasons=["neglect"],
    )
    stay.placements.create(started_on=removed, setting="foster")
    if again is not None:
        later = RemovalEpisode.objects.create(child=child, removed_on=again)
        later.placements.create(started_on=again, setting="relative")
    if case_opened is not None:
        Case.objects.create(
            referral=referral,
            program=program,
            family=referral.family,
            opened_on=case_opened,
            closed_on=case_closed,
            status=CaseStatus.CLOSED if case_closed else CaseStatus.OPEN,
        )
    return stay


def state_stay(extract: ComparisonExtract, number: int, **values: Any) -> ComparisonEpisode:
    row = {
        "episode_id": f"E{number}",
        "child_id": f"C{number}",
        "county": "Door",
        "age_at_entry": 4,
        "sex": "female",
        "race_ethnicity": "white",
        "removal_reasons": ["neglect"],
        "placement_setting": "foster",
        "prior_removals": 0,
        "entry_date": D(2023, 3, 1),
        "discharge_date": None,
        "discharge_reason": "",
    }
    row.update(values)
    return ComparisonEpisode.objects.create(extract=extract, **row)


def door_programs(door: Program) -> dict[int, str]:
    return {door.pk: "Door"}


def test_served_stays_are_those_with_a_case_open_during_the_stay(door, rock, extract):
    during = served_stay(door, removed=D(2023, 2, 1), case_opened=D(2023, 3, 1))
    # A case opened after the child went home did not serve the stay.
    served_stay(
        door,
        removed=D(2023, 2, 1),
        discharged=D(2023, 4, 1),
        case_opened=D(2023, 6, 1),
    )
    # A case closed before the removal did not either.
    served_stay(
        door,
        removed=D(2023, 8, 1),
        case_opened=D(2022, 1, 1),
        case_closed=D(2022, 6, 1),
    )
    served_stay(door, removed=D(2023, 2, 1))  # no case at all
    served_stay(door, removed=D(2022, 12, 31), case_opened=D(2023, 1, 2))  # before the period
    served_stay(rock, removed=D(2023, 2, 1), case_opened=D(2023, 3, 1))  # another county
    found = outcomes.served(extract, door_programs(door))
    assert [stay.entry for stay in found] == [during.removed_on]
    assert found[0].county == "Door"
    assert found[0].age_at_entry == 4
    assert found[0].removal_reasons == ("neglect",)
    assert found[0].placement_setting == "foster"


def test_school_programs_are_not_compared(extract):
    school = ProgramFactory(
        slug="wausau", county="Marathon", program_type=ProgramType.PARENT_PEER_SUPPORT
    )
    assert "Marathon" not in outcomes.program_counties()
    assert school.pk not in [pk for pks in outcomes.program_counties().values() for pk in pks]


def test_outcomes_are_counted_as_of_the_datas_day(door, extract):
    home_then_back = served_stay(
        door,
        removed=D(2023, 2, 1),
        discharged=D(2023, 6, 1),
        case_opened=D(2023, 3, 1),
        again=D(2024, 3, 1),
    )
    home_recently = served_stay(
        door,
        removed=D(2023, 5, 1),
        discharged=D(2025, 12, 1),
        case_opened=D(2023, 5, 2),
        birth=D(2016, 5, 2),
    )
    guardianship = served_stay(
        door,
        removed=D(2023, 7, 1),
        discharged=D(2024, 7, 1),
        reason=DischargeReason.GUARDIANSHIP,
        case_opened=D(2023, 7, 1),
    )
    # Home after the data was taken: still in care as far as the comparison knows.
    still_in_care = served_stay(
        door, removed=D(2023, 9, 1), discharged=D(2026, 6, 30), case_opened=D(2023, 9, 1)
    )
    stays = {stay.entry: stay for stay in outcomes.served(extract, door_programs(door))}
    again = stays[home_then_back.removed_on].unit(D(2026, 6, 29), by_county=False)
    assert (again.returned_home, again.days_in_care) == (True, 120)
    assert (again.reentered_12, again.reentered_24) == (True, True)
    recent = stays[home_recently.removed_on].unit(AS_OF, by_county=False)
    assert recent.returned_home is True
    assert (recent.reentered_12, recent.reentered_24) == (None, None)  # not followed a year
    assert recent.numbers["age_at_entry"] == 6.0  # a day before the seventh birthday
    other = stays[guardianship.removed_on].unit(AS_OF, by_county=False)
    assert (other.returned_home, other.reentered_12) == (False, None)
    waiting = stays[still_in_care.removed_on].unit(D(2026, 6, 29), by_county=False)
    assert (waiting.returned_home, waiting.days_in_care) == (None, None)


def test_the_extracts_copies_of_served_stays_leave_the_pool(door, extract):
    served_stay(door, removed=D(2023, 3, 1), case_opened=D(2023, 3, 2), birth=D(2018, 5, 1))
    state_stay(extract, 1, entry_date=D(2023, 3, 1), age_at_entry=4)  # the same child
    state_stay(extract, 2, entry_date=D(2023, 3, 1), age_at_entry=4, sex="male")  # not them
    state_stay(extract, 3, entry_date=D(2023, 3, 2), age_at_entry=4)
    state_stay(extract, 4, entry_date=D(2024, 2, 1), child_id="C3")  # C3's re-entry
    state_stay(extract, 5, county="Rock")
    compared = outcomes.compare(extract, "Door")
    assert (compared.served, compared.pool, compared.linked) == (1, 2, 1)


def test_a_state_childs_later_removal_is_its_re_entry(extract):
    state_stay(
        extract,
        1,
        entry_date=D(2023, 2, 1),
        discharge_date=D(2023, 8, 1),
        discharge_reason=DischargeReason.REUNIFICATION,
    )
    state_stay(extract, 2, child_id="C1", entry_date=D(2025, 1, 1))  # 17 months after
    pool = outcomes.pool(extract, ["Door"])
    assert len(pool) == 1  # the later removal is not a stay of the period
    unit = pool[0].unit(AS_OF, by_county=True)
    assert (unit.returned_home, unit.reentered_12, unit.reentered_24) == (True, False, True)
    assert unit.categories["county"] == "Door"


def test_the_nightly_comparison_is_made_statewide_and_for_each_county(door, rock, extract):
    rng = random.Random(7)
    for number in range(40):
        removed = D(2023, 1, 10) + datetime.timedelta(days=number * 5)
        served_stay(
            door,
            removed=removed,
            discharged=removed + datetime.timedelta(days=100 + number),
            reason=DischargeReason.REUNIFICATION if number % 3 else DischargeReason.ADOPTION,
            case_opened=removed + datetime.timedelta(days=2),
            birth=D(2015 + number % 6, 3, 1),
            sex=Sex.MALE if number % 2 else Sex.FEMALE,
        )
    for number in range(300):
        home = rng.random() < 0.5
        entry = D(2023, 1, 1) + datetime.timedelta(days=rng.randrange(360))
        state_stay(
            extract,
            100 + number,
            county=rng.choice(["Door", "Rock"]),
            age_at_entry=rng.randrange(0, 12),
            sex=rng.choice(["female", "male"]),
            entry_date=entry,
            discharge_date=entry + datetime.timedelta(days=rng.randrange(60, 400)),
            discharge_reason=DischargeReason.REUNIFICATION if home else DischargeReason.ADOPTION,
        )
    assert tasks.compare_outcomes() == 3  # statewide, Door, Rock
    rows = {row.county: row for row in OutcomeComparison.objects.all()}
    assert set(rows) == {"", "Door", "Rock"}
    assert {row.status for row in rows.values()} == {OutcomeStatus.DONE}
    statewide = matching.Evaluation.from_json(rows[""].result or {})
    assert rows[""].served == 40
    assert statewide.matched > 0
    assert statewide.matched + statewide.unmatched == 40
    assert rows["Rock"].served == 0
    assert matching.Evaluation.from_json(rows["Rock"].result or {}).reason == "no_served"


def test_a_failed_comparison_is_written_on_its_row(door, extract, monkeypatch):
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the model would not fit")

    monkeypatch.setattr(outcomes, "compare", broken)
    tasks.compare_outcomes()
    assert set(OutcomeComparison.objects.values_list("status", flat=True)) == {OutcomeStatus.FAILED}


def test_no_extract_in_use_compares_nothing(door):
    assert tasks.compare_outcomes() == 0
    assert not OutcomeComparison.objects.exists()


# --- The page ---------------------------------------------------------------------------------


def compared(extract: ComparisonExtract, county: str, served: int) -> OutcomeComparison:
    evaluation = matching.evaluate(
        matching.synthetic(seed=3, served=served, pool=served * 8, effect=0.1)
    )
    return OutcomeComparison.objects.create(
        extract=extract,
        county=county,
        status=OutcomeStatus.DONE,
        progress=100,
        served=served,
        pool=served * 8,
        result=evaluation.to_json(),
        finished_at=datetime.datetime(2026, 6, 30, 2, 31, tzinfo=CHICAGO),
    )


def test_state_staff_read_statewide_and_every_county(personas, client_for, extract):
    compared(extract, "", 400)
    compared(extract, "Door", 120)
    page = client_for(personas["state"]).get("/reports/outcomes/")
    assert page.status_code == 200
    assert page.context["chosen"].county == ""
    html = page.content.decode()
    assert "Statewide: every program county together" in html
    assert "Returned home (reunified) when leaving care" in html
    assert "points" in html
    door_page = client_for(personas["state"]).get("/reports/outcomes/?county=Door")
    assert "Door County" in door_page.content.decode()


def test_a_coordinator_reads_their_own_county_only(personas, client_for, extract):
    compared(extract, "", 400)
    compared(extract, "Door", 120)
    compared(extract, "Rock", 120)
    client = client_for(personas["door_coordinator"])
    page = client.get("/reports/outcomes/")
    assert page.context["chosen"].county == "Door"
    assert [value for value, _label in page.context["choices"]] == ["Door"]
    assert client.get("/reports/outcomes/?county=Rock").status_code == 404
    assert client.get("/reports/outcomes/?county=").status_code == 404  # statewide


@pytest.mark.parametrize("persona", ["door_parent_partner", "door_social_worker", "no_role"])
def test_others_may_not_read_it(personas, client_for, extract, persona):
    compared(extract, "Door", 120)
    assert client_for(personas[persona]).get("/reports/outcomes/").status_code in (403, 404)


def test_a_county_with_few_served_children_shows_state_staff_no_figure(
    personas, client_for, extract
):
    compared(extract, "Door", outcomes.SMALLEST_SHOWN - 1)
    html = client_for(personas["state"]).get("/reports/outcomes/?county=Door").content.decode()
    assert "too few to show" in html
    assert "Matched pairs" not in html
    # The county's own coordinator sees their county in full.
    own = client_for(personas["door_coordinator"]).get("/reports/outcomes/").content.decode()
    assert "Matched pairs" in own


def test_too_few_pairs_conclude_nothing(personas, client_for, extract):
    compared(extract, "", 20)
    html = client_for(personas["state"]).get("/reports/outcomes/").content.decode()
    assert "Too few children to tell anything" in html
    assert "by more than chance would explain" not in html


def test_without_an_extract_the_page_says_so(personas, client_for):
    html = client_for(personas["state"]).get("/reports/outcomes/").content.decode()
    assert "no state comparison extract is in use" in html


def test_the_page_polls_while_the_comparison_is_made(personas, client_for, extract):
    OutcomeComparison.objects.create(
        extract=extract, county="", status=OutcomeStatus.RUNNING, progress=40
    )
    client = client_for(personas["state"])
    html = client.get("/reports/outcomes/").content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert "40% done" in html
    OutcomeComparison.objects.update(status=OutcomeStatus.DONE, progress=100)
    status = client.get("/reports/outcomes/status/?county=", HTTP_HX_REQUEST="true")
    assert status["HX-Refresh"] == "true"


def test_putting_an_extract_in_use_asks_for_the_comparison(
    personas, door, monkeypatch, django_capture_on_commit_callbacks
):
    from reporting import comparison_services

    asked: list[bool] = []
    monkeypatch.setattr(tasks.compare_outcomes, "delay", lambda: asked.append(True))
    checked = ComparisonExtract.objects.create(
        file_name="x.csv",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        data_as_of=AS_OF,
        status=ExtractStatus.CHECKED,
        rows_accepted=3,
    )
    with django_capture_on_commit_callbacks(execute=True):
        comparison_services.comparison_extract_use(actor=personas["state"], extract=checked)
    assert asked == [True]


# --- The quarterly report ---------------------------------------------------------------------


def test_the_quarterly_report_prints_the_comparison_and_its_method(door, extract):
    from reporting import documents
    from reporting.models import Report

    compared(extract, "Door", 400)
    report = Report.objects.create(program=door, year=2026, quarter=2)
    data = documents.report_data(report)
    html = documents.render_html(documents.pdf_context(report, data))
    assert "Against a matched comparison group" in html
    assert "Returned home (reunified) when leaving care" in html
    assert "How it is worked out, and its limits" in html  # the appendix
    assert "points" in html


def test_state_staffs_report_of_a_small_county_prints_no_figure(door, extract):
    from reporting import documents
    from reporting.models import Report

    compared(extract, "Door", outcomes.SMALLEST_SHOWN - 1)
    report = Report.objects.create(program=door, year=2026, quarter=2, suppressed=True)
    html = documents.render_html(documents.pdf_context(report, documents.report_data(report)))
    assert "Too few stays of children of served families in this county" in html
    assert "Matched, not served" not in html
    full = Report.objects.create(program=door, year=2026, quarter=2, suppressed=False)
    assert "Matched, not served" in documents.render_html(
        documents.pdf_context(full, documents.report_data(full))
    )


def test_a_covariate_our_records_seldom_hold_is_not_matched_on(door, extract):
    """Removal reasons recorded for 1 served stay in 40: matching on them would set the
    served apart from every child of the extract (who all have reasons), so none would be
    matched; they are left out, and the page says so."""
    for number in range(40):
        stay = served_stay(
            door,
            removed=D(2023, 1, 10) + datetime.timedelta(days=number * 7),
            case_opened=D(2023, 1, 10) + datetime.timedelta(days=number * 7 + 1),
            birth=D(2015 + number % 6, 3, 1),
        )
        if number:
            RemovalEpisode.objects.filter(pk=stay.pk).update(removal_reasons=[])
    for number in range(200):
        state_stay(
            extract,
            100 + number,
            entry_date=D(2023, 1, 1) + datetime.timedelta(days=number),
            age_at_entry=2 + number % 8,
            removal_reasons=["neglect", "parent_drug_abuse"],
        )
    result = outcomes.compare(extract, "Door")
    assert result.left_out == ["removal_reasons"]
    assert result.evaluation.matched > 30
    assert not any(row.covariate.startswith("reason:") for row in result.evaluation.balance)


def test_the_page_costs_a_coordinator_the_same_however_many_counties(
    personas, client_for, extract, django_assert_max_num_queries
):
    compared(extract, "Door", 120)
    client = client_for(personas["door_coordinator"])
    client.get("/reports/outcomes/")
    with django_assert_max_num_queries(20) as few:
        client.get("/reports/outcomes/")
    for number, county in enumerate(["Dane", "Brown", "Marathon", "Oneida", "Vilas"]):
        OutcomeComparison.objects.create(
            extract=extract, county=county, status=OutcomeStatus.DONE, served=number
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/reports/outcomes/").status_code == 200
