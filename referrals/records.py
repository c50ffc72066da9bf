"""One family's whole record in one zip file, for a records request.

``family_record_archive`` gathers everything the program holds on a family (the family, its
parents and children, referrals and their timeline, cases with their Parent Partners, goals
and progress, contacts, surveys, and the audit log's entries about any of these records) and
writes it three ways, so a records officer can read it, print it, and hand it on:

- ``README.txt``: which program, which family, when and by whom it was produced, what each
  file holds and how many records of each kind;
- ``record.html``: the whole record to read or print, with each field's label and each
  choice's name in the reader's language;
- ``record.json``: the same for computers, values as stored, with the labels alongside;
- ``csv/<table>.csv``: one spreadsheet per kind of record, labelled.

Referrals knows only its own records; the apps that build on it add theirs through the hooks
``family.record.prefetch`` (what to load with the family) and ``family.record.tables``
(their tables), as mentoring does for cases, goals, contacts and surveys.

The family must come from ``selectors.family_record``: everything is already loaded, so the
archive costs one more query (the audit entries) whatever the size of the family's history.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import functools
import html
import io
import json
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from django.db import models
from django.db.models import Q
from django.template.defaultfilters import linebreaksbr
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from psp import hooks
from psp.dates import format_when
from psp.exports import csv_safe
from psp.models import AuditEntry, User
from referrals.models import (
    Child,
    Family,
    Need,
    Parent,
    PlacementChange,
    Referral,
    RemovalEpisode,
    Transition,
)

FORMAT = "psp-family-record/1"
# Bookkeeping, not part of anyone's record.
LEFT_OUT = frozenset({"version", "name_key", "client_uuid", "program", "family"})
AUDIT_FIELDS = [
    "id",
    "occurred_at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip_address",
    "path",
]


@dataclass
class Table:
    """One kind of record: its file name, its title, its fields and its rows."""

    key: str
    title: str | Promise
    singular: str | Promise
    model: type[models.Model]
    rows: Sequence[models.Model]
    field_names: list[str] | None = None
    # The names of the choices of fields kept as JSON lists (a referral's needs...).
    list_labels: dict[str, dict[str, Any]] = field(default_factory=dict)

    @functools.cached_property
    def fields(self) -> list[models.Field[Any, Any]]:
        fields = [
            field
            for field in self.model._meta.concrete_fields
            if field.name not in LEFT_OUT
            and (self.field_names is None or field.name in self.field_names)
        ]
        if self.field_names is not None:
            fields.sort(key=lambda field: self.field_names.index(field.name))  # type: ignore[union-attr]
        return fields


def family_tables(family: Family) -> list[Table]:
    """Every kind of record the program holds on ``family``, in the order a person reads it:
    referrals' own, then what other apps add (hook ``family.record.tables``: mentoring's
    cases, goals, contacts and surveys), then the audit log's entries about all of them."""
    referrals = list(family.referrals.all())
    children = list(family.children.all())
    episodes = [episode for child in children for episode in child.episodes.all()]
    tables = [
        Table("family", gettext_lazy("Family"), gettext_lazy("Family"), Family, [family]),
        Table(
            "parents",
            gettext_lazy("Parents"),
            gettext_lazy("Parent"),
            Parent,
            list(family.parents.all()),
        ),
        Table(
            "children",
            gettext_lazy("Children"),
            gettext_lazy("Child"),
            Child,
            children,
        ),
        Table(
            "stays_in_care",
            gettext_lazy("Stays in out-of-home care"),
            gettext_lazy("Stay"),
            RemovalEpisode,
            episodes,
        ),
        Table(
            "placements",
            gettext_lazy("Placements"),
            gettext_lazy("Placement"),
            PlacementChange,
            [placement for episode in episodes for placement in episode.placements.all()],
        ),
        Table(
            "referrals",
            gettext_lazy("Referrals"),
            gettext_lazy("Referral"),
            Referral,
            referrals,
            list_labels={"needs": dict(Need.choices)},
        ),
        Table(
            "referral_steps",
            gettext_lazy("Referral timeline"),
            gettext_lazy("Step"),
            Transition,
            [step for referral in referrals for step in referral.transitions.all()],
        ),
    ]
    for more_tables in hooks.get("family.record.tables"):
        tables.extend(more_tables(family))
    tables.append(
        Table(
            "audit_log",
            gettext_lazy("Audit log entries about this record"),
            gettext_lazy("Entry"),
            AuditEntry,
            list(_audit_entries(tables)),
            field_names=AUDIT_FIELDS,
        )
    )
    return tables


def _audit_entries(tables: list[Table]) -> Iterable[AuditEntry]:
    """Who created, changed, viewed or exported any of the records in ``tables``."""
    match = Q(pk__in=[])
    for table in tables:
        ids = [str(row.pk) for row in table.rows]
        if ids:
            match |= Q(object_type=table.model._meta.label_lower, object_id__in=ids)
    return AuditEntry.objects.filter(match).order_by("occurred_at", "id")


def _label(field: models.Field[Any, Any]) -> str:
    return str(capfirst(field.verbose_name))


def _stored(field: models.Field[Any, Any], row: models.Model) -> Any:
    """The value as stored, JSON-safe: a related record by its id."""
    value = getattr(row, field.attname)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


@functools.cache
def _choice_names(field: models.Field[Any, Any], language: str | None) -> dict[Any, str]:
    """A field's choices by value, with their names in ``language``: looked up once per
    field and language, not once per cell of a family's years of contacts."""
    with translation.override(language):
        return {value: str(name) for value, name in field.flatchoices}


@functools.cache
def _yes_no(language: str | None) -> tuple[str, str]:
    with translation.override(language):
        return _("No"), _("Yes")


def _shown_both(
    table: Table, field: models.Field[Any, Any], row: models.Model, language: str | None
) -> tuple[str, str]:
    """The value as a person reads it, twice: for the HTML record, and for a spreadsheet.
    Choices by name, dates in the reader's format (for a spreadsheet, as ISO 8601, which it
    sorts), a related record by its name (only when already loaded: never a query per
    cell). The two differ only for dates and times. ``language`` is the active one."""
    if field.is_relation:
        if field.is_cached(row):  # type: ignore[attr-defined]
            related = getattr(row, field.name)
            shown = "" if related is None else str(related)
        else:
            value = getattr(row, field.attname)
            shown = "" if value is None else str(value)
        return shown, shown
    value = getattr(row, field.attname)
    if value is None or value == "":
        return "", ""
    if field.choices:
        name = _choice_names(field, language).get(value)
        shown = str(value) if name is None else name
    elif isinstance(value, bool):
        shown = _yes_no(language)[value]
    elif isinstance(value, datetime.datetime):
        local = timezone.localtime(value)
        return format_when(local, "datetime"), f"{local:%Y-%m-%d %H:%M}"
    elif isinstance(value, datetime.date):
        return format_when(value, "date"), value.isoformat()
    elif isinstance(value, datetime.time):
        return format_when(value, "time"), f"{value:%H:%M}"
    elif isinstance(value, list):
        labels = table.list_labels.get(field.name, {})
        shown = "; ".join(str(labels.get(item, item)) for item in value)
    elif isinstance(value, dict):
        shown = json.dumps(value, ensure_ascii=False, sort_keys=True)
    else:
        shown = str(value)
    return shown, shown


def _html(value: str) -> str:
    """A cell for the HTML record, escaped: a dash when empty, line breaks kept. Done here,
    once a cell, rather than by the template's tags and filters on each of a family's
    thousands of cells."""
    if not value:
        return "–"
    if "\n" in value:
        return linebreaksbr(value, autoescape=True)
    if hasattr(value, "__html__"):  # already safe, as the template would leave it
        return str(value.__html__())
    # What django.utils.html.escape does, without its check of every argument for a lazy
    # string: thousands of calls a download.
    return html.escape(value)


def _csv(table: Table, rows: Iterable[list[str]]) -> str:
    """The table as a spreadsheet: ``rows`` are its cells for one (``_shown_both``)."""
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheet programs then read accented names as UTF-8
    writer = csv.writer(out)
    writer.writerow([_label(field) for field in table.fields])
    for cells in rows:
        writer.writerow(csv_safe(cells))
    return out.getvalue()


def indented_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text, in a third of
    the time for a family's years of contacts (see ``_indented``)."""
    out: list[str] = []
    _indented(value, out)
    return "".join(out)


def _indented(value: Any, out: list[str], indent: str = "\n") -> None:
    """``json.dumps(value, ensure_ascii=False, indent=2)`` written into ``out``, the same
    text: the standard library's indented encoder is pure Python and makes a generator for
    every object and list, the most of a large family's JSON time. Anything but text,
    numbers, true/false/null, lists and objects with text keys goes to ``json.dumps``."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = "{"
        for key, item in value.items():
            out.append(f"{separator}{inner}{encode_basestring(key)}: ")
            _indented(item, out, inner)
            separator = ","
        out.append(indent + "}")
    elif isinstance(value, list):
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        separator = "["
        for item in value:
            out.append(separator + inner)
            _indented(item, out, inner)
            separator = ","
        out.append(indent + "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(json.dumps(value))
    else:  # a tuple, an object with other keys, or what json.dumps refuses, as it refuses it
        out.append(json.dumps(value, ensure_ascii=False, indent=2).replace("\n", indent))


def _json(
    family: Family, tables: list[Table], produced_by: User, produced_at: datetime.datetime
) -> str:
    document = {
        "format": FORMAT,
        "program": {"id": family.program_id, "name": family.program.name},
        "family_id": family.pk,
        "produced_at": timezone.localtime(produced_at).isoformat(),
        "produced_by": produced_by.get_username(),
        "tables": {
            table.key: {
                "title": str(table.title),
                "fields": {
                    field.attname: {
                        "label": _label(field),
                        **(
                            {"choices": {str(k): str(v) for k, v in field.flatchoices}}
                            if field.choices
                            else {}
                        ),
                    }
                    for field in table.fields
                },
                "rows": [
                    {field.attname: _stored(field, row) for field in table.fields}
                    for row in table.rows
                ],
            }
            for table in tables
        },
    }
    return indented_json(document)


def archive_filename(family: Family, produced_at: datetime.datetime) -> str:
    """No names in it: the file name shows in download lists and shared folders."""
    return f"family-{family.pk}-record-{timezone.localdate(produced_at).isoformat()}.zip"


def record_counts(tables: list[Table]) -> dict[str, int]:
    """How many records of each kind ``tables`` hold, as the export's audit entry keeps."""
    return {table.key: len(table.rows) for table in tables}


class _Written:
    """A file zipfile writes to and that keeps nothing: ``take()`` hands back (and forgets)
    what was written since it was last called. Not seekable, so zipfile writes each file's
    sizes after its data, as a stream allows."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def family_record_chunks(
    family: Family,
    tables: list[Table],
    *,
    produced_by: User,
    produced_at: datetime.datetime,
) -> Iterator[bytes]:
    """The zip file of ``tables`` (``family_tables(family)``), a file at a time: README.txt
    first, which costs next to nothing, then the HTML record, the JSON and the spreadsheets.
    Everything is already loaded: writing it makes no query, so it can go on after the view
    has returned, in the language and time zone the request had then."""
    language = translation.get_language()
    zone = timezone.get_current_timezone()
    readme_context = {
        "family": family,
        "program": family.program,
        "tables": tables,  # README.txt counts each one's rows
        "produced_at": produced_at,
        "produced_by": produced_by,
        "anonymised": family.anonymised_at is not None,
    }
    spreadsheets: dict[str, list[list[str]]] = {}

    def record_html() -> str:
        tables_shown = []
        for table in tables:
            fields = table.fields
            # The <dt> and <dd> of each cell, as the template would write them, escaped
            # here: a family's thousands of cells would otherwise cost the template a dozen
            # lookups and filters each.
            starts = [f"\n      <dt>{escape(_label(field))}</dt><dd>" for field in fields]
            rows_html = []
            rows_iso = []
            for row in table.rows:
                cells = [_shown_both(table, field, row, language) for field in fields]
                rows_html.append(
                    mark_safe(  # noqa: S308 - labels and values escaped above and by _html
                        "".join(
                            f"{start}{_html(shown)}</dd>"
                            for start, (shown, _iso) in zip(starts, cells, strict=True)
                        )
                    )
                )
                rows_iso.append([iso for _shown_value, iso in cells])
            spreadsheets[table.key] = rows_iso
            tables_shown.append(
                {
                    "key": table.key,
                    "title": table.title,
                    "singular": str(table.singular),
                    "rows": rows_html,
                }
            )
        context = {**readme_context, "tables": tables_shown}
        return render_to_string("referrals/family_record.html", context)

    files: list[tuple[str, Callable[[], str]]] = [
        (
            "README.txt",
            lambda: render_to_string("referrals/family_record_readme.txt", readme_context),
        ),
        ("record.html", record_html),
        ("record.json", lambda: _json(family, tables, produced_by, produced_at)),
        *(
            (f"csv/{table.key}.csv", functools.partial(_spreadsheet, table, spreadsheets))
            for table in tables
        ),
    ]

    def chunks() -> Iterator[bytes]:
        written = _Written()
        with zipfile.ZipFile(written, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, make in files:
                with translation.override(language), timezone.override(zone):
                    archive.writestr(name, make())
                yield written.take()
        yield written.take()  # the zip's table of contents

    return chunks()


def _spreadsheet(table: Table, spreadsheets: dict[str, list[list[str]]]) -> str:
    """The table's CSV, from its cells worked out with the HTML record's."""
    return _csv(table, spreadsheets[table.key])


def family_record_archive(
    family: Family, *, produced_by: User, produced_at: datetime.datetime | None = None
) -> tuple[bytes, dict[str, int]]:
    """The zip file's bytes, and how many records of each kind it holds."""
    tables = family_tables(family)
    chunks = family_record_chunks(
        family, tables, produced_by=produced_by, produced_at=produced_at or timezone.now()
    )
    return b"".join(chunks), record_counts(tables)
