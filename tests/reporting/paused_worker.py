"""A Celery worker whose report task stops before laying out the PDF until the test lets it
go, so a test can kill it mid-report at a known point. Run by ``test_worker_killed.py``.

Each run touches ``<PSP_TEST_PAUSE_DIR>/started-<pid>`` and waits for ``<dir>/go``; the PDF
is a stand-in (the layout is tested elsewhere). Arguments are the worker's.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psp.settings")
django.setup()

from psp.celery import app  # noqa: E402
from reporting import documents  # noqa: E402

PAUSE_DIR = Path(os.environ["PSP_TEST_PAUSE_DIR"])


def paused_render_pdf(html: str) -> bytes:
    (PAUSE_DIR / f"started-{os.getpid()}").touch()
    while not (PAUSE_DIR / "go").exists():
        time.sleep(0.1)
    return b"%PDF-1.7 stand-in"


documents.render_pdf = paused_render_pdf

if __name__ == "__main__":
    app.worker_main(["worker", *sys.argv[1:]])
