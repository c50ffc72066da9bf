"""The Django admin, for administrators only, with the same policy and audit as the app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms import BaseInlineFormSet, Form
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from psp import audit, policy, services
from psp.models import (
    ApiToken,
    AuditAction,
    AuditEntry,
    ContractPeriod,
    Membership,
    Program,
    RoleLabel,
    School,
    SchoolDistrict,
    StatewideRole,
    User,
)


def _admin_has_permission(request: HttpRequest) -> bool:
    return policy.can(request.user, "admin.access")


admin.site.has_permission = _admin_has_permission  # type: ignore[method-assign]
admin.site.site_header = "PSP Case Management"
admin.site.site_title = "PSP Case Management"


class PolicyAdmin(admin.ModelAdmin):
    """Every change made through the admin is allowed by the policy and written to the log.

    ``get_queryset`` starts from ``policy.visible``, so the admin shows a user exactly the
    rows the app would. Changes to the record and to its inline rows are logged with what
    changed; opening a family's record, or a list of them, is logged as a view
    (``audit_views``, on by default for ``policy.is_family_record`` models).
    """

    audit_views: bool | None = None

    def _audits_views(self) -> bool:
        if self.audit_views is None:
            return policy.is_family_record(self.model)
        return self.audit_views

    def get_queryset(self, request: HttpRequest) -> models.QuerySet[Any]:
        if not policy.has_scope(self.model):
            # Installation models (users, contract periods) are the administrators' own.
            return super().get_queryset(request)
        return policy.visible(request.user, self.model)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        if self._audits_views() and request.method == "GET":
            obj = self.get_object(request, object_id)
            if obj is not None:
                audit.record(actor=request.user, action=AuditAction.VIEW, obj=obj)  # type: ignore[arg-type]
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        response = super().changelist_view(request, extra_context)
        if self._audits_views():
            audit.record_list_view(request, self.model, response)
        return response

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "admin.access")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "admin.access")

    has_add_permission = has_module_permission

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "admin.access")

    has_delete_permission = has_change_permission

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = audit.snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        after = audit.snapshot(obj)
        audit.record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            obj=obj,
            changes=audit.diff(before, after) if change else after,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit.record(
            actor=request.user,  # type: ignore[arg-type]
            action=AuditAction.DELETE,
            obj=obj,
            changes=audit.snapshot(obj),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (a parent inside a family) are logged one by one, with their changes."""
        model = formset.model
        before: dict[Any, dict[str, Any]] = {}
        for inline_form in formset.initial_forms:
            pk = inline_form.instance.pk
            if pk is None:
                continue
            if formset._should_delete_form(inline_form):
                # Logged now: once deleted, the row has no primary key left to name.
                old = model._default_manager.get(pk=pk)
                audit.record(
                    actor=request.user,  # type: ignore[arg-type]
                    action=AuditAction.DELETE,
                    obj=old,
                    changes=audit.snapshot(old),
                )
            elif inline_form.has_changed():
                before[pk] = audit.snapshot(model._default_manager.get(pk=pk))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=AuditAction.CREATE,
                obj=obj,
                changes=audit.snapshot(obj),
            )
        for obj, _fields in formset.changed_objects:
            changes = audit.diff(before.get(obj.pk, {}), audit.snapshot(obj))
            if changes:
                audit.record(
                    actor=request.user,  # type: ignore[arg-type]
                    action=AuditAction.UPDATE,
                    obj=obj,
                    changes=changes,
                )


class LabelledRows(BaseInlineFormSet):
    """A table's fields named by their column (Django's tabular inline shows the column's
    heading but gives the fields in its rows no label)."""

    def add_fields(self, form: Form, index: int | None) -> None:
        super().add_fields(form, index)
        for field in form.fields.values():
            if field.label:
                field.widget.attrs.setdefault("aria-label", capfirst(field.label))


class PolicyInline(admin.options.InlineModelAdmin):
    """Inline rows answer to the same rule as their page (``admin.access``), not to Django's
    per-model permissions, so an administrator sees and edits them like the page itself.
    A table of rows (a tabular inline) scrolls in a box the keyboard reaches, and the fields
    of its rows are named by their column (``LabelledRows``)."""

    def __init__(self, parent_model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(parent_model, admin_site)
        if isinstance(self, admin.TabularInline):
            self.template = "admin/edit_inline/tabular_region.html"

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if isinstance(self, admin.TabularInline):
            return type(formset.__name__, (LabelledRows, formset), {})
        return formset

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "admin.access")

    has_add_permission = has_view_permission
    has_change_permission = has_view_permission
    has_delete_permission = has_view_permission


class ContractPeriodInline(PolicyInline, admin.TabularInline):
    model = ContractPeriod
    extra = 0


class RoleLabelInline(PolicyInline, admin.TabularInline):
    model = RoleLabel
    extra = 0


class SchoolDistrictInline(PolicyInline, admin.TabularInline):
    """The school districts (LEAs) a school-based program works with."""

    model = SchoolDistrict
    extra = 0


@admin.register(Program)
class ProgramAdmin(PolicyAdmin):
    list_display = ["name", "county", "program_type", "partner_agency", "is_active"]
    list_filter = ["program_type", "is_active"]
    search_fields = ["name", "county"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContractPeriodInline, RoleLabelInline, SchoolDistrictInline]


@admin.register(School)
class SchoolAdmin(PolicyAdmin):
    list_display = ["name", "district", "is_active"]
    list_filter = ["district__program", "is_active"]
    search_fields = ["name", "district__name"]
    list_select_related = ["district"]


@admin.register(Membership)
class MembershipAdmin(PolicyAdmin):
    list_display = ["user", "program", "role", "school", "is_active"]
    list_filter = ["program", "role", "is_active"]
    search_fields = ["user__username", "user__last_name"]
    # Not autocomplete_fields: its select2 box has no accessible name until a user is chosen.
    raw_id_fields = ["user"]
    list_select_related = ["user", "program", "school"]


@admin.register(User)
class UserAdmin(PolicyAdmin, DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "statewide_role", "is_active"]
    list_filter = ["statewide_role", "is_active"]
    # Plain lists, not Django's two-box filter: its script writes an ARIA label where ARIA
    # allows none. (Access comes from roles, not from groups and permissions.)
    filter_horizontal = ()
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("PSP", {"fields": ["statewide_role"]}),
    )

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """An administrator setting someone's password is logged (never the password)."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            audit.record(
                actor=request.user,  # type: ignore[arg-type]
                action=AuditAction.UPDATE,
                obj=user,
                changes={"password": "set" if user.has_usable_password() else "disabled"},
            )
        return response


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    filter_horizontal = ()  # as the users' (above)


class BlankAsEmpty(admin.AllValuesFieldListFilter):
    """A blank value is listed as the admin shows any empty value ("-"), not as a link with
    no words (entries about no record have a blank object type)."""

    def choices(self, changelist: Any) -> Any:
        for choice in super().choices(changelist):
            if choice["display"] == "":
                choice = {**choice, "display": self.empty_value_display}
            yield choice


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway (see the psp migrations)."""

    list_display = ["occurred_at", "actor_username", "action", "object_type", "object_repr"]
    list_filter = ["action", ("object_type", BlankAsEmpty)]
    search_fields = ["actor_username", "object_repr", "object_id"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can(request.user, "admin.access")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "admin.access")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ApiTokenForm(forms.ModelForm):
    """A new token: what it is for, whose it is, until when. The key itself is made by the
    service on save, never typed."""

    class Meta:
        model = ApiToken
        fields = ["name", "user", "expires_at"]
        help_texts = {
            "name": _(
                "Which system uses it, so you can tell tokens apart (e.g. DCF data warehouse)."
            ),
            "user": _(
                "A state-staff account: the system sees exactly what this account sees, "
                "and can only read."
            ),
            "expires_at": _("At most one year from now."),
        }
        error_messages = {
            "user": {
                "invalid_choice": _(
                    "API tokens are only for active state-staff accounts. "
                    "Choose a state-staff account."
                )
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A plain list of the few accounts a token may belong to (the search box's widget has
        # no accessible name until something is chosen).
        user_field = self.fields.get("user")
        if isinstance(user_field, forms.ModelChoiceField):
            user_field.queryset = User.objects.filter(
                statewide_role=StatewideRole.STATE_STAFF, is_active=True
            ).order_by("last_name", "first_name", "username")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            services.api_token_check(user=cleaned.get("user"), expires_at=cleaned.get("expires_at"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


# Where a new token's key waits, between the form that made it and the page that shows it.
NEW_KEY_SESSION = "psp_new_api_token"


@admin.register(ApiToken)
class ApiTokenAdmin(PolicyAdmin):
    """Tokens for the state's systems. Made here (the key shown once), revoked here; never
    edited and never deleted, so the audit log's entries keep naming a token that exists."""

    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "status",
    ]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username", "user__last_name"]
    actions = ["revoke_tokens"]
    shown_fields = [
        "name",
        "user",
        "prefix",
        "status",
        "created_at",
        "created_by",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]

    @admin.display(description=_("status"))
    def status(self, token: ApiToken) -> str:
        if token.revoked_at is not None:
            return gettext("revoked")
        if token.expires_at <= timezone.now():
            return gettext("expired")
        return gettext("active")

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ApiTokenForm.Meta.fields if obj is None else self.shown_fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.shown_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = {**super().get_changeform_initial_data(request)}
        initial.setdefault("expires_at", services.api_token_default_expiry())
        return initial

    # A token is only ever made or revoked: its change page shows it, read-only.
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can(request.user, "admin.access")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            raise PermissionDenied
        token, key = services.api_token_create(
            actor=request.user,  # type: ignore[arg-type]
            user=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expires_at=form.cleaned_data["expires_at"],
        )
        # The admin goes on with the form's instance (its history entry, the next page).
        for field in ApiToken._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        obj._state.db = token._state.db
        request.new_api_token_key = key  # type: ignore[attr-defined]

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue: Any = None) -> Any:
        """On to the page that shows the key: the key waits in the session only until that
        page takes it out, so reloading it (or the form's answer) never shows it again nor
        makes a second token."""
        key = getattr(request, "new_api_token_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        request.session[NEW_KEY_SESSION] = {"pk": obj.pk, "key": key}
        return HttpResponseRedirect(reverse("admin:psp_apitoken_key", args=[obj.pk]))

    def key_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The new key, shown once: taken out of the session as it is shown."""
        token = self.get_object(request, object_id)
        if token is None:
            raise Http404
        waiting = request.session.get(NEW_KEY_SESSION) or {}
        if waiting.get("pk") != token.pk:
            self.message_user(
                request,
                gettext(
                    "The key of “%(name)s” was shown once, when it was made, and cannot be "
                    "shown again. If it was not copied, revoke this token and make a new one."
                )
                % {"name": token.name},
                messages.WARNING,
            )
            return HttpResponseRedirect(reverse("admin:psp_apitoken_change", args=[token.pk]))
        del request.session[NEW_KEY_SESSION]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Copy the new API token now"),
            "token": token,
            "key": waiting["key"],
        }
        return TemplateResponse(request, "admin/psp/apitoken/key_shown.html", context)

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: models.QuerySet[ApiToken]) -> None:
        revoked = sum(
            services.api_token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
            for token in queryset
        )
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<path:object_id>/key/",
                self.admin_site.admin_view(self.key_view),
                name="psp_apitoken_key",
            ),
            path(
                "<path:object_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="psp_apitoken_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The change page's "Revoke" button."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_revoke_permission(request):
            raise PermissionDenied
        token = self.get_object(request, object_id)
        if token is None:
            raise Http404
        if services.api_token_revoke(actor=request.user, token=token):  # type: ignore[arg-type]
            self.message_user(
                request, gettext("The token “%(name)s” is revoked.") % {"name": token.name}
            )
        else:
            self.message_user(
                request,
                gettext("The token “%(name)s” was already revoked.") % {"name": token.name},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:psp_apitoken_change", args=[token.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        extra_context = {**(extra_context or {}), "can_revoke": self.has_revoke_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)
