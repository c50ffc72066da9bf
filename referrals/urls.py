from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_create, name="create"),
    path("new/events/", views.source_events, name="source_events"),
    path("export.csv", views.referral_export, name="export"),
    path("search/", views.family_search, name="search"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/close/", views.request_close, name="request_close"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/status/", views.referral_transition, name="transition"),
    path("<int:pk>/notice/", views.referral_notice, name="notice"),
    path("families/<int:pk>/record.zip", views.family_record, name="family_record"),
    path("children/<int:pk>/", views.child_detail, name="child_detail"),
    path("children/<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("children/<int:pk>/episodes/new/", views.episode_create, name="episode_create"),
    path("episodes/<int:pk>/edit/", views.episode_edit, name="episode_edit"),
    path("episodes/<int:pk>/placements/new/", views.placement_create, name="placement_create"),
    path("placements/<int:pk>/edit/", views.placement_edit, name="placement_edit"),
    path("parents/<int:pk>/edit/", views.parent_edit, name="parent_edit"),
]
