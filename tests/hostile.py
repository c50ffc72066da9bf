"""Reading a page's forms as a browser would, and the hostile values typed into them.

``tests/test_hostile_input.py`` opens each page, finds its form (``html_forms``), makes a
submission a person could plausibly send (``plausible``), then lets hypothesis replace a
few of its values with the ``hostile`` ones below.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from typing import Any

from hypothesis import strategies as st

TEXT_TYPES = {"text", "email", "url", "tel", "number", "date", "time", "search"}


@dataclass
class HtmlField:
    name: str
    kind: str  # an <input> type, or "textarea" / "select"
    options: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # what a browser sends as it stands
    multiple: bool = False

    @property
    def keeps_typing(self) -> bool:
        """A box whose text the page must show again when the form comes back."""
        return self.kind in TEXT_TYPES or self.kind == "textarea"


@dataclass
class HtmlForm:
    action: str
    method: str
    fields: dict[str, HtmlField] = field(default_factory=dict)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[HtmlForm] = []
        self._form: HtmlForm | None = None
        self._select: HtmlField | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: HtmlField | None = None
        self._text: list[str] = []

    def _field(self, name: str, kind: str) -> HtmlField:
        assert self._form is not None
        if "__prefix__" in name:  # the blank row a formset's script copies: never sent
            return HtmlField(name, kind)
        return self._form.fields.setdefault(name, HtmlField(name, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._form = HtmlForm(a.get("action", ""), a.get("method", "get").lower())
            self.forms.append(self._form)
            return
        if self._form is None or (tag in {"input", "select", "textarea"} and "name" not in a):
            if tag == "option" and self._select is not None:
                self._option = a
                self._text = []
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"button", "reset", "image", "file"}:
                return
            item = self._field(a["name"], kind)
            if kind == "submit":
                item.options.append(a.get("value", ""))
            elif kind in {"radio", "checkbox"}:
                item.options.append(a.get("value", "on"))
                item.multiple = kind == "checkbox"
                if "checked" in a:
                    item.sent.append(a.get("value", "on"))
            else:
                item.sent = [a.get("value", "")]
        elif tag == "button" and "name" in a:
            self._field(a["name"], "submit").options.append(a.get("value", ""))
        elif tag == "select":
            self._select = self._field(a["name"], "select")
            self._select.multiple = "multiple" in a
        elif tag == "option" and self._select is not None:
            self._option = a
            self._text = []
        elif tag == "textarea":
            self._textarea = self._field(a["name"], "textarea")
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None or self._option is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "option" and self._select is not None and self._option is not None:
            value = self._option.get("value", "".join(self._text).strip())
            self._select.options.append(value)
            if "selected" in self._option:
                self._select.sent.append(value)
            self._option = None
        elif tag == "select" and self._select is not None:
            if not self._select.sent and self._select.options and not self._select.multiple:
                self._select.sent = [self._select.options[0]]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = unescape("".join(self._text))
            self._textarea.sent = [text.removeprefix("\n")]
            self._textarea = None


def html_forms(html: str) -> list[HtmlForm]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def find_form(html: str, action: str, page: str, method: str) -> HtmlForm:
    """The form on ``page`` that sends to ``action`` (a form without an action sends to
    the page itself)."""
    for form in html_forms(html):
        target = form.action.split("?")[0] or page.split("?")[0]
        if form.method == method and target == action.split("?")[0] and form.fields:
            return form
    raise AssertionError(f"no {method} form for {action} on {page}")


def plausible(form: HtmlForm) -> dict[str, list[str]]:
    """What a person would send: the values shown, and something sensible in each empty box
    (today for a date, the first choice of a radio group...)."""
    today = timezone_today()
    data: dict[str, list[str]] = {}
    for name, item in form.fields.items():
        sent = list(item.sent)
        if item.kind in {"radio", "submit"} and not sent and item.options:
            sent = [next((o for o in item.options if o), item.options[0])]
        elif item.kind == "select" and sent == [""] and len(item.options) > 1:
            sent = [item.options[1]]
        elif item.kind in TEXT_TYPES | {"textarea"} and sent in ([], [""]):
            sent = [_example(name, item.kind, today)]
        if sent:
            data[name] = sent
    return data


def timezone_today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


def _example(name: str, kind: str, today: datetime.date) -> str:
    if name.endswith("_day"):
        return "14"
    if name.endswith("_month"):
        return "3"
    if name.endswith("_year"):
        return "1990"
    return {
        "date": today.isoformat(),
        "time": "09:00",
        "number": "1",
        "email": "someone@example.org",
        "url": "https://example.org",
        "tel": "920-555-0100",
    }.get(kind, "Plain words")


# --- Hostile values -----------------------------------------------------------------------

HUGE = 10**20
NASTY = [
    "",
    " ",
    "\t\r\n",
    "0",
    "-1",
    "-0",
    str(HUGE),
    str(-HUGE),
    "99999999999999999999",
    "1.000000000000000000000001",
    "-99999999999.99999",
    "1e400",
    "NaN",
    "Infinity",
    "0x1F",
    "1_000",
    "١٢",  # Arabic-Indic digits
    "²",  # a digit to str.isdigit(), not to int()
    "0000-00-00",
    "99999-12-31",
    "2026-02-30",
    "2026-13-01",
    "0001-01-01",
    "9999-12-31",
    "31/12/2026",
    "25:61",
    "\x00",
    "a\x00b",
    "\x07\x1b[31m",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE referrals_referral; --",
    "%(name)s {0} %s",
    "\u202eكتابة من اليمين",  # right-to-left override, Arabic
    "שלום",
    "👩‍👧‍👦🇺🇸",
    "Zoë e\u0301 \u0301\u0301\u0301",
    "\ufeff\u200b",
    "x" * 10_000,
    "true",
    "None",
    "[]",
    '{"a": 1}',
]

# Any text a browser can send: every code point except lone surrogates.
any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
one_value = st.one_of(
    st.sampled_from(NASTY),
    any_text,
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.floats().map(str),
)
# A value where one is expected, several (a list), or the field left out (None).
hostile = st.one_of(
    one_value.map(lambda value: [value]),
    st.lists(one_value, min_size=2, max_size=3),
    st.none(),
)


def sweep(form: HtmlForm, base: dict[str, list[str]]) -> list[dict[str, list[str]]]:
    """Submissions that random draws rarely make: every box at once holding one hostile
    value; then each number box, and each date box, alone with a value out of range while
    the rest stays plausible (so the value gets as far as the database)."""
    submissions = []
    for value in [str(HUGE), str(-HUGE), "a\x00b", "١٢", "x" * 10_000]:
        submissions.append(
            {
                **base,
                **{name: [value] for name, item in form.fields.items() if item.keeps_typing},
            }
        )
    for name, item in form.fields.items():
        numeric = item.kind == "number" or name.endswith(("_day", "_month", "_year"))
        if numeric:
            values = [str(HUGE), str(-HUGE), "1e400", "-1", "0"]
        elif item.kind == "date":
            values = ["99999-12-31", "9999-12-31", "0001-01-01", "2026-02-30"]
        else:
            continue
        submissions.extend({**base, name: [value]} for value in values)
    return submissions
