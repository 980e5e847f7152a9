from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("receivables/", views.import_page, name="import"),
    path("receivables/<int:pk>/", views.import_detail, name="import_detail"),
    path("customers/<int:pk>/write-off/", views.write_off, name="write_off"),
]
