from django.contrib import admin
from django.urls import include, path

from psp import offline, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", include("reporting.dashboard_urls")),
    path("calendar/", include("reporting.calendar_urls")),
    path("profile/", views.profile, name="profile"),
    path(
        "profile/notifications/",
        views.notification_preferences,
        name="notification_preferences",
    ),
    path("notifications/", views.notification_list, name="notification_list"),
    path(
        "notifications/read/",
        views.notification_mark_all_read,
        name="notification_mark_all_read",
    ),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("programs/", views.program_list, name="program_list"),
    path("programs/<slug:slug>/", views.program_detail, name="program_detail"),
    path("programs/<slug:slug>/settings/", views.program_settings, name="program_settings"),
    path("programs/<slug:slug>/schools/", views.program_schools, name="program_schools"),
    path("programs/<slug:slug>/schools/<int:pk>/edit/", views.school_edit, name="school_edit"),
    path(
        "programs/<slug:slug>/districts/<int:pk>/edit/",
        views.district_edit,
        name="district_edit",
    ),
    path("audit/", views.audit_log, name="audit_log"),
    # The only pages open without signing in (besides signing in): each program's public
    # page and its two forms (psp/public.py).
    path("public/", views.public_programs, name="public_programs"),
    path("public/<slug:slug>/", views.public_program, name="public_program"),
    path("public/<slug:slug>/", include("referrals.public_urls")),
    path("public/<slug:slug>/", include("mentoring.public_urls")),
    path("referrals/", include("referrals.urls")),
    path("councils/", include("councils.urls")),
    path("reports/", include("reporting.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("healthz", views.healthz, name="healthz"),
    # At the root, so the tablet's service worker may look after every page.
    path("service-worker.js", offline.service_worker, name="service_worker"),
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("api/v1/", include("psp.api_urls")),
    # Django's switcher, keeping a signed-in person's choice on their profile too.
    path("i18n/setlang/", views.set_language, name="set_language"),
    # Before allauth's own: the first authenticator also needs a code sent by e-mail.
    path("accounts/2fa/totp/activate/", views.mfa_activate_totp, name="psp_mfa_activate_totp"),
    # Before allauth's own: the address that receives those codes is the administrator's to set.
    path("accounts/email/", views.account_email, name="account_email"),
    path("accounts/", include("allauth.urls")),
    # Before the admin's own: one sign-in page for everybody, with its limits and MFA.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/logout/", views.admin_logout, name="admin_logout"),
    path("admin/", admin.site.urls),
]

handler403 = "psp.views.error_403"
handler404 = "psp.views.error_404"
