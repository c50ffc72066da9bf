"""The program's public page's form for a parent asking for help (no sign-in), included
under ``public/<slug>/`` by the project's URLs."""

from django.urls import path

from referrals import views

urlpatterns = [
    path("ask-for-help/", views.public_request, name="public_request"),
    path("ask-for-help/sent/", views.public_request_sent, name="public_request_sent"),
]
