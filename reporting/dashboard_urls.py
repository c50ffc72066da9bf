"""The dashboard's address, outside the ``reporting`` namespace: every page links to it as
``dashboard``."""

from django.urls import path

from reporting import views

urlpatterns = [path("", views.dashboard, name="dashboard")]
