"""psp's API endpoints (who is calling, the programs they may see, the languages) and the
pieces every app's API views use to document their answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, permissions, serializers
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response

from psp import policy
from psp.api import Pagination
from psp.models import Program, User

PROBLEM_BODY = inline_serializer(
    name="Problem",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(required=False),
        "instance": serializers.CharField(required=False),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
    },
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "description": "Wall-clock time in the program's time zone: HH:MM or HH:MM:SS.",
        "examples": ["14:30", "09:05:00"],
    }
)
class WallClockTimeField(serializers.TimeField):
    """A time of day as people give it, with no UTC offset: the program's local time.
    (OpenAPI's ``format: time`` would demand an offset, which these times do not have.)"""


def page_of(name: str, rows: serializers.BaseSerializer[Any]) -> Any:
    """The documented shape of one page of a list (``psp.api.Pagination``): ``count``,
    ``next``, ``previous`` and ``results``, the rows as ``rows`` (a serializer, many=True)."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": rows,
        },
    )


def problem(description: str) -> OpenApiResponse:
    """A documented error answer, for ``extend_schema(responses=...)``."""
    return OpenApiResponse(response=PROBLEM_BODY, description=description)


CONFLICT_BODY = inline_serializer(
    name="Conflict",
    fields={
        "type": serializers.CharField(),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "instance": serializers.CharField(),
        "current": serializers.DictField(),
    },
)


class ProgramSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    county = serializers.CharField()
    program_type = serializers.CharField()
    is_active = serializers.BooleanField()


class MeSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    name = serializers.CharField()
    language = serializers.CharField()
    statewide_role = serializers.CharField()
    roles = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class LanguageSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema(responses={200: MeSerializer, 401: problem("Not signed in.")})
@api_view(["GET"])
def me(request: Request) -> Response:
    """Who is calling: the account, its language, its roles in each program (by slug)."""
    user: User = request.user  # type: ignore[assignment]
    roles: dict[str, list[str]] = {}
    for membership in user.memberships.select_related("program").order_by("program__slug"):
        roles.setdefault(membership.program.slug, []).append(membership.role)
    return Response(
        MeSerializer(
            {
                "username": user.get_username(),
                "name": user.get_full_name() or user.get_username(),
                "language": user.language or settings.LANGUAGE_CODE,
                "statewide_role": user.statewide_role,
                "roles": roles,
            }
        ).data
    )


class ProgramList(generics.ListAPIView[Program]):
    """The programs the caller may see (all of them for state staff), a page at a time."""

    serializer_class = ProgramSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Program]:
        return policy.visible(self.request.user, Program).order_by("name", "id")


@extend_schema(responses={200: LanguageSerializer(many=True)})
@api_view(["GET"])
@authentication_classes([])
@permission_classes([permissions.AllowAny])
def languages(request: Request) -> Response:
    """The languages the app speaks (``code`` as in ``Accept-Language``)."""
    return Response(
        LanguageSerializer(
            [{"code": code, "name": str(name)} for code, name in settings.LANGUAGES], many=True
        ).data
    )
