from django.urls import path

from training import views

app_name = "training"
urlpatterns = [
    path("", views.home, name="home"),
    path("playbooks/<slug:role>/", views.playbook_detail, name="playbook_detail"),
    path("playbooks/<slug:role>/edit/", views.playbook_edit, name="playbook_edit"),
    path("courses/<int:pk>/", views.course_detail, name="course_detail"),
    path("courses/<int:pk>/attempt/", views.course_attempt, name="course_attempt"),
    path("briefings/", views.briefing_list, name="briefing_list"),
    path("briefings/<int:pk>/", views.briefing_detail, name="briefing_detail"),
    path("briefings/<int:pk>/acknowledge/", views.briefing_acknowledge, name="briefing_acknowledge"),
    path("briefings/<int:pk>/edit/", views.briefing_edit, name="briefing_edit"),
    path("waivers/", views.waiver_list, name="waiver_list"),
    path("waivers/<int:pk>/revoke/", views.waiver_revoke, name="waiver_revoke"),
    path("overview/", views.overview, name="overview"),
    path("overview.csv", views.overview_csv, name="overview_csv"),
    path("reports/", views.work_report, name="work_report"),
    path("minutes/<int:pk>/", views.minutes_detail, name="minutes_detail"),
    path("minutes/<int:pk>/pdf/", views.minutes_pdf, name="minutes_pdf"),
]
