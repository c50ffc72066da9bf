"""Reading a state comparison extract: the CSV file DCF gives of the children in out-of-home
care in the program counties (one row per removal episode), checked row by row.

Pure: no database. ``read_extract`` takes the file's bytes (a binary file object) and the
period the state staff entered, and yields each data row as an ``Episode`` (accepted) or a
``Rejected`` (with its problems, in plain words); it raises ``Refused`` when the whole file
cannot be used (not UTF-8, not a CSV, no header, columns missing...), possibly after rows
were yielded (a file too long, or a byte that is not UTF-8 far down the file).
``read_lines`` does the same from text lines (the tests, and any caller holding text).

The file reads a row at a time (the csv module over a text wrapper): never the whole file in
memory. The layout is written down for the state in ``docs/comparison-extract.md``.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from referrals.models import DischargeReason, OutOfHomeCareType, RaceEthnicity, RemovalReason

# The largest file taken (the upload form says so at the field) and the most rows read.
COMPARISON_MAX_BYTES = 20 * 1024 * 1024
# The largest upload the page reads (the form then keeps no more than the file's limit of
# it and says at the field that it is too large); a larger one gets the too-large page.
COMPARISON_LARGEST_BODY = 64 * 1024 * 1024
COMPARISON_MAX_ROWS = 200_000
# The longest identifier the state's extract may carry (the database column's length).
MAX_ID_LENGTH = 64
OLDEST_AT_ENTRY = 21
MOST_PRIOR_REMOVALS = 99
# The most characters of a wrong value repeated in a problem's message.
SHOWN_VALUE_LENGTH = 40

# Wisconsin's 72 counties, spelled as Wisconsin spells them.
WISCONSIN_COUNTIES = (
    "Adams", "Ashland", "Barron", "Bayfield", "Brown", "Buffalo", "Burnett", "Calumet",
    "Chippewa", "Clark", "Columbia", "Crawford", "Dane", "Dodge", "Door", "Douglas", "Dunn",
    "Eau Claire", "Florence", "Fond du Lac", "Forest", "Grant", "Green", "Green Lake", "Iowa",
    "Iron", "Jackson", "Jefferson", "Juneau", "Kenosha", "Kewaunee", "La Crosse", "Lafayette",
    "Langlade", "Lincoln", "Manitowoc", "Marathon", "Marinette", "Marquette", "Menominee",
    "Milwaukee", "Monroe", "Oconto", "Oneida", "Outagamie", "Ozaukee", "Pepin", "Pierce",
    "Polk", "Portage", "Price", "Racine", "Richland", "Rock", "Rusk", "St. Croix", "Sauk",
    "Sawyer", "Shawano", "Sheboygan", "Taylor", "Trempealeau", "Vernon", "Vilas", "Walworth",
    "Washburn", "Washington", "Waukesha", "Waupaca", "Waushara", "Winnebago", "Wood",
)  # fmt: skip

COLUMNS = (
    "episode_id",
    "child_id",
    "county",
    "age_at_entry",
    "sex",
    "race_ethnicity",
    "removal_reasons",
    "placement_setting",
    "prior_removals",
    "entry_date",
    "discharge_date",
    "discharge_reason",
)
SEXES = {"female": "female", "f": "female", "male": "male", "m": "male", "unknown": "unknown",
         "u": "unknown"}  # fmt: skip

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DIGITS = re.compile(r"\d{1,6}")
_NOT_LETTERS = re.compile(r"[^a-z]")


def _county_key(name: str) -> str:
    """The letters of a county's name: "St. Croix", "st croix", "Saint Croix County"
    all give "stcroix" (the last with "county")."""
    key = _NOT_LETTERS.sub("", name.casefold())
    if key.startswith("saint"):
        key = "st" + key[5:]
    return key


_COUNTIES = {_county_key(name): name for name in WISCONSIN_COUNTIES}


def county_name(given: str) -> str | None:
    """Wisconsin's spelling of the county ``given`` names ("door county" -> "Door"), or None
    when it is not one of Wisconsin's 72."""
    key = _county_key(given)
    if key in _COUNTIES:
        return _COUNTIES[key]
    if key.endswith("county"):
        return _COUNTIES.get(key[: -len("county")])
    return None


@dataclass(frozen=True)
class Period:
    """What the state staff said of the extract: the episodes that began from ``start`` to
    ``end``, as the state's records stood on ``data_as_of``."""

    start: datetime.date
    end: datetime.date
    data_as_of: datetime.date


@dataclass(frozen=True)
class Episode:
    """An accepted row, with its values as the database keeps them."""

    row: int
    episode_id: str
    child_id: str
    county: str
    age_at_entry: int
    sex: str
    race_ethnicity: str
    removal_reasons: list[str]
    placement_setting: str
    prior_removals: int
    entry_date: datetime.date
    discharge_date: datetime.date | None
    discharge_reason: str


@dataclass(frozen=True)
class Problem:
    """Why a row was not taken: its row as a spreadsheet numbers it (the header is row 1),
    the column, and what is wrong in plain words."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, int | str]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Rejected:
    row: int
    problems: list[Problem] = field(default_factory=list)


class Refused(Exception):
    """The whole file cannot be used; ``message`` says why, in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def read_extract(binary: IO[bytes], period: Period) -> Iterator[Episode | Rejected]:
    """The rows of the CSV file ``binary`` (UTF-8, with or without a byte-order mark)."""
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict", newline="")
    rows = 1
    try:
        for result in read_lines(text, period):
            rows = result.row
            yield result
    except UnicodeDecodeError as error:
        raise Refused(
            _("The file is not UTF-8 text (the first problem is near row %(row)s). Save it "
              "again as “CSV UTF-8” and upload it again.") % {"row": rows + 1}
        ) from error  # fmt: skip
    finally:
        text.detach()  # leave the caller's file open


def read_lines(lines: Iterable[str], period: Period) -> Iterator[Episode | Rejected]:
    """The rows of the CSV text ``lines`` (each line with its line ending, as a file gives
    them)."""
    reader = csv.reader(_no_nul(lines), strict=True)
    try:
        header = next(reader, None)
        columns = _columns(header)
        seen: dict[str, int] = {}  # episode_id -> the row it first appeared in
        row_number = 1
        data_rows = 0
        for values in reader:
            row_number += 1
            if not any(value.strip() for value in values):
                continue  # an empty line: nothing to take or to refuse
            data_rows += 1
            if data_rows > COMPARISON_MAX_ROWS:
                raise Refused(
                    _("The file has more than %(most)s rows. Split it by period and upload "
                      "each part.") % {"most": f"{COMPARISON_MAX_ROWS:,}"}
                )  # fmt: skip
            yield _check_row(row_number, values, columns, period, seen)
    except csv.Error as error:
        raise Refused(
            _("The file cannot be read as a CSV file (row %(row)s: %(reason)s). Save it again "
              "as “CSV UTF-8 (comma delimited)” and upload it again.")
            % {"row": max(reader.line_num, 1), "reason": str(error)}
        ) from error  # fmt: skip
    if data_rows == 0:
        raise Refused(_("The file has a header row but no rows of data under it."))


def _no_nul(lines: Iterable[str]) -> Iterator[str]:
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise Refused(
                _("The file is not CSV text: line %(line)s holds a NUL character, as a program "
                  "or a picture does. Save the extract as “CSV UTF-8” and upload it again.")
                % {"line": number}
            )  # fmt: skip
        yield line


def _columns(header: list[str] | None) -> dict[str, int]:
    """Each known column's position in the rows; refuses a file whose header lacks one."""
    if header is None or not any(name.strip() for name in header):
        raise Refused(
            _("The file is empty or its first row is empty. The first row must name the "
              "columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)}
        )  # fmt: skip
    positions: dict[str, int] = {}
    repeated: list[str] = []
    for index, name in enumerate(header):
        key = name.strip().lstrip("\ufeff").strip().casefold()
        if not key:
            continue
        if key in positions:
            repeated.append(key)
        positions.setdefault(key, index)
    if repeated:
        raise Refused(
            _("The header row names these columns more than once: %(columns)s. Keep one of "
              "each.") % {"columns": ", ".join(dict.fromkeys(repeated))}
        )  # fmt: skip
    missing = [name for name in COLUMNS if name not in positions]
    if missing:
        raise Refused(
            _("The header row lacks these columns: %(columns)s. The first row must name every "
              "column of the layout.") % {"columns": ", ".join(missing)}
        )  # fmt: skip
    return {name: positions[name] for name in COLUMNS}


def _shown(value: str) -> str:
    value = " ".join(value.split())
    if len(value) > SHOWN_VALUE_LENGTH:
        value = value[: SHOWN_VALUE_LENGTH - 1] + "…"
    return value


def _check_row(
    row: int,
    values: list[str],
    columns: dict[str, int],
    period: Period,
    seen: dict[str, int],
) -> Episode | Rejected:
    problems: list[Problem] = []

    def problem(column: str, message: str) -> None:
        problems.append(Problem(row, column, message))

    if len(values) <= max(columns.values()):
        # A short row: the values it has may be under the wrong columns.
        problem("", _("This row has %(count)s values, fewer than the header's columns.")
                % {"count": len(values)})  # fmt: skip
        return Rejected(row, problems)
    value = {name: values[index].strip() for name, index in columns.items()}

    episode_id = value["episode_id"]
    if not episode_id:
        problem("episode_id", _("Enter the episode's identifier."))
    elif len(episode_id) > MAX_ID_LENGTH:
        problem("episode_id", _("The identifier is longer than %(most)s characters.")
                % {"most": MAX_ID_LENGTH})  # fmt: skip
    elif episode_id in seen:
        # The identifier itself is never repeated in a message: it is the state's.
        problem("episode_id", _("This episode_id is already in row %(row)s.")
                % {"row": seen[episode_id]})  # fmt: skip
    else:
        seen[episode_id] = row

    child_id = value["child_id"]
    if not child_id:
        problem("child_id", _("Enter the child's identifier."))
    elif len(child_id) > MAX_ID_LENGTH:
        problem("child_id", _("The identifier is longer than %(most)s characters.")
                % {"most": MAX_ID_LENGTH})  # fmt: skip

    county = county_name(value["county"]) if value["county"] else None
    if not value["county"]:
        problem("county", _("Enter the county."))
    elif county is None:
        problem("county", _("“%(value)s” is not one of Wisconsin's 72 counties.")
                % {"value": _shown(value["county"])})  # fmt: skip

    age = _whole_number(value["age_at_entry"])
    if age is None or age > OLDEST_AT_ENTRY:
        problem("age_at_entry", _("Enter the age at entry in whole years, from 0 to %(most)s.")
                % {"most": OLDEST_AT_ENTRY})  # fmt: skip

    sex = SEXES.get(value["sex"].casefold()) if value["sex"] else ""
    if sex is None:
        problem("sex", _("“%(value)s” is not female, male or unknown (or F, M, U).")
                % {"value": _shown(value["sex"])})  # fmt: skip

    race = _code(value["race_ethnicity"], RaceEthnicity.values) if value["race_ethnicity"] else ""
    if race is None:
        problem("race_ethnicity", _("“%(value)s” is not one of the race or ethnicity codes.")
                % {"value": _shown(value["race_ethnicity"])})  # fmt: skip

    reasons = list(dict.fromkeys(
        code.strip().casefold() for code in value["removal_reasons"].split(";") if code.strip()
    ))  # fmt: skip
    unknown = [code for code in reasons if code not in RemovalReason.values]
    if not reasons:
        problem("removal_reasons", _("Enter at least one removal reason."))
    elif unknown:
        problem("removal_reasons", _("Not removal reason codes: %(codes)s.")
                % {"codes": _shown(", ".join(unknown))})  # fmt: skip

    placement = _code(value["placement_setting"], OutOfHomeCareType.values)
    if not value["placement_setting"]:
        problem("placement_setting", _("Enter the first placement setting."))
    elif placement is None:
        problem("placement_setting", _("“%(value)s” is not one of the placement setting codes.")
                % {"value": _shown(value["placement_setting"])})  # fmt: skip

    prior = _whole_number(value["prior_removals"])
    if prior is None or prior > MOST_PRIOR_REMOVALS:
        problem("prior_removals", _("Enter the number of earlier removals, from 0 to %(most)s.")
                % {"most": MOST_PRIOR_REMOVALS})  # fmt: skip

    entry = _date(value["entry_date"])
    if entry is None:
        problem("entry_date", _date_message(value["entry_date"], required=True))
    elif entry < period.start:
        problem("entry_date", _("%(date)s is before the extract's period (%(start)s to %(end)s).")
                % {"date": entry.isoformat(), "start": period.start.isoformat(),
                   "end": period.end.isoformat()})  # fmt: skip
    elif entry > period.data_as_of:
        problem("entry_date", _("%(date)s is after the date the data is as of (%(as_of)s).")
                % {"date": entry.isoformat(), "as_of": period.data_as_of.isoformat()})  # fmt: skip

    discharge = _date(value["discharge_date"]) if value["discharge_date"] else None
    if value["discharge_date"] and discharge is None:
        problem("discharge_date", _date_message(value["discharge_date"], required=False))
    elif discharge is not None and entry is not None and discharge < entry:
        problem("discharge_date", _("The discharge date is before the entry date."))
    elif discharge is not None and discharge > period.data_as_of:
        problem("discharge_date", _("%(date)s is after the date the data is as of (%(as_of)s).")
                % {"date": discharge.isoformat(),
                   "as_of": period.data_as_of.isoformat()})  # fmt: skip

    reason = _code(value["discharge_reason"], DischargeReason.values)
    if value["discharge_reason"] and reason is None:
        problem("discharge_reason", _("“%(value)s” is not one of the discharge reason codes.")
                % {"value": _shown(value["discharge_reason"])})  # fmt: skip
    elif value["discharge_date"] and not value["discharge_reason"]:
        problem("discharge_reason", _("Enter why the episode ended: it has a discharge date."))
    elif value["discharge_reason"] and not value["discharge_date"]:
        problem("discharge_reason", _("Leave it blank: the episode has no discharge date."))

    if problems:
        return Rejected(row, problems)
    assert county is not None and age is not None and sex is not None and race is not None
    assert placement is not None and prior is not None and entry is not None
    return Episode(
        row=row,
        episode_id=episode_id,
        child_id=child_id,
        county=county,
        age_at_entry=age,
        sex=sex,
        race_ethnicity=race,
        removal_reasons=reasons,
        placement_setting=placement,
        prior_removals=prior,
        entry_date=entry,
        discharge_date=discharge,
        discharge_reason=reason or "",
    )


def _whole_number(value: str) -> int | None:
    return int(value) if _DIGITS.fullmatch(value) else None


def _code(value: str, codes: list[str]) -> str | None:
    code = value.casefold()
    return code if code in codes else None


def _date(value: str) -> datetime.date | None:
    if not _ISO_DATE.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _date_message(value: str, *, required: bool) -> str:
    if not value and required:
        return _("Enter the entry date, written as YYYY-MM-DD.")
    if _ISO_DATE.fullmatch(value):
        return _("“%(value)s” is not a real date: check the month and the day (YYYY-MM-DD).") % {
            "value": value
        }
    return _("“%(value)s” is not a date written as YYYY-MM-DD, for example 2025-03-31.") % {
        "value": _shown(value)
    }
