from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_create, name="create"),
    path("export.csv", views.referral_export, name="export"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/status/", views.referral_transition, name="transition"),
    path("families/<int:pk>/record.zip", views.family_record, name="family_record"),
    path("children/<int:pk>/edit/", views.child_edit, name="child_edit"),
    path("parents/<int:pk>/edit/", views.parent_edit, name="parent_edit"),
]
