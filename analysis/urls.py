from django.urls import path

from analysis import views

app_name = "analysis"
urlpatterns = [
    path("funnel/", views.funnel_page, name="funnel"),
    path("validation/", views.validation_page, name="validation"),
]
