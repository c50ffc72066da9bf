"""The equity view: a year's referrals by race or ethnicity from referral to reunification,
and who the Parent Partners and council members are; counted by hand here, in full for a
Program Coordinator, suppressed for state staff, never a figure that gives a hidden one away."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentoring.models import Case, CaseStatus, ClosureOutcome, Stage
from psp.models import Program
from referrals.models import RaceEthnicity, Referral, Status
from reporting import dashboards, equity, suppression
from reporting.models import EquityFiling, QuarterClose
from tests.clock import CHICAGO
from tests.councils.factories import CouncilFactory, CouncilMemberFactory
from tests.factories import ParentFactory, ReferralFactory
from tests.mentoring.factories import ParentPartnerFactory, assign_case
from tests.plans import ON_POSTGRES

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=CHICAGO)
IN_2025 = datetime.date(2025, 6, 10)


@pytest.fixture(autouse=True)
def in_march_2026():
    with time_machine.travel(NOW, tick=False):
        yield


def close_the_year(year: int = 2025) -> QuarterClose:
    """Every program has closed ``year``'s last quarter, so the statewide one closed: state
    staff may see the year, filed the first time it is opened."""
    return QuarterClose.objects.create(program=None, year=year, quarter=4)


def referral(program: Program, race: str, furthest: str, partner=None, day=IN_2025):
    """A referral received on ``day`` whose first parent answered ``race``, taken as far as
    ``furthest`` (referred, accepted, assigned, reunified)."""
    made = ReferralFactory(
        family__program=program,
        received_on=day,
        status=Status.DECLINED if furthest == "referred" else Status.ACCEPTED,
        members=False,
    )
    ParentFactory(family=made.family, race_ethnicity=race)
    ParentFactory(family=made.family, race_ethnicity=RaceEthnicity.WHITE)  # a second parent
    if furthest in ("assigned", "reunified"):
        case = assign_case(made, partner, opened_days_ago=200)
        if furthest == "reunified":
            case.status = CaseStatus.CLOSED
            case.closed_on = datetime.date(2026, 1, 15)
            case.closure_outcome = ClosureOutcome.REUNIFIED
            case.save()
    return made


@pytest.fixture
def door_2025(personas, door):
    """Door's 2025 referrals: Black families 6 referred, 5 accepted, 4 assigned, 2 reunified;
    Hispanic 2 referred, 1 accepted; 1 White referred only. One Hispanic referral of 2024 and
    one of 2026 are not 2025's."""
    partner = personas["door_parent_partner"]
    black = RaceEthnicity.BLACK
    for furthest in ["referred", "accepted", "assigned", "assigned", "reunified", "reunified"]:
        referral(door, black, furthest, partner)
    referral(door, RaceEthnicity.HISPANIC, "referred")
    referral(door, RaceEthnicity.HISPANIC, "accepted")
    referral(door, RaceEthnicity.WHITE, "referred")
    referral(door, RaceEthnicity.HISPANIC, "accepted", day=datetime.date(2024, 12, 31))
    referral(door, RaceEthnicity.HISPANIC, "accepted", day=datetime.date(2026, 1, 1))


def funnel_table(page: str, slug: str) -> dict[str, list[str]]:
    """The funnel of section ``slug`` as {stage label: [cells..., total]}, numbers only."""
    section = page[page.index(f'id="equity-{slug}"') :]
    table = section[: section.index("</table>")]
    rows = {}
    for label, cells in re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', table, re.S):
        rows[label] = [
            re.sub(r"<br>.*", "", cell, flags=re.S).strip()
            for cell in re.findall(r'<td class="text-end[^"]*">(.*?)</td>', cells, re.S)
        ]
    return rows


def test_a_coordinator_sees_their_programs_funnel_in_full(
    personas, door, rock, door_2025, client_for
):
    page = client_for(personas["door_coordinator"]).get("/reports/equity/?year=2025")
    text = page.content.decode()
    assert page.status_code == 200
    rows = funnel_table(text, "door")
    columns = [code for code, _label in equity.metrics.race_ethnicity_columns()]
    black, hispanic, white = (columns.index(c) for c in ("black", "hispanic", "white"))
    assert [rows["Referred"][i] for i in (black, hispanic, white)] == ["6", "2", "1"]
    assert [rows["Accepted"][i] for i in (black, hispanic, white)] == ["5", "1", "0"]
    assert [rows["Assigned a Parent Partner"][i] for i in (black, hispanic, white)] == [
        "4",
        "0",
        "0",
    ]
    reunified = rows["Case closed with the family reunified"]
    assert [reunified[i] for i in (black, hispanic, white)] == ["2", "0", "0"]
    assert rows["Referred"][-1] == "9" and reunified[-1] == "2"
    assert "*" not in rows["Referred"]
    # Nothing of Rock's, and no statewide section, for Door's coordinator.
    assert 'id="equity-rock"' not in text and 'id="equity-statewide"' not in text


def test_a_coordinator_may_see_this_year_state_staff_only_completed_years(
    personas, door, door_2025, client_for
):
    coordinator = client_for(personas["door_coordinator"]).get("/reports/equity/")
    assert b'<option value="2026" selected>' in coordinator.content
    close_the_year(2025)
    state = client_for(personas["state"]).get("/reports/equity/?year=2026").content.decode()
    assert '<option value="2026"' not in state
    assert '<option value="2025" selected>' in state  # the latest completed year instead


def test_state_staff_see_every_program_with_small_counts_hidden(
    personas, door, rock, door_2025, client_for
):
    referral(rock, RaceEthnicity.WHITE, "referred")
    close_the_year(2025)
    page = client_for(personas["state"]).get("/reports/equity/?year=2025").content.decode()
    door_rows = funnel_table(page, "door")
    statewide = funnel_table(page, "statewide")
    assert 'id="equity-rock"' in page
    # Door's 2 Hispanic referrals, 1 White, are small: hidden, and so is any sum with them.
    assert "*" in door_rows["Referred"]
    assert door_rows["Referred"][-1] == "9"  # the totals are published
    assert statewide["Referred"][-1] == "10"
    for cells in [*door_rows.values(), *statewide.values()]:
        for cell in cells[:-1]:
            assert cell == "*" or cell == "0" or int(cell) >= 5


def test_the_people_who_serve_are_counted_by_their_own_answer(personas, door, client_for):
    ParentPartnerFactory(program=door, race_ethnicity=RaceEthnicity.HISPANIC)
    ParentPartnerFactory(program=door, race_ethnicity=RaceEthnicity.NOT_REPORTED)
    ParentPartnerFactory(program=door, race_ethnicity="")  # nobody asked
    ParentPartnerFactory(program=door, stage=Stage.INQUIRY, race_ethnicity=RaceEthnicity.BLACK)
    council = CouncilFactory(program=door)
    CouncilMemberFactory(
        council=council, race_ethnicity=RaceEthnicity.BLACK, term_start=datetime.date(2024, 1, 1)
    )
    CouncilMemberFactory(  # left the council before the year ended
        council=council,
        race_ethnicity=RaceEthnicity.WHITE,
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2025, 6, 30),
    )
    CouncilMemberFactory(  # no longer serving, with no day they left
        council=council,
        race_ethnicity=RaceEthnicity.ASIAN,
        term_start=datetime.date(2024, 1, 1),
        is_active=False,
    )
    referral(door, RaceEthnicity.BLACK, "referred")
    partners = equity.parent_partners(year=2025, programs=[door], suppressed=False)
    # Created today (March 2026) with no stage history: not there on December 31, 2025.
    assert partners.shown("door")["total"] == "0"
    now = equity.parent_partners(year=2026, programs=[door], suppressed=False).shown("door")
    assert (now["hispanic"], now["not_reported"], now["not_recorded"], now["black"]) == (
        "1",
        "1",
        "1",
        "0",
    )
    members = equity.council_members(year=2025, programs=[door], suppressed=False).shown("door")
    assert (members["black"], members["white"], members["total"]) == ("1", "0", "1")
    assert members["asian"] == "0"
    page = client_for(personas["door_coordinator"]).get("/reports/equity/?year=2025")
    assert "Council members serving" in page.content.decode()


def test_the_page_costs_the_same_with_more_programs(
    personas, door, rock, client_for, django_assert_max_num_queries
):
    """Filing the year counts every program at once: as many queries for seven programs as
    for two."""
    referral(door, RaceEthnicity.BLACK, "referred")
    close_the_year(2025)
    client = client_for(personas["state"])
    client.get("/reports/equity/?year=2025")
    EquityFiling.objects.all().delete()  # filed again, counted afresh
    with django_assert_max_num_queries(20) as few:
        client.get("/reports/equity/?year=2025")
    for number in range(5):
        other = Program.objects.create(slug=f"county-{number}", name=f"County {number} PSP")
        referral(other, RaceEthnicity.WHITE, "referred")
    EquityFiling.objects.all().delete()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/reports/equity/?year=2025")
    assert page.status_code == 200 and 'id="equity-county-4"' in page.content.decode()


@time_machine.travel(datetime.datetime(2026, 1, 1, 0, 30, tzinfo=CHICAGO), tick=False)
def test_the_scheduled_refresh_files_the_year_state_staff_open_first(
    personas, door, client_for, django_assert_max_num_queries
):
    """Celery beat files last year once its statewide fourth quarter has closed, before
    state staff ask: the page then reads the filing, and a referral added since never
    shows, however often the refresh runs."""
    referral(door, RaceEthnicity.BLACK, "referred", day=datetime.date(2025, 12, 31))
    client = client_for(personas["state"])
    client.get("/reports/equity/")  # the sign-in's own queries out of the way
    dashboards.refresh_numbers()
    assert not EquityFiling.objects.exists()  # the year is not closed yet: nothing filed
    close_the_year(2025)
    dashboards.refresh_numbers()
    assert EquityFiling.objects.get().year == 2025
    with django_assert_max_num_queries(20) as read:
        page = client.get("/reports/equity/")
    assert page.context["year"] == 2025
    assert not any("closure_outcome" in q["sql"] for q in read.captured_queries)  # no funnel
    statewide = page.context["sections"][-1]["funnel"][0]
    assert statewide.total == 1
    referral(door, RaceEthnicity.WHITE, "referred", day=datetime.date(2025, 6, 1))
    dashboards.refresh_numbers()
    with time_machine.travel(datetime.datetime(2026, 1, 1, 0, 55, tzinfo=CHICAGO), tick=False):
        client.get("/reports/equity/")  # still signed in: idle less than half an hour
    with time_machine.travel(datetime.datetime(2026, 1, 1, 1, 20, tzinfo=CHICAGO), tick=False):
        dashboards.refresh_numbers()
        page = client.get("/reports/equity/")
    assert page.context["sections"][-1]["funnel"][0].total == 1
    assert EquityFiling.objects.count() == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    counts=st.lists(
        st.lists(st.integers(0, 9), min_size=4 * 3, max_size=4 * 3), min_size=1, max_size=3
    )
)
def test_no_published_figure_gives_a_hidden_count_away(counts):
    """Random funnels for 1 to 3 programs and 3 race columns: every cumulative figure
    printed is a sum of cells printed, and each hidden cell keeps as many possible values as
    the suppression promises, given the row totals and the statewide row."""
    columns = ["a", "b", "c"]
    rows = {
        equity._row(f"p{program}", stage): dict(
            zip(columns, values[depth * 3 : depth * 3 + 3], strict=True)
        )
        for program, values in enumerate(counts)
        for depth, stage in enumerate(equity.STAGES)
    }
    table = suppression.Table.from_rows(rows, columns)
    funnel = equity.Funnel(
        year=2025,
        columns=[(code, code) for code in columns],
        programs=[(f"p{program}", f"P{program}") for program in range(len(counts))],
        table=table,
        suppressed=True,
    )
    hidden = funnel.hidden
    for slug in [*(f"p{number}" for number in range(len(counts))), None]:
        for depth, row in enumerate(funnel.rows(slug)):
            for column, cell in zip(columns, row.cells, strict=True):
                parts = [
                    (equity._row(one, later), column)
                    for one in ([slug] if slug else [p for p, _ in funnel.programs])
                    for later in equity.STAGES[depth:]
                ]
                if cell.count is not None and not (slug is None and depth == 0):
                    assert not any(part in hidden for part in parts)
                    assert cell.count == sum(table.counts[part] for part in parts)
    threshold = suppression.default_threshold()
    for hidden_cell, (low, high) in suppression.ranges(table, hidden).items():
        assert high - low >= suppression.required_width(table, hidden_cell, threshold)


# --- The year as CSV -------------------------------------------------------------------------


def csv_rows(response) -> list[dict[str, str]]:
    import csv
    import io

    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def page_cell(page: str, slug: str, stage: str, column: str) -> str:
    columns = [code for code, _label in equity.metrics.race_ethnicity_columns()]
    return funnel_table(page, slug)[stage][columns.index(column)]


def test_the_csv_holds_what_the_page_shows_for_a_coordinator(
    personas, door, rock, door_2025, client_for
):
    from psp.models import AuditAction, AuditEntry

    client = client_for(personas["door_coordinator"])
    page = client.get("/reports/equity/?year=2025").content.decode()
    assert 'href="/reports/equity/export.csv?year=2025"' in page
    response = client.get("/reports/equity/export.csv?year=2025")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="equity-2025.csv"' in response["Content-Disposition"]
    rows = csv_rows(response)
    assert {row["Program"] for row in rows} == {door.name}  # nothing of Rock's, no statewide
    labels = dict(equity.metrics.race_ethnicity_columns())
    referred = {
        row["Race or ethnicity"]: row["Count"]
        for row in rows
        if row["Row"] == "Referred" and row["Table"].startswith("From referral")
    }
    assert referred[str(labels["black"])] == "6" and referred[str(labels["hispanic"])] == "2"
    assert referred["Total"] == "9"
    for column in ("black", "hispanic", "white"):
        assert referred[str(labels[column])] == page_cell(page, "door", "Referred", column)
    entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
    assert entry.changes["year"] == 2025 and entry.changes["rows"] == len(rows)


def test_the_csv_hides_for_state_staff_exactly_what_the_page_hides(
    personas, door, rock, door_2025, client_for
):
    referral(rock, RaceEthnicity.WHITE, "referred")
    close_the_year(2025)
    client = client_for(personas["state"])
    page = client.get("/reports/equity/?year=2025").content.decode()
    rows = csv_rows(client.get("/reports/equity/export.csv?year=2025"))
    labels = {str(label): code for code, label in equity.metrics.race_ethnicity_columns()}
    slugs = dict(Program.objects.values_list("name", "slug"))
    slugs["Statewide: every program together"] = "statewide"
    compared = 0
    for row in rows:
        if not row["Table"].startswith("From referral") or row["Race or ethnicity"] == "Total":
            continue
        shown = page_cell(page, slugs[row["Program"]], row["Row"], labels[row["Race or ethnicity"]])
        assert row["Count"] == shown
        compared += 1
    assert compared > 0 and any(row["Count"] == "*" for row in rows)
    # This year is not complete: not for state staff, on the page or in a file.
    assert client.get("/reports/equity/export.csv?year=2026").status_code == 200
    assert all(
        row["Table"].endswith("2025")
        for row in csv_rows(client.get("/reports/equity/export.csv?year=2026"))
        if row["Table"].startswith("From referral")
    )


def test_without_a_year_to_show_the_csv_link_goes_back_to_the_page(personas, door, client_for):
    client = client_for(personas["door_coordinator"])
    response = client.get("/reports/equity/export.csv")
    assert response.status_code == 302 and response["Location"] == "/reports/equity/"
    page = client.get(response["Location"]).content.decode()
    assert "No referral has been received yet" in page and "export.csv" not in page


@pytest.mark.parametrize(
    "year",
    ["abc", "-1", "99999", "2025.0", "\u00b2", "\u0662\u0660\u0662\u0665", "9" * 5000],
    ids=["letters", "negative", "far", "decimal", "superscript", "arabic-indic", "huge"],
)
@pytest.mark.parametrize("path", ["/reports/equity/", "/reports/equity/export.csv"])
def test_a_year_that_is_not_one_shows_the_latest_never_an_error(
    personas, door, client_for, year, path
):
    """A digit ``int`` cannot read ("²", thousands of digits) is no year, as "abc" is not."""
    referral(door, RaceEthnicity.BLACK, "referred")
    close_the_year(2025)
    # The latest year each may see: the last filed one, this one for the coordinator.
    for who, latest in (("state", "2025"), ("door_coordinator", "2026")):
        response = client_for(personas[who]).get(path, {"year": year})
        assert response.status_code == 200
        assert f"referrals received in {latest}" in response.content.decode()


def test_two_downloads_of_a_completed_year_a_day_apart_give_nothing_away(
    personas, door, rock, client_for
):
    """Door referred one Black family in 2025 that was declined. Between two downloads of
    2025, one of Rock's accepted referrals gets its Parent Partner: nothing of Door's moved,
    but the second download shows Door's accepted Black families, which the first hid, and
    the statewide and Rock's shown counts then give Door's 1 away."""
    black, white = RaceEthnicity.BLACK, RaceEthnicity.WHITE
    for program, declined_black in ((door, 1), (rock, 9)):
        for race, how_many, status in (
            (black, declined_black, Status.DECLINED),
            (white, 9, Status.DECLINED),
            (black, 9, Status.ACCEPTED),
            (white, 6, Status.ACCEPTED),
        ):
            for _ in range(how_many):
                last = ReferralFactory(
                    family__program=program, received_on=IN_2025, status=status, members=False
                )
                ParentFactory(family=last.family, race_ethnicity=race)
    close_the_year(2025)
    first = client_for(personas["state"]).get("/reports/equity/export.csv?year=2025")
    # Rock's last White referral: a case opens.
    Referral.objects.filter(pk=last.pk).update(status=Status.ASSIGNED)
    Case.objects.create(referral=last, program=rock, family=last.family)
    tomorrow = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=CHICAGO)
    with time_machine.travel(tomorrow, tick=False):
        second = client_for(personas["state"]).get("/reports/equity/export.csv?year=2025")
    assert csv_rows(second) == csv_rows(first)


# --- The year filed for state staff ---------------------------------------------------------


def test_a_year_not_filed_is_not_shown_to_state_staff(personas, door, door_2025, client_for):
    """Until every program has closed the year's last quarter, state staff see no year: the
    page says so and the CSV link leads back to it; the coordinator sees it counted now."""
    client = client_for(personas["state"])
    page = client.get("/reports/equity/?year=2025")
    text = page.content.decode()
    assert page.context["years"] == [] and page.context["year"] is None
    assert "No referral has been received yet" in text and "export.csv" not in text
    assert "once every program has closed its last quarter" in text
    response = client.get("/reports/equity/export.csv?year=2025")
    assert response.status_code == 302 and response["Location"] == "/reports/equity/"
    QuarterClose.objects.create(program=None, year=2025, quarter=3)  # not the year's last
    assert client.get("/reports/equity/").context["year"] is None
    assert not EquityFiling.objects.exists()
    coordinator = client_for(personas["door_coordinator"]).get("/reports/equity/?year=2025")
    assert funnel_table(coordinator.content.decode(), "door")["Referred"][-1] == "9"


def test_state_staff_see_the_year_as_filed_the_coordinator_as_it_is_now(
    personas, door, rock, door_2025, client_for
):
    from psp.models import AuditAction, AuditEntry

    referral(rock, RaceEthnicity.WHITE, "referred")
    close_the_year(2025)
    state = client_for(personas["state"])
    page = state.get("/reports/equity/").content.decode()
    assert '<option value="2025" selected>' in page and '<option value="2024"' not in page
    assert "These figures were filed on Mar 2, 2026 and are not counted again." in page
    filed_csv = csv_rows(state.get("/reports/equity/export.csv?year=2025"))
    assert filed_csv[-1]["Table"] == "Filed"
    assert filed_csv[-1]["Row"] == (
        "These figures were filed on Mar 2, 2026 and are not counted again."
    )
    filing = EquityFiling.objects.get()
    assert filing.year == 2025 and "black" in filing.columns
    assert [slug for slug, _name, _school in filing.programs] == [
        p.slug for p in Program.objects.filter(is_active=True).order_by("name")
    ]
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="reporting.equityfiling")
    assert entry.changes["year"] == 2025 and entry.actor_id is None
    # Records change: Door's declined White referral of 2025 is accepted, and Door gets more.
    for _ in range(6):
        referral(door, RaceEthnicity.HISPANIC, "assigned", personas["door_parent_partner"])
    later = datetime.datetime(2026, 4, 20, 10, 0, tzinfo=CHICAGO)
    with time_machine.travel(later, tick=False):
        state = client_for(personas["state"])
        again = state.get("/reports/equity/?year=2025").content.decode()
        assert csv_rows(state.get("/reports/equity/export.csv?year=2025")) == filed_csv
        coordinator = client_for(personas["door_coordinator"]).get("/reports/equity/?year=2025")
    assert funnel_table(again, "door") == funnel_table(page, "door")
    assert funnel_table(again, "door")["Referred"][-1] == "9"
    assert EquityFiling.objects.count() == 1
    assert funnel_table(coordinator.content.decode(), "door")["Referred"][-1] == "15"
    assert "filed on" not in coordinator.content.decode()
    # In the reader's language, the date in Chicago's.
    state.cookies["django_language"] = "es"
    spanish = state.get("/reports/equity/?year=2025", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Estas cifras se archivaron el" in spanish


def test_a_program_deactivated_after_filing_leaves_the_year_as_filed(
    personas, door, rock, door_2025, client_for
):
    referral(rock, RaceEthnicity.WHITE, "referred")
    close_the_year(2025)
    client = client_for(personas["state"])
    first = csv_rows(client.get("/reports/equity/export.csv?year=2025"))
    page = client.get("/reports/equity/?year=2025").content.decode()
    Program.objects.filter(pk=rock.pk).update(is_active=False)
    cache.clear()
    tomorrow = datetime.datetime(2026, 3, 3, 10, 0, tzinfo=CHICAGO)
    with time_machine.travel(tomorrow, tick=False):
        client = client_for(personas["state"])
        second = csv_rows(client.get("/reports/equity/export.csv?year=2025"))
        again = client.get("/reports/equity/?year=2025").content.decode()
    assert second == first
    assert 'id="equity-rock"' in again
    assert funnel_table(again, "statewide") == funnel_table(page, "statewide")


def test_a_year_filed_twice_at_once_is_kept_once(personas, door, door_2025, monkeypatch):
    """The loser of two filings at once (the unique year) reads the winner's row."""
    close_the_year(2025)
    winner = equity.file_year(2025)
    real_filter = EquityFiling.objects.filter
    # The second request looked before the first saved: it found nothing and files too.
    monkeypatch.setattr(
        EquityFiling.objects, "filter", lambda **kw: real_filter(pk__in=[]) if kw else real_filter()
    )
    assert equity.filing_for(2025) == winner
    assert EquityFiling.objects.count() == 1


@pytest.mark.skipif(not ON_POSTGRES, reason="SQLite writes one transaction at a time")
def test_two_requests_filing_a_year_at_once_give_one_filing_never_a_500(
    transactional_db, personas, door, client_for
):
    import threading

    from django.db import connection, transaction

    referral(door, RaceEthnicity.BLACK, "referred")
    close_the_year(2025)
    saved, done = threading.Event(), threading.Event()
    first: dict[str, object] = {}

    def open_and_hold() -> None:
        try:
            with transaction.atomic():
                first["response"] = client_for(personas["state"]).get("/reports/equity/")
                saved.set()
                done.wait(timeout=2)  # still filing when the second arrives
        finally:
            saved.set()
            connection.close()

    client = client_for(personas["state"])
    thread = threading.Thread(target=open_and_hold)
    thread.start()
    assert saved.wait(timeout=30)
    again = client.get("/reports/equity/export.csv?year=2025")
    done.set()
    thread.join()
    assert first["response"].status_code == 200  # type: ignore[attr-defined]
    assert again.status_code == 200
    assert EquityFiling.objects.count() == 1
