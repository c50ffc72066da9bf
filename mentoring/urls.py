from django.urls import path

from mentoring import views

app_name = "mentoring"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/export.csv", views.case_export, name="case_export"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("cases/<int:pk>/close/", views.case_close, name="case_close"),
    path("cases/<int:pk>/hearings/new/", views.hearing_add, name="hearing_add"),
    path("hearings/<int:pk>/edit/", views.hearing_edit, name="hearing_edit"),
    path("cases/<int:pk>/follow-ups/new/", views.follow_up_add, name="follow_up_add"),
    path("follow-ups/", views.follow_up_list, name="follow_up_list"),
    path("follow-ups/<int:pk>/edit/", views.follow_up_edit, name="follow_up_edit"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("cases/<int:pk>/documents/new/", views.document_add, name="document_add"),
    path(
        "referrals/<int:pk>/documents/new/",
        views.referral_document_add,
        name="referral_document_add",
    ),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/expire/", views.document_expire, name="document_expire"),
    path("goals/<int:pk>/progress/", views.goal_progress, name="goal_progress"),
    path("assign/<int:referral_pk>/", views.assign, name="assign"),
    path("log/", views.activity_log, name="activity_log"),
    path("contacts/", views.activity_list, name="activity_list"),
    path("contacts/export.csv", views.activity_export, name="activity_export"),
    path("contacts/<int:pk>/saved/", views.activity_saved, name="activity_saved"),
    path("contacts/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("contacts/<int:pk>/review/", views.activity_review, name="activity_review"),
    path("review/", views.review_queue, name="review_queue"),
    path("review/sign-off/", views.review_sign_off, name="review_sign_off"),
    path("parent-partners/", views.partner_list, name="partner_list"),
    path("parent-partners/new/", views.partner_create, name="partner_create"),
    path("parent-partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("parent-partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("parent-partners/<int:pk>/stage/", views.partner_stage, name="partner_stage"),
]

urlpatterns += [
    path("resources/", views.resource_list, name="resource_list"),
    path("resources/new/", views.resource_edit, name="resource_create"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="resource_edit"),
    path("supervision/", views.supervision, name="supervision"),
    path("clinical-support/", views.clinical, name="clinical"),
    path("training/", views.training, name="training"),
    path("training/<int:pk>/edit/", views.training_edit, name="training_edit"),
    path("training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("participation/", views.participation, name="participation"),
    path("participation/<int:pk>/edit/", views.participation_edit, name="participation_edit"),
    path(
        "participation/<int:pk>/delete/",
        views.participation_delete,
        name="participation_delete",
    ),
    path("training/core-topics/", views.core_topics, name="core_topics"),
    path("cases/<int:pk>/survey/<str:timing>/", views.survey, name="survey"),
    path(
        "parent-partners/<int:pk>/summary/<int:year>-<int:month>/",
        views.monthly_summary,
        name="monthly_summary",
    ),
]

urlpatterns += [
    path("mileage/", views.claim_list, name="claim_list"),
    path("mileage/export.csv", views.claim_export, name="claim_export"),
    path("mileage/rates/", views.mileage_rates, name="mileage_rates"),
    path(
        "mileage/claim/<int:partner_pk>/<int:year>-<int:month>/",
        views.claim_new,
        name="claim_new",
    ),
    path("mileage/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("mileage/<int:pk>/change/", views.claim_edit, name="claim_edit"),
    path("mileage/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("mileage/<int:pk>/paid/", views.claim_pay, name="claim_pay"),
]
