"""Request-wide concerns: malformed or oversized requests refused before any view reads
them, the audit context, the second factor where it is required, keeping signed-in
pages out of browser and proxy caches, keeping a session alive while it is used,
compressing pages, and the server's time on each answer (``Server-Timing``)."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import auth
from django.db import connections
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from psp import api, audit, mfa, policy


def client_ip(request: HttpRequest) -> str | None:
    """The caller's address: the connection's, or behind a proxy (``PSP_TRUST_X_FORWARDED_FOR``)
    the last address in ``X-Forwarded-For``, the one the proxy in front added. The addresses
    before it are whatever the caller sent, so anyone could name any address there (and
    escape the public forms' limit per address). Only a valid IP address is returned (the
    audit log's column takes nothing else); a port after it is dropped."""
    if settings.PSP_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = _ip_address(forwarded.rsplit(",", 1)[-1])
        if address:
            return address
    return _ip_address(request.META.get("REMOTE_ADDR", ""))


def _ip_address(text: str) -> str | None:
    """``text`` as an IP address (``192.0.2.7``, ``2001:db8::7``), without a port
    (``192.0.2.7:443``, ``[2001:db8::7]:443``) or an IPv6 zone; ``None`` if it is none."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


class RequestLimitsMiddleware:
    """Answers 413 for a body over ``PSP_MAX_REQUEST_BYTES`` (before anything reads it; a
    page that takes a file, marked ``takes_a_file``, allows ``PSP_DOCUMENT_MAX_BYTES`` more,
    or what ``takes_a_large_file`` says,
    so that its form can say at the field that a file is too large; a public page's form,
    marked ``psp.public.public_form``, only ``PSP_PUBLIC_FORM_MAX_BYTES``) and 400 for a NUL byte
    in the query string, which PostgreSQL can neither search for nor store in the audit's
    JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        smallest = min(settings.PSP_MAX_REQUEST_BYTES, settings.PSP_PUBLIC_FORM_MAX_BYTES)
        if length > smallest and length > _largest_body(request):
            if api.is_api(request):
                return api.problem_response(request, 413, _("The body is too large."))
            return render(request, "413.html", {"back": public_form_page(request)}, status=413)
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            if api.is_api(request):
                return api.problem_response(
                    request, 400, _("The address has characters the service cannot accept.")
                )
            return render(request, "400.html", status=400)
        return self.get_response(request)


def public_form_page(request: HttpRequest) -> str:
    """The address of the public form this request was sent to (``psp.public.public_form``),
    for an error page to lead back to it; empty for any other page."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return ""
    return request.path if getattr(view, "public_form", False) else ""


def _largest_body(request: HttpRequest) -> int:
    """The largest body the page asked for accepts."""
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        return settings.PSP_MAX_REQUEST_BYTES
    if getattr(view, "takes_a_file", False):
        largest_file = getattr(view, "largest_file", settings.PSP_DOCUMENT_MAX_BYTES)
        return settings.PSP_MAX_REQUEST_BYTES + max(largest_file, settings.PSP_DOCUMENT_MAX_BYTES)
    if getattr(view, "public_form", False):
        return settings.PSP_PUBLIC_FORM_MAX_BYTES
    return settings.PSP_MAX_REQUEST_BYTES


class AuditContextMiddleware:
    """Makes the caller's address, path and method available to ``psp.audit``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = audit.set_context(
            audit.RequestContext(
                ip_address=client_ip(request), path=request.path, method=request.method or ""
            )
        )
        try:
            return self.get_response(request)
        finally:
            audit.reset_context(token)


class UserLanguageMiddleware:
    """A signed-in person's pages in the language kept on their profile (``User.language``,
    saved by the language switcher), whatever the browser or its cookie says; until they
    choose one, ``LocaleMiddleware``'s choice from the cookie or the browser stands."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            language = user.language_or_default
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)


class RequireMfaMiddleware:
    """The second factor, for every page including the admin.

    Whoever has an authenticator must have used it in this session: a session made by
    anything but the app's two-step sign-in (a stray ``auth.login``, an old session from
    before the authenticator was added) is signed out. And with ``PSP_REQUIRE_MFA`` on,
    coordinators, state staff and administrators must set up an authenticator app before
    they can use anything but their account pages."""

    exempt_prefixes = (
        "/accounts/",
        "/static/",
        "/i18n/",
        "/healthz",
        "/service-worker.js",
        "/manifest.webmanifest",
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        second_factor = request.user.is_authenticated and mfa.has_second_factor(request.user)
        if second_factor and not mfa.used_second_factor(request):
            # Signed out, the request goes on as anybody's: pages ask to sign in again.
            auth.logout(request)
            second_factor = False
        if (
            settings.PSP_REQUIRE_MFA
            and request.user.is_authenticated
            and not request.path.startswith(self.exempt_prefixes)
            and policy.requires_mfa(request.user)
            # A second factor is an authenticator (asked once for both questions).
            and not (second_factor or is_mfa_enabled(request.user))
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class KeepSessionAliveMiddleware:
    """A session used within ``SESSION_COOKIE_AGE`` (the idle limit) stays signed in; one left
    alone that long is signed out. Django's ``SESSION_SAVE_EVERY_REQUEST`` would write the
    session row on every request to move its expiry; this writes it at most once every
    ``TOUCH_SECONDS``, when the session has not been written anyway. The expiry therefore
    moves in steps of a minute: a person is signed out between 29 and 30 minutes after their
    last request instead of at exactly 30, and a page costs no database write for it."""

    TOUCH_SECONDS = 60
    KEY = "_psp_touched"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session that exists (a signed-in person's, or one a form started): a
        # passer-by's request must not create one.
        if session is not None and session.session_key and not session.modified:
            now = int(time.time())
            if now - int(session.get(self.KEY, 0)) >= self.TOUCH_SECONDS:
                session[self.KEY] = now  # marks it modified: SessionMiddleware saves it
        return response


class NoStoreMiddleware:
    """Nothing shown to a signed-in person is kept by the browser or a proxy: every page and
    download (family records, CSV files, report PDFs) answers ``Cache-Control: no-store``.
    A shared tablet's back button or history then cannot show a record after sign-out.
    Static files (served before this by WhiteNoise) keep their long caching. An answer
    marked ``revalidate_only`` (the tablet's caseload, with an ETag) keeps the view's
    ``private, no-cache``: the browser may hold it but must ask again before each use, so an
    unchanged caseload costs a bodiless 304."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated
        response = self.get_response(request)
        if (
            (signed_in or request.user.is_authenticated)
            and not request.path.startswith(settings.STATIC_URL)
            and not getattr(response, "revalidate_only", False)
        ):
            add_never_cache_headers(response)  # no-store, no-cache, must-revalidate, private
            response["Pragma"] = "no-cache"  # for HTTP/1.0 caches
        return response


class CompressPagesMiddleware(GZipMiddleware):
    """Pages and other text (HTML, JSON, CSV) are sent gzip-compressed to browsers that ask:
    a tablet on a county's slow network gets a page in a fifth of the bytes.

    BREACH (guessing a secret in a compressed page from its size, by making the browser send
    many requests that reflect a guess): the CSRF token in every form is masked afresh for
    each response (``django.middleware.csrf.get_token``, since Django 1.10), so it is never
    the same twice, and Django's gzip adds up to 100 random bytes to each response's size
    ("Heal the BREACH"). The pages that show lasting secrets (an authenticator's key, recovery
    codes) and the sign-in forms, under ``/accounts/``, are left uncompressed anyway: they are
    small and rarely opened. CSV exports, streamed as they are read, are compressed as they
    go. Files (report PDFs and CSVs, which ``FileResponse`` streams with their
    ``Content-Length``; a family's record zip, streamed as it is written) and anything
    already encoded are passed as they are; static files never reach this (WhiteNoise
    serves its own compressed copies).
    """

    COMPRESSED_TYPES = ("text/", "application/json")
    NOT_UNDER = ("/accounts/",)

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if (
            isinstance(response, FileResponse)
            or not response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES)
            or request.path.startswith(self.NOT_UNDER)
        ):
            return response
        return super().process_response(request, response)


class ServerTimingMiddleware:
    """``Server-Timing: app;dur=12.3``: the milliseconds the app took to make the answer, from
    the first middleware to the last, as browsers' developer tools and ``make bench`` read it
    (the round trip a person waits for is this plus the network).

    It says how long, never what: no query, path or name. With ``PSP_COUNT_QUERIES`` on (for
    measuring; off by default) it adds ``db;desc="N queries"``, the database queries the
    answer made. A download streamed after the view returns (a report's PDF) is timed up to
    its first byte."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        count_queries = settings.PSP_COUNT_QUERIES
        queries = 0

        def count(execute: Callable[..., Any], *args: Any) -> Any:
            nonlocal queries
            queries += 1
            return execute(*args)

        started = time.perf_counter()
        with ExitStack() as counting:
            if count_queries:
                for connection in connections.all():
                    counting.enter_context(connection.execute_wrapper(count))
            response = self.get_response(request)
        timing = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        if count_queries:
            timing += f', db;desc="{queries} queries"'
        response["Server-Timing"] = timing
        return response
