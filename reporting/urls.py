from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("generate/", views.report_generate, name="generate"),
    path("quality/", views.quality_panel, name="quality"),
    path("equity/", views.equity_view, name="equity"),
    path("close/", views.quarter_close, name="close"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<int:pk>/csv/", views.report_csv, name="csv"),
]
