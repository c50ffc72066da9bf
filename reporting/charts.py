"""Small SVG charts for the PDF report, drawn on the server: no JavaScript, no images.

Each function returns an ``<svg>`` element as a safe string, ready to place in a template.
Every chart's ``<title>`` is its name followed by its numbers ("Contacts by type. Home visit:
12; Phone or text check-in: 3"): WeasyPrint makes the title the figure's alternative text in
the tagged PDF, so a screen reader reads the data, not only the name. Each value is also
written beside its bar, in the reader's language (``reporting.numbers``), so the chart says
the same thing in words as in shapes. Text is measured roughly (an average character width)
since nothing on the server lays text out; the label column is sized to the longest label.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reporting import numbers

Number = int | Decimal | float

FONT_SIZE = 11
CHAR_WIDTH = 6.6  # DejaVu Sans at 11 px, a little over the average, so labels fit
BAR_HEIGHT = 17
BAR_GAP = 7
BAR_COLOUR = "#1d4f6e"
ACCENT_COLOUR = "#b4541a"
MUTED_COLOUR = "#8c9aa5"
TEXT_COLOUR = "#1b1b1b"
AXIS_COLOUR = "#6c757d"

_ids = itertools.count(1)


def _fmt(value: Number) -> str:
    return str(numbers.number(value))


def _svg(
    *, title: str, width: float, height: float, body: list[str], rows: Sequence[tuple[str, Number]]
) -> SafeString:
    """The outer element, named by its title and its numbers."""
    chart_id = f"chart-{next(_ids)}"
    return mark_safe(  # noqa: S308 - every text below passed through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'aria-labelledby="{chart_id}-title">'
        f'<title id="{chart_id}-title">{escape(alternative_text(title, rows))}</title>'
        f'<g font-family="DejaVu Sans, sans-serif" font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">'
        + "".join(body)
        + "</g></svg>"
    )


def alternative_text(title: str, rows: Sequence[tuple[str, Number]]) -> str:
    """The chart in words: its title, then each label with its value."""
    data = "; ".join(f"{label}: {_fmt(value)}" for label, value in rows)
    return f"{title}. {data}" if data else title


def _scale(rows: Sequence[tuple[str, Number]]) -> float:
    largest = max((float(value) for _label, value in rows), default=0.0)
    return largest if largest > 0 else 1.0


def _text(x: float, y: float, content: str, *, anchor: str = "start", weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{bold}>{escape(content)}</text>'


def horizontal_bar_chart(
    *,
    title: str,
    rows: Sequence[tuple[str, Number]],
    width: float = 600,
    colour: str = BAR_COLOUR,
    colours: Sequence[str] | None = None,
) -> SafeString:
    """One bar per row, label on the left, value at the end of the bar."""
    label_width = min(max((len(label) for label, _value in rows), default=0) * CHAR_WIDTH, 300)
    value_width = 44
    left = label_width + 8
    bar_space = max(width - left - value_width, 40)
    largest = _scale(rows)
    body: list[str] = []
    for index, (label, value) in enumerate(rows):
        top = index * (BAR_HEIGHT + BAR_GAP)
        middle = top + BAR_HEIGHT / 2 + FONT_SIZE * 0.35
        length = bar_space * float(value) / largest
        fill = colours[index % len(colours)] if colours else colour
        body.append(_text(label_width, middle, _shorten(label, label_width), anchor="end"))
        body.append(
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{fill}"/>'
        )
        body.append(_text(left + length + 4, middle, _fmt(value)))
    body.append(_axis(left, 0, left, len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP))
    height = max(len(rows) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return _svg(title=title, width=width, height=height, body=body, rows=rows)


def column_chart(
    *, title: str, columns: Sequence[tuple[str, Number]], width: float = 420, height: float = 190
) -> SafeString:
    """One column per entry (the months of a quarter), value above, label below."""
    bottom = height - FONT_SIZE * 2
    top_room = FONT_SIZE * 1.6
    slot = width / max(len(columns), 1)
    column_width = min(slot * 0.55, 70)
    largest = _scale(columns)
    body: list[str] = []
    for index, (label, value) in enumerate(columns):
        centre = slot * index + slot / 2
        column_height = (bottom - top_room) * float(value) / largest
        body.append(
            f'<rect x="{centre - column_width / 2:.1f}" y="{bottom - column_height:.1f}" '
            f'width="{column_width:.1f}" height="{column_height:.1f}" fill="{BAR_COLOUR}"/>'
        )
        body.append(_text(centre, bottom - column_height - 4, _fmt(value), anchor="middle"))
        body.append(_text(centre, bottom + FONT_SIZE * 1.4, label, anchor="middle"))
    body.append(_axis(0, bottom, width, bottom))
    return _svg(title=title, width=width, height=height, body=body, rows=columns)


def funnel_chart(
    *, title: str, steps: Sequence[tuple[str, Number]], width: float = 600
) -> SafeString:
    """The triage funnel: each step's bar centred under the one before, so the narrowing
    from referrals received to families accepted (and the declines) shows at a glance."""
    label_width = min(max((len(label) for label, _value in steps), default=0) * CHAR_WIDTH, 200)
    left = label_width + 8
    bar_space = max(width - left - 8, 40)
    largest = _scale(steps)
    body: list[str] = []
    for index, (label, value) in enumerate(steps):
        top = index * (BAR_HEIGHT + BAR_GAP)
        middle = top + BAR_HEIGHT / 2 + FONT_SIZE * 0.35
        length = max(bar_space * float(value) / largest, 2 if value else 0)
        x = left + (bar_space - length) / 2
        fill = BAR_COLOUR if index == 0 else (ACCENT_COLOUR if index % 2 else MUTED_COLOUR)
        body.append(_text(label_width, middle, _shorten(label, label_width), anchor="end"))
        body.append(
            f'<rect x="{x:.1f}" y="{top:.1f}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{fill}"/>'
        )
        # The value inside a wide bar (white), otherwise just right of it.
        if length > 36:
            body.append(
                f'<text x="{left + bar_space / 2:.1f}" y="{middle:.1f}" text-anchor="middle" '
                f'fill="#ffffff" font-weight="bold">{escape(_fmt(value))}</text>'
            )
        else:
            body.append(_text(x + length + 4, middle, _fmt(value)))
    height = max(len(steps) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return _svg(title=title, width=width, height=height, body=body, rows=steps)


def outcomes_chart(*, title: str, rows: Sequence[tuple[str, Number]]) -> SafeString:
    """Children's outcomes in the quarter: permanency by type, then re-entries, the latter
    in a contrasting colour so they are not read as one more kind of permanency."""
    colours = [BAR_COLOUR] * (len(rows) - 2) + [ACCENT_COLOUR, ACCENT_COLOUR]
    return horizontal_bar_chart(title=title, rows=rows, colours=colours)


def _axis(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{AXIS_COLOUR}" stroke-width="1"/>'
    )


def _shorten(label: str, room: float) -> str:
    """``label`` cut with an ellipsis if it would not fit in ``room`` points."""
    most = int(room / CHAR_WIDTH)
    return label if len(label) <= most else label[: max(most - 1, 1)].rstrip() + "…"
