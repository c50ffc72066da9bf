"""The installable tablet app: its web app manifest, its service worker (served from the
site's root so it may look after every page) and the mark a page carries when the service
worker may keep it for the signed-in person to open without a connection.

The service worker's own logic is ``static/js/service-worker.js``; what is served at
``/service-worker.js`` only names, with their current addresses, the files it loads and the
app shell it keeps (so a new deployment's files make a new service worker)."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from psp import policy

# The header naming whose page this is: the service worker keeps a page only in that
# person's cache, and only when it is the person the tablet is signed in as.
OFFLINE_HEADER = "X-PSP-Offline-User"

WORKER_SCRIPTS = [
    "vendor/workbox/workbox-core.prod.js",
    "vendor/workbox/workbox-routing.prod.js",
    "vendor/workbox/workbox-strategies.prod.js",
    "vendor/workbox/workbox-precaching.prod.js",
    "vendor/idb/idb.umd.js",
    "js/outbox.js",
    "js/service-worker.js",
]

# The app shell: what every page the tablet keeps needs (styles, scripts, the icon font).
APP_SHELL = [
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/idb/idb.umd.js",
    "icons/icons.css",
    "icons/icons.woff2",
    "css/psp.css",
    "js/psp.js",
    "js/outbox.js",
    "js/offline.js",
    "js/activity_form.js",
    "js/contact_change.js",
    "favicon.svg",
]


def available_offline(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    """Marks a page the service worker may keep for the signed-in Parent Partner (their
    home, a family's page, the contact form, a contact of theirs to change): a page shown to
    one names whose it is. Others (coordinators, who do not log contacts) work online. Only
    the plain page is kept: not one opened with a query (a family chosen, a note just saved)
    or carrying a message, which would be out of place when opened later."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        plain = not request.GET and not len(messages.get_messages(request))
        response = view(request, *args, **kwargs)
        if (
            plain
            and request.method == "GET"
            and response.status_code == 200
            and policy.can(request.user, "activity.create")
        ):
            response[OFFLINE_HEADER] = str(request.user.pk)
        return response

    return wrapped


@functools.cache
def _revision(name: str) -> str:
    """A short hash of a static file's content: the shell is fetched again when it changes
    (needed where file names carry no hash of their own, as in development)."""
    path = finders.find(name)
    if path is None:
        return "missing"
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).hexdigest()[:16]


def _shell_entry(name: str) -> dict[str, str | None]:
    """A file of the shell for Workbox's precache. A name that carries its content's hash
    (production's manifest storage) needs no revision: Workbox then asks for the address as
    it is, which the browser's cache already holds from the page."""
    url = staticfiles_storage.url(name)
    hashed = url != settings.STATIC_URL + name
    return {"url": url, "revision": None if hashed else _revision(name)}


def _config() -> dict[str, Any]:
    return {
        "precache": [_shell_entry(name) for name in APP_SHELL],
        "home": reverse("mentoring:home"),
        "contactForm": reverse("mentoring:activity_log"),
        "casePage": reverse("mentoring:case_detail", args=[0]),
        "contactEdit": reverse("mentoring:activity_edit", args=[0]),
        "caseload": reverse("api:caseload"),
        "header": OFFLINE_HEADER,
    }


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, for everyone (it holds no one's data; what it keeps is keyed by
    the signed-in person). Asked for again at each visit, never taken from a cache."""
    lines = [
        f"self.PSP_OFFLINE = {json.dumps(_config())};",
        "importScripts("
        + ", ".join(json.dumps(staticfiles_storage.url(name)) for name in WORKER_SCRIPTS)
        + ");",
    ]
    response = HttpResponse("\n".join(lines) + "\n", content_type="text/javascript")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: the tablet installs the Parent Partner's app from it."""
    body = {
        "name": _("PSP Case Management"),
        "short_name": _("PSP"),
        "description": _("Your families and the contacts you log, with or without a connection."),
        "start_url": reverse("mentoring:home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f6e",
        "icons": [
            {
                "src": staticfiles_storage.url("app/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
                "purpose": "any maskable",
            },
            {
                "src": staticfiles_storage.url("app/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "any maskable",
            },
        ],
    }
    response = JsonResponse(body, content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
