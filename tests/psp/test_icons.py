"""Pages load only the icons they use (``static/icons``, made by ``scripts/icons.py``): an
icon used in a template or a script but missing there would show as an empty square."""

from __future__ import annotations

import re
from pathlib import Path

from fontTools import ttLib

ROOT = Path(__file__).resolve().parents[2]
ICONS = ROOT / "static" / "icons"


def icons_in_pages() -> set[str]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), ROOT / "static" / "js"]
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*"):
            if path.suffix in {".html", ".txt", ".js"}:
                found.update(re.findall(r"(?<![\w-])bi-[a-z0-9]+(?:-[a-z0-9]+)*", path.read_text()))
    return found


def icons_in_stylesheet() -> dict[str, int]:
    css = (ICONS / "icons.css").read_text()
    return {
        name: int(code, 16)
        for name, code in re.findall(r'\.(bi-[a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}', css)
    }


def test_every_icon_a_page_uses_is_in_the_stylesheet_and_the_font() -> None:
    used = icons_in_pages()
    assert len(used) > 10  # the search finds the icons
    styled = icons_in_stylesheet()
    missing = sorted(used - set(styled))
    assert not missing, f"run `make icons`: {missing} missing from static/icons"
    glyphs = ttLib.TTFont(ICONS / "icons.woff2").getBestCmap()
    assert not [name for name in used if styled[name] not in glyphs]


def test_the_codepoints_are_bootstrap_icons_own() -> None:
    vendored = (ROOT / "static/vendor/bootstrap-icons/bootstrap-icons.min.css").read_text()
    for name, code in icons_in_stylesheet().items():
        assert f'.{name}::before{{content:"\\{code:x}"}}' in vendored


def test_pages_load_the_small_font_not_the_whole_set() -> None:
    base = (ROOT / "templates" / "base.html").read_text()
    assert "icons/icons.css" in base
    assert "bootstrap-icons.min.css" not in base
    assert (ICONS / "icons.woff2").stat().st_size < 10_000
