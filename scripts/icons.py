"""Makes the icon font the pages load: only the Bootstrap Icons the templates and scripts
use, cut from the vendored font (``static/vendor/bootstrap-icons``, the whole set, about
130 KB) with fontTools (installed with WeasyPrint), and a stylesheet with only their classes.

    python scripts/icons.py      # after using a new ``bi-...`` icon (``make icons``)

Writes ``static/icons/icons.css`` and ``static/icons/icons.woff2``; a test fails when a
template uses an icon they lack.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parent.parent
VENDORED = ROOT / "static" / "vendor" / "bootstrap-icons"
OUT = ROOT / "static" / "icons"
ICON = re.compile(r"(?<![\w-])bi-[a-z0-9]+(?:-[a-z0-9]+)*")
RULE = re.compile(r'\.(bi-[a-z0-9-]+)::before\{content:"\\([0-9a-f]+)"\}')
BASE = re.compile(r"\.bi::before,[^{]*\{[^}]*\}")


def sources() -> list[Path]:
    folders = [ROOT / "templates", *ROOT.glob("*/templates"), ROOT / "static" / "js"]
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*")
        if path.suffix in {".html", ".txt", ".js"}
    )


def icons_used() -> set[str]:
    return {name for path in sources() for name in ICON.findall(path.read_text())}


def main() -> int:
    vendored_css = (VENDORED / "bootstrap-icons.min.css").read_text()
    codepoints = {name: int(code, 16) for name, code in RULE.findall(vendored_css)}
    used = sorted(icons_used())
    unknown = [name for name in used if name not in codepoints]
    if unknown:
        print(f"Not in Bootstrap Icons: {', '.join(unknown)}", file=sys.stderr)
        return 1
    base = BASE.search(vendored_css)
    assert base is not None, "the vendored stylesheet's .bi rule was not found"

    OUT.mkdir(exist_ok=True)
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = ["*"]  # the copyright and licence stay in the font
    font = subset.load_font(str(VENDORED / "fonts" / "bootstrap-icons.woff2"), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[codepoints[name] for name in used])
    subsetter.subset(font)
    subset.save_font(font, str(OUT / "icons.woff2"), options)

    version = re.search(r"Bootstrap Icons v([\d.]+)", vendored_css)
    rules = "".join(f'.{name}::before{{content:"\\{codepoints[name]:x}"}}\n' for name in used)
    (OUT / "icons.css").write_text(
        f"/* Bootstrap Icons v{version.group(1) if version else '?'} (MIT), only the icons the"
        " pages use: made by scripts/icons.py. */\n"
        '@font-face{font-display:block;font-family:bootstrap-icons;src:url("icons.woff2")'
        ' format("woff2")}\n'
        f"{base.group(0)}\n{rules}"
    )
    print(f"{len(used)} icons, {(OUT / 'icons.woff2').stat().st_size} bytes of font")
    return 0


if __name__ == "__main__":
    sys.exit(main())
