from django.urls import path

from monitoring import views

app_name = "monitoring"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("alerts/", views.alert_list, name="alert_list"),
    path("alerts/acknowledge/", views.alerts_acknowledge, name="alerts_acknowledge"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
    path("alerts/<int:pk>/escalate/", views.alert_escalate, name="alert_escalate"),
    path("runs/", views.run_list, name="run_list"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("reevaluate/", views.reevaluate, name="reevaluate"),
    path("settings/", views.settings_edit, name="settings"),
    path("health/", views.health, name="health"),
]
