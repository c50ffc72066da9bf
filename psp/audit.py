"""Writing to the audit log: who did what to which record, when, and from where.

Services call ``record()`` inside their transaction, so an entry exists exactly when the
change does. The request's address and path reach here through ``AuditContextMiddleware``;
management commands and tasks have none.
"""

from __future__ import annotations

import datetime
import decimal
import functools
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse

from psp.models import AuditAction, AuditEntry, Program, User

# Never copied into the log, whatever model they appear on.
SECRET_FIELDS = frozenset({"password", "secret", "token"})


@dataclass(frozen=True)
class RequestContext:
    ip_address: str | None = None
    path: str = ""
    method: str = ""


_NO_REQUEST = RequestContext()
_context: ContextVar[RequestContext | None] = ContextVar("psp_audit_context", default=None)


def set_context(context: RequestContext) -> Any:
    return _context.set(context)


def reset_context(token: Any) -> None:
    _context.reset(token)


def in_reading_request() -> bool:
    """Is the current request one that only reads (GET or HEAD), so a page is being shown?"""
    context = _context.get()
    return context is not None and context.method in ("GET", "HEAD")


def record(
    *,
    actor: User | None,
    action: AuditAction | str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    program: Program | int | None = None,
    object_repr: str | None = None,
    object_type: str | None = None,
) -> AuditEntry:
    """Append one entry. ``program`` defaults to the program the object belongs to."""
    context = _context.get() or _NO_REQUEST
    program_id = program.pk if isinstance(program, Program) else program
    if program_id is None and obj is not None:
        program_id = program_id_of(obj)
    return AuditEntry.objects.create(
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        actor_username=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=str(action),
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=(object_repr if object_repr is not None else str(obj or ""))[:200],
        program_id=program_id,
        changes=changes or {},
        ip_address=context.ip_address,
        path=context.path[:300],
    )


View = Callable[..., HttpResponse]


def audited_list(model: type[models.Model]) -> Callable[[View], View]:
    """For a page that lists families' records: showing it (a GET answered 200) leaves one
    VIEW entry, with the filters and page asked for. Pages of one record need nothing:
    ``policy.get_for_user`` records those."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            record_list_view(request, model, response)
            return response

        return audited

    return decorate


def record_list_view(
    request: HttpRequest, model: type[models.Model], response: HttpResponse
) -> None:
    """One VIEW entry for a list of ``model`` shown (a GET answered 200)."""
    if request.method in ("GET", "HEAD") and response.status_code == 200:
        record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.VIEW,
            object_type=model._meta.label_lower,
            object_repr=f"{model._meta.verbose_name_plural} (list)",
            changes={"query": request.GET.urlencode()} if request.GET else None,
        )


def program_id_of(obj: models.Model) -> int | None:
    """The program a record belongs to, for scoping who may read its history."""
    if isinstance(obj, Program):
        return obj.pk
    explicit = getattr(obj, "audit_program_id", None)
    if explicit is not None:
        return int(explicit)
    program_id = getattr(obj, "program_id", None)
    return int(program_id) if program_id is not None else None


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The JSON-safe values of a record's own fields, secrets left out."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in SECRET_FIELDS:
            continue
        values[field.name] = _json_safe(field.value_from_object(obj))
    return values


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, bytes | memoryview):
        return "<binary>"
    return value
