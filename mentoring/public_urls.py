"""The program's public page's form for becoming a Parent Partner (no sign-in), included
under ``public/<slug>/`` by the project's URLs."""

from django.urls import path

from mentoring import views

urlpatterns = [
    path("become-a-parent-partner/", views.public_interest, name="public_interest"),
    path(
        "become-a-parent-partner/sent/",
        views.public_interest_sent,
        name="public_interest_sent",
    ),
]
