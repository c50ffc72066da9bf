"""mentoring's JSON API, for the tablet: a Parent Partner's caseload, contacts (read, log,
edit) and the lists the contact form offers, so it can be filled in offline. Every answer
asks ``psp.policy`` as the pages do, and every write goes through ``mentoring.services``
(atomic, audited)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import OuterRef, QuerySet
from django.utils import timezone, translation
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from mentoring import selectors, services
from mentoring.models import (
    Activity,
    ActivityType,
    Case,
    CaseStatus,
    ContactMode,
    Present,
    Resource,
)
from psp import audit, policy
from psp.api import Conflict, Pagination, uses_token
from psp.api_views import CONFLICT_BODY, WallClockTimeField, page_of, problem
from psp.models import User
from psp.selectors import count_per_row
from psp.services import ConcurrentEditError
from referrals.models import Child

# --- Who may read families' records -------------------------------------------------------


def _family_data_denied(user: User) -> exceptions.PermissionDenied:
    """The 403 for someone who may not see families' records; state staff are told where
    their figures are."""
    if user.is_state_staff:
        return exceptions.PermissionDenied(
            _("State staff see each program's figures, not families' records.")
        )
    return exceptions.PermissionDenied()


def _require_contacts(user: User) -> None:
    """The contact list's gate (the page's): a program's coordinators, and Parent Partners."""
    if not (policy.can(user, "activity.review") or policy.can(user, "activity.create")):
        raise _family_data_denied(user)


def _record_list(request: Request, model: type[Case] | type[Activity], response: Response) -> None:
    """A list of families' records shown to a signed-in person is audited as the pages'
    lists are; a token's every call is audited already (``psp.api.TokenAuthentication``)."""
    if not uses_token(request):
        audit.record_list_view(request, model, response)


# --- Caseload -----------------------------------------------------------------------------


class CaseloadCaseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    referral_number = serializers.CharField()
    family_name = serializers.CharField(help_text="The parents' names, as the home page shows.")
    children = serializers.ListField(
        child=serializers.CharField(), help_text="The children's first names only."
    )
    next_court_date = serializers.DateField(allow_null=True)
    last_contact = serializers.DateField(allow_null=True)
    contacts = serializers.IntegerField(help_text="How many contacts are logged on the case.")
    overdue = serializers.BooleanField(help_text="No contact in the last 14 days.")
    version = serializers.IntegerField()


def caseload_cases(user: User) -> list[Case]:
    """The open cases ``user`` sees (a Parent Partner's current families, as on the home
    page), newest first, with their parents' names and children's first names: 3 queries
    however many cases."""
    contacts = Activity.objects.filter(case=OuterRef("pk"))
    cases: list[Case] = list(
        policy.visible(user, Case)
        .filter(status=CaseStatus.OPEN)
        .select_related("referral")
        .only(
            "pk",
            "version",
            "status",
            "opened_on",
            "next_court_date",
            "last_contact_on",
            "program_id",
            "family_id",
            "referral__number",
        )
        .annotate(last_contact=selectors.last_contact(), contacts=count_per_row(contacts, "case"))
        .order_by("-opened_on", "-id")
    )
    families = {case.family_id for case in cases}
    parents = selectors.parent_names(families)
    children: dict[int, list[str]] = {}
    for family_id, first in (
        Child.objects.filter(family_id__in=families)
        .order_by("id")
        .values_list("family_id", "first_name")
    ):
        children.setdefault(family_id, []).append(first)
    for case in cases:
        case.parent_names = parents.get(case.family_id, [])  # type: ignore[attr-defined]
        case.child_names = children.get(case.family_id, [])  # type: ignore[attr-defined]
    return cases


def _caseload_rows(cases: list[Case], today: datetime.date) -> list[dict[str, Any]]:
    return [
        {
            "id": case.pk,
            "referral_number": case.referral.number,
            "family_name": " & ".join(case.parent_names),  # type: ignore[attr-defined]
            "children": case.child_names,  # type: ignore[attr-defined]
            "next_court_date": case.next_court_date,
            "last_contact": case.last_contact,  # type: ignore[attr-defined]
            "contacts": case.contacts,  # type: ignore[attr-defined]
            "overdue": selectors.is_overdue(case, today),
            "version": case.version,
        }
        for case in cases
    ]


def etag_of(data: Any) -> str:
    """A strong validator: the hash of the answer itself, so it changes exactly when what the
    tablet would show changes (a contact logged, a case edited, a child added, an assignment
    ended) and never otherwise."""
    encoded = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()
    return '"' + hashlib.sha256(encoded).hexdigest()[:40] + '"'


def _not_modified(request: Request, etag: str) -> bool:
    tags = parse_etags(request.headers.get("If-None-Match", ""))
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def _revalidate(response: Response, etag: str) -> Response:
    """Kept by the caller's browser only, and asked again each time (``no-cache``, not
    ``no-store``): unchanged, the answer is a bodiless 304."""
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response.revalidate_only = True  # type: ignore[attr-defined] # psp.middleware.NoStoreMiddleware
    return response


@extend_schema(
    parameters=[
        OpenApiParameter(
            "If-None-Match",
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            description="The ETag of the caseload the tablet holds: unchanged, the answer is 304.",
        )
    ],
    responses={
        200: CaseloadCaseSerializer(many=True),
        304: OpenApiResponse(description="Nothing changed since the ETag sent."),
        401: problem("Not signed in."),
        403: problem("Not a Parent Partner or coordinator (state staff see figures only)."),
    },
)
@api_view(["GET"])
def caseload(request: Request) -> Response:
    """The caller's open cases: a Parent Partner's current families (as on the home page), a
    coordinator's program's open cases. Children by first name only."""
    user: User = request.user  # type: ignore[assignment]
    if not policy.can(user, "case.list"):
        raise _family_data_denied(user)
    data = CaseloadCaseSerializer(
        _caseload_rows(caseload_cases(user), timezone.localdate()), many=True
    ).data
    etag = etag_of(data)
    if _not_modified(request, etag):
        return _revalidate(Response(status=304), etag)
    response = _revalidate(Response(data), etag)
    _record_list(request, Case, response)
    return response


# --- Contacts -----------------------------------------------------------------------------


class ContactSerializer(serializers.ModelSerializer[Activity]):
    referral_number = serializers.CharField(source="case.referral.number")
    parent_partner_name = serializers.CharField(source="parent_partner.__str__")
    activity_type_label = serializers.CharField(source="get_activity_type_display")
    present = serializers.ListField(child=serializers.ChoiceField(choices=Present.choices))
    occurred_time = WallClockTimeField(allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "client_uuid",
            "case",
            "referral_number",
            "program",
            "parent_partner",
            "parent_partner_name",
            "activity_type_label",
            # What a Parent Partner writes: the service's own list, so the two cannot drift.
            *services.ACTIVITY_FIELDS,
            "review_status",
            "review_comment",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ContactChangeSerializer(serializers.Serializer[Any]):
    """The fields of a contact a Parent Partner writes (all optional: a change sends only
    what it changes). Checked again by the model (``Activity.clean``) in the service."""

    occurred_on = serializers.DateField(required=False)
    occurred_time = WallClockTimeField(required=False, allow_null=True)
    duration_minutes = serializers.IntegerField(required=False, min_value=1, max_value=1440)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices, required=False)
    mode = serializers.ChoiceField(choices=ContactMode.choices, required=False)
    location = serializers.CharField(required=False, allow_blank=True, max_length=160)
    present = serializers.ListField(
        child=serializers.ChoiceField(choices=Present.choices),
        required=False,
        max_length=len(Present.choices),
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    mileage = serializers.DecimalField(
        required=False, max_digits=6, decimal_places=1, min_value=0, max_value=1000
    )
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=300)
    next_step_due = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the next step is due by: it becomes a follow-up for the Parent "
        "Partner (a week after the contact when not given).",
    )
    next_court_date = serializers.DateField(required=False, allow_null=True)
    resource = serializers.PrimaryKeyRelatedField(
        queryset=Resource.objects.none(), required=False, allow_null=True
    )

    def __init__(
        self, *args: Any, resources: QuerySet[Resource] | None = None, **kwargs: Any
    ) -> None:
        """``resources``: those the contact may name (none unless given)."""
        super().__init__(*args, **kwargs)
        if resources is not None:
            self.fields["resource"].queryset = resources  # type: ignore[attr-defined]


class ContactCreateSerializer(ContactChangeSerializer):
    client_uuid = serializers.UUIDField(
        help_text="Made by the tablet for this contact: sending it again returns the first."
    )
    case = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    occurred_on = serializers.DateField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=1440)
    activity_type = serializers.ChoiceField(choices=ActivityType.choices)
    mode = serializers.ChoiceField(choices=ContactMode.choices)


class ContactUpdateSerializer(ContactChangeSerializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version the change was made over (409 if stale)."
    )


def _invalid(error: DjangoValidationError) -> exceptions.ValidationError:
    """The model's refusal, field by field, as the API's 400."""
    if hasattr(error, "error_dict"):
        return exceptions.ValidationError(
            {
                ("non_field_errors" if field == "__all__" else field): messages
                for field, messages in error.message_dict.items()
            }
        )
    return exceptions.ValidationError({"non_field_errors": error.messages})


def _valid(serializer: serializers.Serializer[Any], data: Any) -> dict[str, Any]:
    serializer.initial_data = data
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _contact(user: User, pk: int) -> Activity:
    return policy.get_for_user(user, selectors.activities_for_user(user), "activity.view", pk=pk)


def _filters(request: Request) -> dict[str, Any]:
    """``case``, ``from`` and ``to`` from the query, or a 400 naming the one that is wrong."""
    errors: dict[str, list[str]] = {}
    found: dict[str, Any] = {}
    # A filter sent empty is a mistake to point out, not a filter to drop silently.
    case = request.query_params.get("case")
    if case is not None:
        if not (case.isascii() and case.isdigit()) or len(case) > 10:
            errors["case"] = [_("Give the case's number (its id).")]
        else:
            found["case_id"] = int(case)
    for name in ("from", "to"):
        value = request.query_params.get(name)
        if value is None:
            continue
        try:
            found[name] = datetime.date.fromisoformat(value)
        except ValueError:
            errors[name] = [_("Enter a date as YYYY-MM-DD.")]
    if "from" in found and "to" in found and found["from"] > found["to"]:
        errors["to"] = [_("The end date cannot be before the start date.")]
    if errors:
        raise exceptions.ValidationError(errors)
    return found


CONTACT_FILTERS = [
    OpenApiParameter("case", OpenApiTypes.INT, description="Only this case's contacts."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="Contacts on or after this day."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Contacts on or before this day."),
    OpenApiParameter("page", OpenApiTypes.INT),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="At most 200."),
]


@extend_schema(
    methods=["GET"],
    operation_id="contacts_list",
    parameters=CONTACT_FILTERS,
    responses={
        200: page_of("ContactPage", ContactSerializer(many=True)),
        400: problem("A filter is not valid."),
        401: problem("Not signed in."),
        403: problem("Not a Parent Partner or coordinator (state staff see figures only)."),
    },
)
@extend_schema(
    methods=["POST"],
    request=ContactCreateSerializer,
    responses={
        200: OpenApiResponse(ContactSerializer, description="Already logged (same client_uuid)."),
        201: ContactSerializer,
        400: problem("A value is not valid; ``errors`` names the fields."),
        401: problem("Not signed in."),
        403: problem("Only a case's Parent Partner logs contacts; tokens only read."),
        404: problem("No such case among those the caller may see."),
    },
)
@api_view(["GET", "POST"])
def contacts(request: Request) -> Response:
    """GET: the contacts the caller sees, newest first (a Parent Partner's own, a
    coordinator's program's). POST: log a contact on one of the caller's current cases."""
    user: User = request.user  # type: ignore[assignment]
    _require_contacts(user)
    if request.method == "POST":
        return _contact_create(request, user)
    found = _filters(request)
    rows = selectors.activities_for_user(user)
    if "case_id" in found:
        rows = rows.filter(case_id=found["case_id"])
    if "from" in found:
        rows = rows.filter(occurred_on__gte=found["from"])
    if "to" in found:
        rows = rows.filter(occurred_on__lte=found["to"])
    page = Pagination()
    chosen = page.paginate_queryset(rows, request)
    response = page.get_paginated_response(ContactSerializer(chosen, many=True).data)
    _record_list(request, Activity, response)
    return response


def _contact_create(request: Request, user: User) -> Response:
    if not policy.can(user, "activity.create"):
        raise exceptions.PermissionDenied(_("Only a family's Parent Partner logs contacts."))
    resources = policy.visible(user, Resource).filter(is_active=True)
    data = _valid(ContactCreateSerializer(resources=resources), request.data)
    client_uuid = data.pop("client_uuid")
    # Sent again (the tablet lost the first answer): the contact logged the first time.
    already = (
        selectors.activities_for_user(user)
        .filter(client_uuid=client_uuid, parent_partner__user=user)
        .first()
    )
    if already is not None:
        return Response(ContactSerializer(already).data, status=200)
    case = policy.visible(user, Case).select_related("referral").filter(pk=data.pop("case")).first()
    if case is None:
        # Said the same way for a case that never was the caller's (nothing is revealed),
        # and worded for the Parent Partner whose tablet sends a contact logged offline.
        raise exceptions.NotFound(
            _(
                "This family is not on your caseload now: the case may have been closed or "
                "given to someone else. Ask your coordinator."
            )
        )
    if not policy.can(user, "activity.create", case):
        raise exceptions.ValidationError(
            {"case": [_("You can log contacts only for the families assigned to you now.")]}
        )
    resource = data.get("resource")
    if resource is not None and resource.program_id != case.program_id:
        raise exceptions.ValidationError(
            {"resource": [_("Choose one of this family's program's resources.")]}
        )
    partner = selectors.partner_profile_of(user, case.program_id)
    if partner is None:
        raise exceptions.PermissionDenied(_("Only a family's Parent Partner logs contacts."))
    try:
        activity, created = services.activity_log(
            actor=user, partner=partner, case=case, data=data, client_uuid=client_uuid
        )
    except DjangoValidationError as error:
        raise _invalid(error) from error
    stored = selectors.activities_for_user(user).get(pk=activity.pk)
    return Response(ContactSerializer(stored).data, status=201 if created else 200)


@extend_schema(
    methods=["GET"],
    responses={
        200: ContactSerializer,
        401: problem("Not signed in."),
        403: problem("Not a Parent Partner or coordinator (state staff see figures only)."),
        404: problem("No such contact among those the caller may see."),
    },
)
@extend_schema(
    methods=["PATCH"],
    request=ContactUpdateSerializer,
    responses={
        200: ContactSerializer,
        400: problem("A value is not valid; ``errors`` names the fields."),
        401: problem("Not signed in."),
        403: problem("Signed off (only a coordinator changes it now), or a token."),
        404: problem("No such contact among those the caller may see."),
        409: OpenApiResponse(
            CONFLICT_BODY, description="Changed since ``version``: ``current`` is it now."
        ),
    },
)
@api_view(["GET", "PATCH"])
def contact_detail(request: Request, pk: int) -> Response:
    """GET: one contact. PATCH: change it, over the ``version`` the caller last read."""
    user: User = request.user  # type: ignore[assignment]
    _require_contacts(user)
    activity = _contact(user, pk)
    if request.method == "GET":
        return Response(ContactSerializer(activity).data)
    if not policy.can(user, "activity.change", activity):
        raise exceptions.PermissionDenied(
            _("This contact was signed off. Ask your coordinator to change it.")
        )
    resources = policy.visible(user, Resource).filter(program_id=activity.program_id)
    data = _valid(ContactUpdateSerializer(resources=resources), request.data)
    version = data.pop("version")
    try:
        services.activity_update(actor=user, activity=activity, data=data, expected_version=version)
    except ConcurrentEditError as error:
        current = ContactSerializer(_contact(user, pk)).data
        raise Conflict(str(error), current=current) from error
    except DjangoValidationError as error:
        raise _invalid(error) from error
    except DjangoPermissionDenied as error:  # pragma: no cover - the policy said yes above
        raise exceptions.PermissionDenied() from error
    return Response(ContactSerializer(_contact(user, pk)).data)


# --- What the contact form offers ---------------------------------------------------------


class ChoiceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment] # a field named like Field.label


class ContactChoicesSerializer(serializers.Serializer[Any]):
    activity_types = ChoiceSerializer(many=True)
    modes = ChoiceSerializer(many=True)
    present = ChoiceSerializer(many=True)


class ResourceSerializer(serializers.ModelSerializer[Resource]):
    category_label = serializers.CharField(source="get_category_display")

    class Meta:
        model = Resource
        fields = [
            "id",
            "program",
            "name",
            "category",
            "category_label",
            "phone",
            "website",
            "address",
            "languages",
        ]
        read_only_fields = fields


def _choices(choices: list[tuple[str, Any]]) -> list[dict[str, str]]:
    return [{"code": code, "label": str(label)} for code, label in choices]


@extend_schema(responses={200: ContactChoicesSerializer, 401: problem("Not signed in.")})
@api_view(["GET"])
def activity_types(request: Request) -> Response:
    """The contact form's choices, labelled in the caller's language: kinds of contact, how
    it happened, who was there."""
    user: User = request.user  # type: ignore[assignment]
    # A token's caller has no session: their own language, else the browser's.
    language = user.language_or_default if user.language else translation.get_language()
    with translation.override(language):
        body = {
            "activity_types": _choices(ActivityType.choices),
            "modes": _choices(ContactMode.choices),
            "present": _choices(Present.choices),
        }
    response = Response(ContactChoicesSerializer(body).data)
    response["Content-Language"] = language
    return response


@extend_schema(
    responses={
        200: ResourceSerializer(many=True),
        401: problem("Not signed in."),
        403: problem("Not a member of a program."),
    }
)
@api_view(["GET"])
def resources(request: Request) -> Response:
    """The active community resources of the caller's programs, to link a contact to."""
    user: User = request.user  # type: ignore[assignment]
    if not policy.can(user, "resource.view"):
        raise exceptions.PermissionDenied()
    rows = policy.visible(user, Resource).filter(is_active=True).order_by("name", "id")
    return Response(ResourceSerializer(rows, many=True).data)
