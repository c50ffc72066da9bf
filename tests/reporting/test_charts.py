"""The server-drawn SVG charts and the PDF's running-head text."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import translation

from reporting import charts
from reporting.documents import css_string


def test_bar_chart_has_a_title_with_its_numbers_and_a_label_per_bar() -> None:
    svg = charts.horizontal_bar_chart(
        title="Contacts by type", rows=[("Home visit", 12), ("Phone or text check-in", 3)]
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg
    # The title is the PDF figure's alternative text: the name, then the numbers.
    assert re.search(
        r"<title id=\"chart-\d+-title\">"
        r"Contacts by type\. Home visit: 12; Phone or text check-in: 3</title>",
        svg,
    )
    assert svg.count("<rect") == 2
    assert ">Home visit</text>" in svg and ">12</text>" in svg
    assert "<script" not in svg


def test_longest_bar_is_the_largest_value_and_zero_has_no_length() -> None:
    svg = charts.horizontal_bar_chart(title="t", rows=[("a", 10), ("b", 5), ("c", 0)])
    widths = [float(width) for width in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 2 * widths[1]
    assert widths[2] == 0


def test_column_chart_and_funnel_label_every_value() -> None:
    columns = charts.column_chart(
        title="Families served in each month", columns=[("April", 3), ("May", 1), ("June", 1)]
    )
    assert columns.count("<rect") == 3
    assert ">April</text>" in columns and ">3</text>" in columns
    funnel = charts.funnel_chart(
        title="Referrals", steps=[("Received", 6), ("Accepted", 2), ("Declined", 3)]
    )
    assert ">Received</text>" in funnel and ">6</text>" in funnel


def test_outcomes_chart_shows_decimals_and_empty_data() -> None:
    svg = charts.outcomes_chart(
        title="Outcomes", rows=[("Reunification", 2), ("Re-entered 12", 0), ("Re-entered 24", 0)]
    )
    assert "#b4541a" in svg  # re-entries in the contrasting colour
    empty = charts.horizontal_bar_chart(title="Nothing yet", rows=[("a", 0), ("b", 0)])
    assert "NaN" not in empty and "inf" not in empty
    assert "1.5" in charts.horizontal_bar_chart(title="t", rows=[("hours", Decimal("1.5"))])


def test_labels_are_escaped() -> None:
    svg = charts.horizontal_bar_chart(title="<b>Title</b>", rows=[("<script>", 1)])
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;b&gt;Title&lt;/b&gt;" in svg


def test_running_head_cannot_break_out_of_the_css_string() -> None:
    quoted = css_string('Door "North" </style><script>')
    assert quoted.startswith('"') and quoted.endswith('"')
    inner = quoted[1:-1]
    assert '"' not in inner and "<" not in inner and ">" not in inner
    assert css_string("Door County PSP · 2026 Q2") == '"Door County PSP · 2026 Q2"'


def test_values_have_the_readers_thousands_separator() -> None:
    rows: list[tuple[str, int | Decimal]] = [("Miles", 12345), ("Hours", Decimal("1234.5"))]
    with translation.override("en"):
        english = charts.horizontal_bar_chart(title="Miles and hours", rows=rows)
    with translation.override("es"):
        spanish = charts.horizontal_bar_chart(title="Millas y horas", rows=rows)
    assert ">12,345</text>" in english and ">1,234.5</text>" in english
    assert "Miles: 12,345; Hours: 1,234.5</title>" in english
    # Spanish as written in the United States (es_US): the same separators as English.
    assert ">12,345</text>" in spanish and ">1,234.5</text>" in spanish
    assert "Miles: 12,345; Hours: 1,234.5</title>" in spanish
