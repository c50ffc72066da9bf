"""What every JSON API view shares, the classes REST framework's settings name: who is
calling (the browser session, or a system's scoped token), the limits on tokens, pages of
results, and errors as RFC 9457 problem details. The endpoints live with their data
(``psp/api_views.py``, ``mentoring/api.py``, ``reporting/api.py``) and ask ``psp.policy``
exactly as the pages do.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication as drf_authentication
from rest_framework import exceptions, pagination, permissions, throttling
from rest_framework.request import Request
from rest_framework.response import Response

from psp import audit
from psp.models import ApiToken, AuditAction, User

if TYPE_CHECKING:
    from rest_framework.views import APIView

TOKEN_PREFIX = "psp_"  # noqa: S105 (the start of every token, not a secret)
PROBLEM_TYPE = "application/problem+json"


# --- Tokens ---------------------------------------------------------------------------------


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    """A fresh secret: shown once to the administrator who makes the token, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# A token's last use is written at most this often, so a busy system is not a write a call.
LAST_USED_EVERY = datetime.timedelta(minutes=1)


class TokenAuthentication(drf_authentication.BaseAuthentication):
    """``Authorization: Bearer psp_…``. A token that is unknown, expired, revoked or whose
    account is inactive or no longer state staff answers 401, and so does a malformed header;
    each call a token makes is one audit entry."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = drf_authentication.get_authorization_header(request).decode(
            "latin-1", errors="replace"
        )
        if not header:
            return None
        keyword, _space, key = header.partition(" ")
        if keyword.lower() != self.keyword.lower():
            return None
        key = key.strip()
        if not key.startswith(TOKEN_PREFIX) or len(key) > 200:
            raise exceptions.AuthenticationFailed(_("This API token is not valid."))
        token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
        now = timezone.now()
        # A token speaks for a state-staff account only: if the account has since lost that
        # role (or been turned off), its tokens stop with it.
        if token is None or not (token.user.is_active and token.user.is_state_staff):
            raise exceptions.AuthenticationFailed(_("This API token is not valid."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API token was revoked."))
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This API token has expired."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        audit.record(
            actor=token.user,
            action=AuditAction.VIEW,
            object_type="api",
            object_repr=f"API {request.method} {request.path}"[:200],
            changes={"token": token.prefix, "query": request.META.get("QUERY_STRING", "")},
        )
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class SessionAuthentication(drf_authentication.SessionAuthentication):
    """The signed-in browser (the app's pages, the tablet): its session cookie, and the CSRF
    token on every write."""


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "psp.api.TokenAuthentication"
    name = "stateToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": _(
                "A read-only token an administrator made for a state-staff account: "
                "Authorization: Bearer psp_…"
            ),
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "psp.api.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


def uses_token(request: Request) -> bool:
    return isinstance(request.auth, ApiToken)


class SignedIn(permissions.BasePermission):
    """Signed in, by session or token; a token only reads. What the caller may read is the
    policy's to say, view by view."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        if uses_token(request) and request.method not in permissions.SAFE_METHODS:
            raise exceptions.PermissionDenied(_("API tokens can only read."))
        return True


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """A limit per token (``PSP_API_TOKEN_RATE``); signed-in people are not limited here."""

    scope = "token"

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        if not uses_token(request):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


# --- Pages of results -----------------------------------------------------------------------


class Pagination(pagination.PageNumberPagination):
    """``page`` and ``page_size``; a page size that is not a whole number from 1 up answers
    400 at the field (never silently the default), a larger one than 200 gives 200."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            size = int(value)
        except ValueError:
            size = 0
        if size < 1:
            raise exceptions.ValidationError(
                {self.page_size_query_param: [_("Enter a whole number from 1 to 200.")]}
            )
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["description"] = _(
                    "How many results a page holds: %(default)s unless given, at most %(most)s."
                ) % {"default": self.page_size, "most": self.max_page_size}
        return parameters


# --- Errors: RFC 9457 problem details -------------------------------------------------------


class Conflict(exceptions.APIException):
    """Someone saved the record first: the answer carries the record as it now stands, so
    the caller can show both and decide, never overwrite blindly."""

    status_code = 409
    default_code = "conflict"

    def __init__(self, detail: str, *, current: Any) -> None:
        super().__init__(detail)
        self.current = current


TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Request too large",
    415: "Unsupported media type",
    429: "Too many requests",
}


def problem_details(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as ``application/problem+json``: ``type``, ``title``, ``status``,
    ``detail``, ``instance``; field errors under ``errors`` (field name to messages), the
    stored record of a conflict under ``current``. Anything else is left to Django (a 500
    page, logged)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    status = exc.status_code
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
    }
    request = context.get("request")
    if request is not None:
        body["instance"] = request.path
    if isinstance(exc, exceptions.ValidationError):
        body["detail"] = _("Some of the values sent are not valid.")
        detail = exc.detail
        if isinstance(detail, dict):
            body["errors"] = {str(k): _messages(v) for k, v in detail.items()}
        else:
            body["errors"] = {"non_field_errors": _messages(detail)}
    else:
        body["detail"] = str(exc.detail) if not isinstance(exc.detail, (list, dict)) else ""
    if isinstance(exc, Conflict):
        body["current"] = exc.current
    headers: dict[str, str] = {}
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        headers["WWW-Authenticate"] = f'{TokenAuthentication.keyword} realm="api"'
    wait = getattr(exc, "wait", None)
    if wait is not None:
        headers["Retry-After"] = str(int(wait))
    return Response(body, status=status, headers=headers, content_type=PROBLEM_TYPE)


def problem_response(request: HttpRequest, status: int, detail: str) -> HttpResponse:
    """A problem answered before REST framework sees the request (by a middleware): the
    same body and type as ``problem_details`` gives."""
    body = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.path,
    }
    return JsonResponse(body, status=status, content_type=PROBLEM_TYPE)


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def _messages(value: Any) -> list[str]:
    if isinstance(value, (list, tuple)):
        out: list[str] = []
        for item in value:
            out.extend(_messages(item))
        return out
    if isinstance(value, dict):
        return [f"{key}: {message}" for key, item in value.items() for message in _messages(item)]
    return [str(value)]


# --- Errors in the schema -------------------------------------------------------------------

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "Each field sent that is not valid, with what is wrong with it.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status"],
}

# The errors any operation may answer, whatever its view documents: the caller is not signed
# in or its token is not valid (the token is checked even where no sign-in is needed), it may
# not do this, it asks for a format other than JSON, or its token made too many calls.
EVERY_OPERATION = {
    401: "Not signed in, or the API token is not valid, expired or revoked.",
    403: "Not allowed: the caller's role does not permit it, an API token tried to write, "
    "or a signed-in write came without its CSRF token.",
    406: "The Accept header asks for a format other than JSON.",
    429: "The API token made too many calls; try again after Retry-After seconds.",
}
NOT_FOUND = "Nothing with this address is visible to the caller (or the page is past the end)."
NOT_VALID = (
    "Some of the values sent are not valid (see errors), or the address holds characters the "
    "service cannot read."
)
NOT_JSON = "The body is not JSON."
TOO_LARGE = "The body is larger than the service accepts."
HEADERS = {
    401: {"WWW-Authenticate": "How to sign in: Bearer, for a token."},
    429: {"Retry-After": "Seconds to wait before the next call."},
}
HTTP_METHODS = {"get", "put", "post", "patch", "delete", "head", "options", "trace"}


def document_problems(result: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
    """drf-spectacular post-processing hook (``SPECTACULAR_SETTINGS``): every error answer in
    the schema is ``application/problem+json``, and every operation documents the errors
    ``problem_details`` can answer for it (400 and 415 where it takes input, 404 where it
    names an object or pages through a list), so a client can rely on the schema for every
    answer it may get."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Problem", PROBLEM_SCHEMA)
    problem = {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            for status, response in responses.items():
                content = response.get("content", {})
                if str(status)[0] in "45" and "application/json" in content:
                    content[PROBLEM_TYPE] = content.pop("application/json")
            parameters = operation.get("parameters", [])
            errors = dict(EVERY_OPERATION)
            if "{" in path or any(p.get("name") == "page" for p in parameters):
                errors[404] = NOT_FOUND
            if "requestBody" in operation or any(p.get("in") == "query" for p in parameters):
                errors[400] = NOT_VALID
            if "requestBody" in operation:
                errors[413] = TOO_LARGE
                errors[415] = NOT_JSON
            for status, description in sorted(errors.items()):
                documented: dict[str, Any] = {"description": description, "content": problem}
                if status in HEADERS:
                    documented["headers"] = {
                        name: {"description": text, "schema": {"type": "string"}}
                        for name, text in HEADERS[status].items()
                    }
                responses.setdefault(str(status), documented)
    return result
