"""reporting's routes under ``/api/v1/`` (namespace ``api``, set by psp/api_urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
