from django.urls import path

from councils import views

app_name = "councils"

urlpatterns = [
    path("", views.council_list, name="list"),
    path("new/", views.council_create, name="create"),
    path("<int:pk>/", views.council_detail, name="detail"),
    path("<int:pk>/members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<int:pk>/meetings/", views.meeting_list, name="meeting_list"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("recommendations/", views.recommendation_list, name="recommendation_list"),
    path(
        "recommendations/export.csv",
        views.recommendation_export,
        name="recommendation_export",
    ),
    path(
        "<int:pk>/recommendations/new/",
        views.recommendation_create,
        name="recommendation_create",
    ),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation_detail"),
    path("recommendations/<int:pk>/edit/", views.recommendation_edit, name="recommendation_edit"),
    path(
        "recommendations/<int:pk>/status/",
        views.recommendation_status,
        name="recommendation_status",
    ),
    path("<int:pk>/stipends/", views.stipend_list, name="stipend_list"),
    path("<int:pk>/stipends/export.csv", views.stipend_export, name="stipend_export"),
    path("<int:pk>/stipends/new/", views.stipend_create, name="stipend_create"),
    path("stipends/<int:pk>/edit/", views.stipend_edit, name="stipend_edit"),
    path("outreach/", views.outreach_list, name="outreach_list"),
    path("outreach/export.csv", views.outreach_export, name="outreach_export"),
    path("outreach/new/", views.outreach_create, name="outreach_create"),
    path("outreach/<int:pk>/", views.outreach_detail, name="outreach_detail"),
    path("outreach/<int:pk>/edit/", views.outreach_edit, name="outreach_edit"),
]
