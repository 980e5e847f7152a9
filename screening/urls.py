from django.urls import path

from screening import views

app_name = "screening"
urlpatterns = [
    path("applications/<int:pk>/", views.application_screen, name="application_screen"),
    path("applications/<int:pk>/evaluate/", views.evaluate_again, name="evaluate_again"),
    path("applications/<int:pk>/transition/", views.background_transition, name="background_transition"),
    path("applications/<int:pk>/interviews/", views.interview_add, name="interview_add"),
    path("applications/<int:pk>/site-visits/", views.site_visit_add, name="site_visit_add"),
    path("applications/<int:pk>/reports/", views.report_add, name="report_add"),
    path("site-visits/<int:pk>/photos/", views.site_visit_photos, name="site_visit_photos"),
    path("photos/<int:pk>/", views.photo_view, name="photo_view"),
    path("reports/<int:pk>/download/", views.report_download, name="report_download"),
    path("scorecards/", views.scorecard_list, name="scorecard_list"),
    path("scorecards/<int:pk>/", views.scorecard_detail, name="scorecard_detail"),
    path("scorecards/<int:pk>/copy/", views.scorecard_copy, name="scorecard_copy"),
    path("scorecards/<int:pk>/edit/", views.scorecard_edit, name="scorecard_edit"),
    path("scorecards/<int:pk>/what-if/", views.scorecard_what_if, name="scorecard_what_if"),
    path("scorecards/<int:pk>/publish/", views.scorecard_publish, name="scorecard_publish"),
    path("scorecards/<int:pk>/ask-publication/", views.scorecard_ask_publication, name="scorecard_ask_publication"),
    path("scorecards/<int:pk>/delete/", views.scorecard_delete, name="scorecard_delete"),
    path("criteria/<int:pk>/bands/", views.criterion_bands, name="criterion_bands"),
    path("policy/", views.policy_edit, name="policy_edit"),
]
