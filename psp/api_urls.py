"""``/api/v1/``: the schema and its docs, psp's own endpoints, and each app's (their
``api_urls`` modules, which add to this one namespace, ``api``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from psp import api_views as api

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[]),
        name="docs",
    ),
    path("me/", api.me, name="me"),
    path("programs/", api.ProgramList.as_view(), name="programs"),
    path("languages/", api.languages, name="languages"),
    path("", include("mentoring.api_urls")),
    path("", include("reporting.api_urls")),
]
