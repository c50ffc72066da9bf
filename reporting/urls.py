from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("generate/", views.report_generate, name="generate"),
    path("quality/", views.quality_panel, name="quality"),
    path("equity/", views.equity_view, name="equity"),
    path("equity/export.csv", views.equity_export, name="equity_export"),
    path("close/", views.quarter_close, name="close"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/status/", views.report_status, name="status"),
    path("<int:pk>/pdf/", views.report_pdf, name="pdf"),
    path("<int:pk>/csv/", views.report_csv, name="csv"),
    path("outcomes/", views.outcomes_view, name="outcomes"),
    path("outcomes/status/", views.outcomes_status, name="outcomes_status"),
    path("comparison/", views.comparison_list, name="comparison"),
    path("comparison/<int:pk>/", views.comparison_detail, name="comparison_detail"),
    path("comparison/<int:pk>/status/", views.comparison_status, name="comparison_status"),
    path("comparison/<int:pk>/use/", views.comparison_use, name="comparison_use"),
    path("comparison/<int:pk>/discard/", views.comparison_discard, name="comparison_discard"),
]
