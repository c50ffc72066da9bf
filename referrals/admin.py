"""Referrals and families in the Django admin: administrators correcting records, audited."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from psp.admin import PolicyAdmin, PolicyInline
from referrals.models import (
    Child,
    Family,
    Parent,
    PlacementChange,
    Referral,
    RemovalEpisode,
    Transition,
)


class ParentInline(PolicyInline, admin.StackedInline):
    model = Parent
    extra = 0
    exclude = ["name_key"]


class ChildInline(PolicyInline, admin.StackedInline):
    model = Child
    extra = 0


@admin.register(Family)
class FamilyAdmin(PolicyAdmin):
    list_display = ["__str__", "program", "created_at"]
    list_filter = ["program"]
    inlines = [ParentInline, ChildInline]
    search_fields = ["parents__first_name", "parents__last_name"]


class PlacementChangeInline(PolicyInline, admin.TabularInline):
    model = PlacementChange
    extra = 0


@admin.register(RemovalEpisode)
class RemovalEpisodeAdmin(PolicyAdmin):
    """Stays in out-of-home care, with their placements (a child's page shows them too)."""

    list_display = ["child", "removed_on", "discharged_on", "discharge_reason"]
    list_filter = ["discharge_reason", "child__family__program"]
    raw_id_fields = ["child"]
    inlines = [PlacementChangeInline]
    list_select_related = ["child"]


class TransitionInline(PolicyInline, admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "at", "reason", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Referral)
class ReferralAdmin(PolicyAdmin):
    list_display = ["number", "program", "received_on", "status", "urgency"]
    list_filter = ["program", "status", "urgency"]
    search_fields = ["number", "family__parents__last_name"]
    readonly_fields = ["number", "status", "status_changed_at", "family", "program"]
    raw_id_fields = ["referred_by", "entered_by"]
    inlines = [TransitionInline]
    list_select_related = ["program"]
