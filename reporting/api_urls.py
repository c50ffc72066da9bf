"""reporting's routes under ``/api/v1/`` (namespace ``api``, set by psp/api_urls.py)."""

from django.urls import path

from reporting import api

urlpatterns = [
    path("figures/<str:quarter>/", api.figures, name="figures"),
    path("figures/<str:quarter>/<slug:program>/", api.program_figures, name="program_figures"),
    path("reports/", api.reports, name="reports"),
    path("reports/<int:pk>/", api.report, name="report"),
]
