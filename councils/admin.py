"""Councils and outreach in the Django admin: administrators correcting records, audited.

Agendas and minutes saved here pass through the same sanitiser as the app's forms, so the
pages that show them never receive raw HTML from anybody.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from councils.models import (
    Attendance,
    Council,
    CouncilMember,
    Meeting,
    OutreachEvent,
    Recommendation,
    RecommendationStatusChange,
    ReferralSource,
    Stipend,
)
from councils.services import sanitize_rich_text
from psp.admin import PolicyAdmin, PolicyInline


class CouncilMemberInline(PolicyInline, admin.TabularInline):
    model = CouncilMember
    extra = 0
    fields = ["name", "council_role", "organisation", "lived_experience", "is_active", "user"]
    raw_id_fields = ["user"]


@admin.register(Council)
class CouncilAdmin(PolicyAdmin):
    list_display = ["name", "kind", "program"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [CouncilMemberInline]
    list_select_related = ["program"]


@admin.register(CouncilMember)
class CouncilMemberAdmin(PolicyAdmin):
    list_display = ["name", "council", "council_role", "lived_experience", "is_active"]
    list_filter = ["council", "council_role", "lived_experience", "is_active"]
    search_fields = ["name", "organisation", "email"]
    raw_id_fields = ["user"]
    list_select_related = ["council"]


class AttendanceInline(PolicyInline, admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["member"]


@admin.register(Meeting)
class MeetingAdmin(PolicyAdmin):
    list_display = ["held_on", "council", "location"]
    list_filter = ["council"]
    date_hierarchy = "held_on"
    readonly_fields = ["version"]
    inlines = [AttendanceInline]
    list_select_related = ["council"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        obj.agenda = sanitize_rich_text(obj.agenda)
        obj.minutes = sanitize_rich_text(obj.minutes)
        if change:
            obj.version += 1  # forms opened in the app before this save are now stale
        super().save_model(request, obj, form, change)


class StatusChangeInline(PolicyInline, admin.TabularInline):
    model = RecommendationStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "at", "actor", "note"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Recommendation)
class RecommendationAdmin(PolicyAdmin):
    list_display = ["title", "council", "area", "status", "proposed_on", "decided_on"]
    list_filter = ["council", "area", "status"]
    search_fields = ["title", "owner"]
    readonly_fields = ["status", "status_changed_at", "decided_on", "version"]
    raw_id_fields = ["meeting", "raised_by"]
    inlines = [StatusChangeInline]
    list_select_related = ["council"]


@admin.register(Stipend)
class StipendAdmin(PolicyAdmin):
    list_display = ["member", "awarded_on", "amount", "status", "paid_on"]
    list_filter = ["status", "member__council"]
    date_hierarchy = "awarded_on"
    raw_id_fields = ["member", "meeting"]
    list_select_related = ["member"]


@admin.register(OutreachEvent)
class OutreachEventAdmin(PolicyAdmin):
    list_display = ["held_on", "title", "program", "audience_type", "attendance"]
    list_filter = ["program", "audience_type"]
    search_fields = ["title", "organisation"]
    date_hierarchy = "held_on"
    readonly_fields = ["version"]
    raw_id_fields = ["created_by"]
    list_select_related = ["program"]


@admin.register(ReferralSource)
class ReferralSourceAdmin(PolicyAdmin):
    """Which outreach event a referral came from; opening it is audited (a family's record)."""

    list_display = ["referral", "event"]
    list_filter = ["event__program"]
    search_fields = ["referral__number", "event__title"]
    raw_id_fields = ["referral", "event"]
    list_select_related = ["referral", "event"]
