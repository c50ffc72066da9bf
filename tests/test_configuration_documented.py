"""Every setting read from the environment is in the README's configuration table, so a
county's administrator can find what they may set."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_setting_is_documented() -> None:
    settings = (ROOT / "psp" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    read = set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', settings))
    assert len(read) > 20  # the pattern still finds them
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)`", readme, flags=re.MULTILINE))
    documented |= {
        name
        for row in re.findall(r"^\| (`[A-Z].*?) \|", readme, flags=re.MULTILINE)
        for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", row)
    }
    assert sorted(read - documented) == []
