"""Request types for views that only signed-in users reach."""

from __future__ import annotations

from django.http import HttpRequest

from psp.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
