from django.urls import path

from watchlists import views

app_name = "watchlists"
urlpatterns = [
    path("", views.source_list, name="source_list"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("sources/<int:pk>/refresh/", views.source_refresh_settings, name="source_refresh_settings"),
    path("import/", views.import_list, name="import"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("search/", views.entry_search, name="search"),
    path("hits/<int:pk>/disposition/", views.hit_disposition, name="hit_disposition"),
]
