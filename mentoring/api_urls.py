"""mentoring's routes under ``/api/v1/`` (namespace ``api``, set by psp/api_urls.py)."""

from django.urls import URLPattern, path

from mentoring import api

urlpatterns: list[URLPattern] = [
    path("caseload/", api.caseload, name="caseload"),
    path("contacts/", api.contacts, name="contacts"),
    path("contacts/<int:pk>/", api.contact_detail, name="contact_detail"),
    path("activity-types/", api.activity_types, name="activity_types"),
    path("resources/", api.resources, name="resources"),
]
