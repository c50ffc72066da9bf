"""Reports in the Django admin: read-only, for administrators following up a failed run.

Administrators see when a report was asked for, by whom, how far it got and why it failed;
the files stay with the people the policy lets download them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from psp.admin import PolicyAdmin
from reporting.models import Report


@admin.register(Report)
class ReportAdmin(PolicyAdmin):
    list_display = ["__str__", "status", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["status", "year", "quarter", "program"]
    list_select_related = ["program", "requested_by"]
    readonly_fields = (
        "program",
        "year",
        "quarter",
        "suppressed",
        "status",
        "progress",
        "step",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "pdf_sha256",
        "csv_sha256",
        "error",
    )
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
