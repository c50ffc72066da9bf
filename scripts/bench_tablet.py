"""What a Parent Partner's tablet downloads, measured in real headless Chromium (Debian's
``chromium``, driven by Playwright): the bytes that come over the network, as sent
(compressed, with headers), for

* the **first visit**: signed in, an empty browser, the home page opened, until the service
  worker says it keeps the person's pages (``#offline-ready``). That counts the page and
  its files, and what the service worker fetches afterwards: the app shell it precaches and
  the pages it keeps (each family's page, the contact form, the change forms);
* a **warm start**: the page closed and the app opened again in the same browser. Files the
  service worker answers from its cache come over no network; the page itself is asked for
  again (network first, so that it is current), and the caseload is checked with its ETag.

Called by ``scripts/bench.py`` (which starts the server); ``measure`` returns the figures.
"""

from __future__ import annotations

import shutil
from typing import Any
from urllib.parse import urlsplit

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic"]


class Transfers:
    """Every request the browser context finished: by the page, or by its service worker."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def finished(self, request: Any) -> None:
        response = request.response()
        if response is None:
            return
        sizes = request.sizes()
        body = max(sizes["responseBodySize"], 0)
        if response.from_service_worker:
            source = "service worker's cache"
        elif response.status == 200 and body == 0:
            # Answered by the browser's own cache (Chromium still reports the stored headers'
            # size): nothing came over the network.
            source = "browser's cache"
        else:
            source = "network"
        self.rows.append(
            {
                "path": urlsplit(request.url).path,
                "by": "service worker" if request.service_worker else "page",
                "source": source,
                "from_cache": source != "network",
                "status": response.status,
                "sent": body + max(sizes["responseHeadersSize"], 0) if source == "network" else 0,
            }
        )

    def take(self) -> list[dict[str, Any]]:
        rows, self.rows = self.rows, []
        return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    # An answer the service worker gave came over no network itself; when the worker fetched
    # it, that fetch is its own row (by the service worker).
    network = [row for row in rows if row["source"] == "network"]
    return {
        "files": rows,
        "network_bytes": sum(row["sent"] for row in network),
        "page_bytes": sum(row["sent"] for row in network if row["by"] == "page"),
        "worker_bytes": sum(row["sent"] for row in network if row["by"] == "service worker"),
        "requests": len([row for row in rows if row["by"] == "page"]),
        "from_cache": len(
            [row for row in rows if row["by"] == "page" and row["source"] != "network"]
        ),
    }


def measure(base: str, sign_in: Any, timeout_ms: int = 60_000) -> dict[str, Any]:
    """``sign_in(page)`` signs the Parent Partner in on a page of a first browser context;
    the visit is measured in a second one holding only its cookies (no cached files)."""
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        return {"skipped": "Chromium is not installed (scripts/system-deps test installs it)"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            signing = browser.new_context()
            sign_in(signing.new_page())
            state = signing.storage_state()
            signing.close()

            context = browser.new_context(
                storage_state=state, viewport={"width": 768, "height": 1024}
            )
            transfers = Transfers()
            context.on("requestfinished", transfers.finished)

            def visit() -> dict[str, Any]:
                """The home page opened in a new tab, until the worker has kept the pages."""
                page = context.new_page()
                page.goto(base + "/mentoring/", wait_until="load", timeout=timeout_ms)
                page.locator("#offline-ready").wait_for(state="visible", timeout=timeout_ms)
                page.wait_for_load_state("networkidle", timeout=timeout_ms)
                page.close()
                return summary(transfers.take())

            first = visit()
            warm = visit()
            context.close()
        finally:
            browser.close()
    return {"first_visit": first, "warm_start": warm}
