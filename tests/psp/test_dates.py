"""Dates: one style per kind of date, in the reader's language, and typed month first.

Shown dates are read back with the names of each language's months and weekdays and
compared with the moment they stand for, so a wrong style, a wrong order or a day taken in
UTC instead of Wisconsin time fails, whatever the date.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from councils.models import Council, CouncilMember, Meeting, OutreachEvent, Stipend
from mentoring.models import Activity, ClinicalSupportSession, ParentPartner, SupervisionSession
from psp.dates import format_when, time_element
from psp.forms import DateField, SplitDateField
from psp.models import AuditEntry, Program
from referrals.models import Child, PlacementChange, Referral, RemovalEpisode
from reporting import documents
from reporting.models import Report
from tests.clock import CHICAGO, CLOCK_MATRIX, on_the_wall
from tests.councils.factories import CouncilFactory, MeetingFactory
from tests.factories import ReferralFactory

MOMENTS = [on_the_wall(param.values[0]) for param in CLOCK_MATRIX]  # type: ignore[arg-type]

# The names each language writes dates with (not the formats: those are what is tested).
NAMES = {
    "en": {
        "short": [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ],
        "long": [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    },
    "es": {
        "short": [
            "ene",
            "feb",
            "mar",
            "abr",
            "may",
            "jun",
            "jul",
            "ago",
            "sep",
            "oct",
            "nov",
            "dic",
        ],
        "long": [
            "enero",
            "febrero",
            "marzo",
            "abril",
            "mayo",
            "junio",
            "julio",
            "agosto",
            "septiembre",
            "octubre",
            "noviembre",
            "diciembre",
        ],
        "weekdays": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    },
}
NAMES["hmn"] = NAMES["en"]  # no Hmong formats yet: English ones


def _any(words: list[str]) -> str:
    return "|".join(words)


def shapes(language: str) -> dict[str, str]:
    """Each kind's pattern in ``language``, with named parts to read the value back."""
    n = NAMES[language]
    if language == "es":
        date = rf"(?P<day>\d{{1,2}}) (?P<mon>{_any(n['short'])}) (?P<year>\d{{4}})"
        time = r"(?P<hour>\d{2}):(?P<minute>\d{2})"
        long_day = (
            rf"(?P<weekday>{_any(n['weekdays'])}), (?P<day>\d{{1,2}}) de "
            rf"(?P<month>{_any(n['long'])}) de (?P<year>\d{{4}})"
        )
        month = rf"(?P<month>{_any(n['long'])}) de (?P<year>\d{{4}})"
    else:
        date = rf"(?P<mon>{_any(n['short'])}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}})"
        time = r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<ampm>AM|PM)"
        long_day = (
            rf"(?P<weekday>{_any(n['weekdays'])}), (?P<month>{_any(n['long'])}) "
            rf"(?P<day>\d{{1,2}}), (?P<year>\d{{4}})"
        )
        month = rf"(?P<month>{_any(n['long'])}) (?P<year>\d{{4}})"
    return {
        "date": date,
        "datetime": f"{date}, {time}",
        "time": time,
        "day": long_day,
        "month": month,
    }


def read(text: str, kind: str, language: str) -> dict[str, int]:
    """The parts of a shown date; fails the test when ``text`` is not in ``kind``'s style."""
    found = re.fullmatch(shapes(language)[kind], text)
    assert found, f"{text!r} is not a {kind} in the {language} style"
    parts = found.groupdict()
    n = NAMES[language]
    read_back: dict[str, int] = {}
    if parts.get("mon"):
        read_back["month"] = n["short"].index(parts["mon"]) + 1
    if parts.get("month"):
        read_back["month"] = n["long"].index(parts["month"]) + 1
    if parts.get("weekday"):
        read_back["weekday"] = n["weekdays"].index(parts["weekday"])
    for key in ("day", "year", "minute"):
        if parts.get(key):
            read_back[key] = int(parts[key])
    if parts.get("hour"):
        hour = int(parts["hour"])
        if parts.get("ampm"):
            assert 1 <= hour <= 12
            hour = hour % 12 + (12 if parts["ampm"] == "PM" else 0)
        read_back["hour"] = hour
    return read_back


def expected(moment: datetime.datetime | datetime.date, kind: str) -> dict[str, int]:
    if isinstance(moment, datetime.datetime):
        moment = moment.astimezone(CHICAGO)
    parts = {"year": moment.year, "month": moment.month, "day": moment.day}
    if kind == "month":
        del parts["day"]
    if kind == "day":
        parts["weekday"] = moment.weekday()
    if isinstance(moment, datetime.datetime) and kind in ("datetime", "time"):
        parts.update(hour=moment.hour, minute=moment.minute)
        if kind == "time":
            parts = {"hour": moment.hour, "minute": moment.minute}
    return parts


# --- Each kind, at the moments that break dates ----------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "hmn"])
@pytest.mark.parametrize("kind", ["date", "datetime", "time", "day", "month"])
def test_each_kind_shows_the_wisconsin_moment_in_its_one_style(language: str, kind: str) -> None:
    moments: list[datetime.datetime] = [
        *MOMENTS,
        datetime.datetime(2027, 1, 1, 5, 59, tzinfo=datetime.UTC),  # still Dec 31 in Wisconsin
        datetime.datetime(2026, 12, 31, 18, 0, tzinfo=datetime.UTC),  # noon
        datetime.datetime(2026, 12, 2, 6, 0, tzinfo=datetime.UTC),  # midnight
    ]
    with translation.override(language):
        for moment in moments:
            assert read(format_when(moment, kind), kind, language) == expected(moment, kind)


@pytest.mark.parametrize("language", ["en", "es"])
def test_dates_without_a_time_are_not_moved_by_the_time_zone(language: str) -> None:
    with translation.override(language):
        for day in [datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)]:
            for kind in ("date", "day", "month"):
                assert read(format_when(day, kind), kind, language) == expected(day, kind)


def test_time_element_carries_the_iso_moment_and_nothing_for_no_value() -> None:
    moment = datetime.datetime(2027, 1, 1, 5, 30, tzinfo=datetime.UTC)  # Dec 31, 23:30 CST
    with translation.override("en"):
        tag = time_element(moment, "date")
        assert re.fullmatch(r'<time datetime="2026-12-31">[^<]+</time>', tag), tag
        assert time_element(moment, "datetime").startswith(
            '<time datetime="2026-12-31T23:30:00-06:00">'
        )
        assert time_element(None, "date") == ""


@pytest.mark.parametrize(
    ("language", "name", "abbr"),
    [("en", "December", "Dec"), ("es", "diciembre", "dic"), ("hmn", "December", "Dec")],
)
def test_a_month_alone_for_a_charts_axis(language: str, name: str, abbr: str) -> None:
    moment = datetime.datetime(2027, 1, 1, 5, 30, tzinfo=datetime.UTC)  # Dec 31 in Wisconsin
    with translation.override(language):
        assert format_when(moment, "month_name") == name
        assert format_when(moment, "month_abbr") == abbr
        assert time_element(moment, "month_abbr") == f'<time datetime="2026-12">{abbr}</time>'


# --- Pages, e-mails and the report in both languages -------------------------------------

TIME_ELEMENT = re.compile(r'<time datetime="(?P<iso>[^"]+)">(?P<text>[^<]*)</time>')
OTHER_STYLES = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[ap]\.m\.")


def check_time_elements(page: str, language: str) -> int:
    """Each ``<time>`` reads back as the ISO value it carries; returns how many."""
    count = 0
    for found in TIME_ELEMENT.finditer(page):
        iso, text = found["iso"], found["text"]
        if re.fullmatch(r"\d{2}:\d{2}", iso):
            kind = "time"
            at = datetime.time.fromisoformat(iso)
            assert read(text, kind, language) == {"hour": at.hour, "minute": at.minute}
            count += 1
            continue
        if len(iso) == 7:
            kind, value = "month", datetime.date.fromisoformat(f"{iso}-01")
        elif "T" in iso:
            kind, value = "datetime", datetime.datetime.fromisoformat(iso)
        else:
            kind = "day" if re.match(_any(NAMES[language]["weekdays"]), text) else "date"
            value = datetime.date.fromisoformat(iso)
        assert read(text, kind, language) == expected(value, kind), found[0]
        count += 1
    return count


def shown_text(page: str) -> str:
    """A page's text outside its tags and form values (what a reader sees as text)."""
    page = re.sub(r"<script.*?</script>|<style.*?</style>", " ", page, flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


def page_in(client: Any, url: str, language: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    return page


# 23:30 on New Year's Eve is already the next day (and year) in UTC; 01:30 CST the day
# clocks fall back is the second 01:30 of that day.
PAGE_MOMENTS = [
    pytest.param(datetime.datetime(2027, 1, 1, 5, 30, tzinfo=datetime.UTC), id="new-years-eve"),
    pytest.param(datetime.datetime(2026, 11, 1, 7, 30, tzinfo=datetime.UTC), id="dst-ends"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", PAGE_MOMENTS)
@pytest.mark.parametrize("language", ["en", "es"])
def test_pages_show_each_kind_in_its_one_style(
    moment: datetime.datetime, language: str, personas: Any, door: Any, client_for: Any
) -> None:
    with time_machine.travel(moment, tick=False):
        today = timezone.localdate()
        referral: Referral = ReferralFactory(family__program=door, received_on=today)
        council = CouncilFactory(program=door)
        meeting: Meeting = MeetingFactory(
            council=council, held_on=today, starts_at=datetime.time(18, 30)
        )
        client = client_for(personas["door_coordinator"])

        page = page_in(client, f"/referrals/{referral.pk}/", language)
        assert check_time_elements(page, language) >= 2
        assert f'<time datetime="{today.isoformat()}">' in page  # received: the local day
        assert not OTHER_STYLES.search(shown_text(page))

        page = page_in(client, f"/councils/meetings/{meeting.pk}/", language)
        assert check_time_elements(page, language) >= 3
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)
        assert heading
        day_heading = re.search(shapes(language)["day"], heading[1])
        assert day_heading, heading[1]
        assert read(day_heading[0], "day", language) == expected(today, "day")
        assert not OTHER_STYLES.search(shown_text(page))

        page = page_in(client, "/referrals/", language)
        assert check_time_elements(page, language) >= 1


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_emails_write_moments_in_the_readers_style(language: str) -> None:
    moment = datetime.datetime(2027, 1, 1, 5, 30, tzinfo=datetime.UTC)  # Dec 31 in Wisconsin
    with translation.override(language):
        body = render_to_string(
            "psp/email/second_factor_changed-body.txt",
            {"changed_at": moment, "user": None, "site_name": "PSP"},
        )
    found = re.search(shapes(language)["datetime"], body)
    assert found, body
    assert read(found[0], "datetime", language) == expected(moment, "datetime")
    assert not OTHER_STYLES.search(body)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_the_report_pdf_writes_dates_in_the_readers_style(language: str, door: Any) -> None:
    moment = datetime.datetime(2026, 10, 1, 5, 30, tzinfo=datetime.UTC)  # Sep 30, 00:30 CDT
    report = Report(program=door, year=2026, quarter=3, suppressed=True)
    with time_machine.travel(moment, tick=False), translation.override(language):
        html = documents.render_html(documents.pdf_context(report, documents.report_data(report)))
    text = shown_text(html)
    shape = shapes(language)
    generated = re.search(shape["datetime"], text)
    assert generated, "no date with time in the report"
    assert read(generated[0], "datetime", language) == expected(moment, "datetime")
    quarter = [read(found[0], "date", language) for found in re.finditer(shape["date"], text)]
    assert {"year": 2026, "month": 7, "day": 1} in quarter
    assert {"year": 2026, "month": 9, "day": 30} in quarter
    assert not OTHER_STYLES.search(text)


# --- No template spells a format ----------------------------------------------------------

# A date filter with a format string is allowed only for a machine-readable attribute.
MACHINE_FORMATS = {"c", "Y-m-d", "H:i"}
DATE_FILTER = re.compile(r"""\|\s*(?:date|time)\b(?:\s*:\s*(['"])(?P<format>.*?)\1)?""")
HUMANIZE = re.compile(r"\|\s*(?:naturalday|naturaltime)\b")


def spelled_formats(source: str) -> list[str]:
    """The date expressions of a template source that spell a format for people to read."""
    found = []
    for match in DATE_FILTER.finditer(source):
        machine = match["format"] in MACHINE_FORMATS
        in_attribute = re.search(r'(datetime|content)="[^"]*$', source[: match.start()])
        if not (machine and in_attribute):
            found.append(match[0])
    return found + [match[0] for match in HUMANIZE.finditer(source)]


def project_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    folders = [base / "templates"] + [
        base / app / "templates"
        for app in ("psp", "referrals", "mentoring", "councils", "reporting")
    ]
    return [
        path for folder in folders for path in folder.rglob("*") if path.suffix in {".html", ".txt"}
    ]


def test_the_lint_finds_a_spelled_format() -> None:
    assert spelled_formats('{{ day|date:"SHORT_DATE_FORMAT" }}')
    assert spelled_formats('{% blocktranslate with d=day|date:"j F Y" %}')
    assert spelled_formats("{{ day|date }}{{ at|time:'g:i A' }}{{ day|naturalday }}")
    assert spelled_formats("<p>{{ day|date:'Y-m-d' }}</p>")  # ISO shown as text
    assert not spelled_formats('<time datetime="{{ day|date:\'Y-m-d\' }}">{{ day|when:"date" }}')
    assert not spelled_formats('{{ day|when_tag:"day" }}{{ x|datetime_thing }}')


def test_no_template_spells_a_date_format() -> None:
    templates = project_templates()
    assert len(templates) > 50
    spelled = {
        str(path.relative_to(settings.BASE_DIR)): spelled_formats(path.read_text())
        for path in templates
    }
    assert {path: found for path, found in spelled.items() if found} == {}


# --- Typed dates: month first, in every language ------------------------------------------


class BirthForm(forms.Form):
    born = SplitDateField(label="Date of birth")


class DayForm(forms.Form):
    day = DateField(label="Date")


@pytest.mark.parametrize("language", ["en", "es", "hmn"])
@pytest.mark.parametrize("typed", ["03/04/2019", "3/4/2019", "2019-03-04"])
def test_a_typed_date_is_read_month_first(language: str, typed: str) -> None:
    with translation.override(language):
        form = DayForm({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2019, 3, 4)


@pytest.mark.parametrize("language", ["en", "es", "hmn"])
def test_birth_date_boxes_are_month_day_year(language: str) -> None:
    with translation.override(language):
        form = BirthForm({"born_month": "03", "born_day": "04", "born_year": "2019"})
        assert form.is_valid(), form.errors
        html = str(form["born"])
    assert form.cleaned_data["born"] == datetime.date(2019, 3, 4)
    assert html.index('name="born_month"') < html.index('name="born_day"')
    assert html.index('name="born_day"') < html.index('name="born_year"')


@pytest.mark.parametrize("typed", ["04/31/2019", "13/01/2019", "02/29/2019", "27/03/2019"])
def test_an_impossible_typed_date_is_explained_at_the_field(typed: str) -> None:
    form = DayForm({"day": typed})
    assert not form.is_valid()
    assert form.errors["day"] == ["Enter a real date, for example 03/27/2019."]


HOSTILE_DATES = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?\d{1,12}[/.\- ]-?\d{1,12}[/.\- ]-?\d{1,12}", fullmatch=True),
    st.sampled_from(
        [
            "00/00/0000",
            "02/30/2024",
            "12/31/9999",
            "01/01/0001",
            "9999-12-31",
            "2019-13-01",
            "１２/０１/２０２６",
            "03/04/2019\x00",
            "03/04/2019; DROP TABLE",
            "NaN",
            "１e308",
            "%m/%d/%Y",
        ]
    ),
)


@hypothesis_settings(max_examples=200, deadline=None)
@given(typed=HOSTILE_DATES, language=st.sampled_from(["en", "es", "hmn"]))
def test_hostile_typed_dates_give_a_field_error_or_a_real_date(typed: str, language: str) -> None:
    with translation.override(language):
        form = DayForm({"day": typed})
        if form.is_valid():
            assert 1900 <= form.cleaned_data["day"].year <= 2100
        else:
            assert list(form.errors) == ["day"] and form.errors["day"][0]


@hypothesis_settings(max_examples=200, deadline=None)
@given(parts=st.tuples(HOSTILE_DATES, HOSTILE_DATES, HOSTILE_DATES))
def test_hostile_birth_date_boxes_give_a_field_error_or_a_real_date(
    parts: tuple[str, str, str],
) -> None:
    month, day, year = parts
    form = BirthForm({"born_month": month, "born_day": day, "born_year": year})
    if form.is_valid():
        assert form.cleaned_data["born"] <= timezone.localdate()
    else:
        assert list(form.errors) == ["born"] and form.errors["born"][0]


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=HOSTILE_DATES)
def test_hostile_dates_in_a_page_filter_never_fail_the_page(
    typed: str, personas: Any, client_for: Any
) -> None:
    typed = typed.replace("\x00", "")  # a NUL byte is refused before any form reads it
    response = client_for(personas["door_coordinator"]).get("/referrals/", {"received_from": typed})
    assert response.status_code == 200


# --- Records named in the admin's lists and the audit log --------------------------------


@pytest.mark.parametrize(("language", "day"), [("en", "Dec 1, 2026"), ("es", "1 dic 2026")])
def test_records_are_named_with_their_date_in_the_readers_style(language: str, day: str) -> None:
    """What the admin lists and the audit log's "object" column read: the date kind, never
    ISO; an audit entry's moment in Wisconsin time (01:20 UTC on Dec 2 is Dec 1 there)."""
    when = datetime.date(2026, 12, 1)
    council = Council(name="Door council")
    records = [
        Meeting(council=council, held_on=when),
        Stipend(member=CouncilMember(council=council, name="Ana"), amount=50, awarded_on=when),
        OutreachEvent(held_on=when, title="Fair"),
        Activity(activity_type="home_visit", occurred_on=when),
        SupervisionSession(parent_partner=ParentPartner(first_name="Jo"), held_on=when),
        ClinicalSupportSession(program=Program(name="Door"), held_on=when),
        RemovalEpisode(child=Child(first_name="Mia", last_name="Lee"), removed_on=when),
        PlacementChange(started_on=when),
        AuditEntry(occurred_at=datetime.datetime(2026, 12, 2, 1, 20, tzinfo=datetime.UTC)),
    ]
    with translation.override(language):
        names = {type(record).__name__: str(record) for record in records}
    for name in names.values():
        assert day in name, names
        assert "2026-12" not in name, names
    assert names["Meeting"] == ("Door council, " + day)
    assert "7:20 PM" in names["AuditEntry"] or "19:20" in names["AuditEntry"]
