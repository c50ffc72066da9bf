"""The calendar's addresses, outside the ``reporting`` namespace (``calendar``,
``calendar_feed``, ``calendar_feed_ics``), as the dashboard's are."""

from django.urls import path

from reporting import views

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("feed/", views.calendar_feed, name="calendar_feed"),
    path("feed/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
]
