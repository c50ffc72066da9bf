"""Helpers every CSV export shares."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import HttpResponseBase, HttpResponseRedirect, StreamingHttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from psp import audit
from psp.http import AuthenticatedHttpRequest
from psp.models import AuditAction, Program

# OWASP's list: a cell starting with one of these may be run as a formula by a spreadsheet.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(values: list[Any]) -> list[Any]:
    """Stop a spreadsheet from running a cell as a formula (CSV injection)."""
    return [
        f"'{value}" if isinstance(value, str) and value[:1] in FORMULA_PREFIXES else value
        for value in values
    ]


def only_program(rows: QuerySet[Any], field: str = "program_id") -> int | None:
    """The program every one of ``rows`` belongs to, if there is just one. An export of one
    program's records is audited under that program, so its coordinators see it in their
    audit log; one that spans programs only administrators see."""
    program_ids = list(rows.order_by().values_list(field, flat=True).distinct()[:2])
    return program_ids[0] if len(program_ids) == 1 else None


# Rows read from the database at a time, and written to the network at a time.
CHUNK_ROWS = 500


class _Echo:
    """A file that hands back what is written to it, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_download(
    request: AuthenticatedHttpRequest,
    *,
    filename: str,
    header: list[Any],
    rows: QuerySet[Any],
    line: Callable[[Any], list[Any]],
    back: str,
    describe: Callable[[int], str],
    obj: Model | None = None,
    program: Program | int | None = None,
    details: dict[str, Any] | None = None,
) -> HttpResponseBase:
    """``line(row)`` for each of ``rows`` as a CSV attachment, every cell made safe, and the
    export audited.

    The file is sent as it is read, ``CHUNK_ROWS`` rows at a time: a program's ten years of
    contacts start arriving at once and never sit whole in the server's memory. The export
    is audited, with its number of rows, before the first byte is sent. One of more than
    ``PSP_EXPORT_MAX_ROWS`` rows is not sent: the person goes ``back`` to the list, with its
    filters, and a message asking to narrow it (a web worker would otherwise spend minutes on
    it, and the file would be more than a spreadsheet opens).

    The file starts with a byte-order mark so that spreadsheet programs read accented
    names (Peña, Nguyễn) as UTF-8. ``describe(count)`` names the export in the audit log;
    ``obj``, ``program`` and ``details`` add to its entry.
    """
    count = rows.count()
    if count > settings.PSP_EXPORT_MAX_ROWS:
        messages.error(
            request,
            _(
                "That download would hold %(count)s rows; one file holds at most %(limit)s. "
                "Narrow the list with its filters (dates, for example) and download it in parts."
            )
            % {
                "count": number_format(count, force_grouping=True),
                "limit": number_format(settings.PSP_EXPORT_MAX_ROWS, force_grouping=True),
            },
        )
        query = request.GET.urlencode()
        return HttpResponseRedirect(f"{back}?{query}" if query else back)
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        obj=obj,
        program=program,
        object_repr=describe(count),
        changes={"filters": request.GET.dict(), **(details or {}), "rows": count},
    )

    def content() -> Iterator[str]:
        writer = csv.writer(_Echo())
        chunk = ["\ufeff", writer.writerow(header)]
        for row in rows.iterator(chunk_size=CHUNK_ROWS):
            chunk.append(writer.writerow(csv_safe(line(row))))
            if len(chunk) >= CHUNK_ROWS:
                yield "".join(chunk)
                chunk = []
        if chunk:
            yield "".join(chunk)

    response = StreamingHttpResponse(content(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
