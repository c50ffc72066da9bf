"""Reading what the app sends as a download, the way a spreadsheet program would."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponseBase

BOM = "\ufeff"


def csv_rows(response: HttpResponseBase) -> list[dict[str, str]]:
    """The rows of a CSV download, keyed by header. Fails if the file is not a UTF-8
    attachment that starts with a byte-order mark (without one, Excel garbles "Peña").
    Exports are streamed: reading them here runs their queries."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = response.getvalue().decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.DictReader(io.StringIO(text.removeprefix(BOM))))
