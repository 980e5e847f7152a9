from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("funnel/", views.funnel_page, name="funnel"),
    path("validation/", views.validation_page, name="validation"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("scorecards/<int:pk>/cases/", views.version_cases, name="version_cases"),
]
