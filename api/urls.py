from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from api import pages, views

app_name = "api"
urlpatterns = [
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", pages.api_docs, name="docs"),
    path("v1/applications/", views.ApplicationListView.as_view(), name="application_list"),
    path("v1/applications/<int:pk>/", views.ApplicationDetailView.as_view(), name="application_detail"),
    path("v1/applications/<int:pk>/transition/", views.ApplicationTransitionView.as_view(), name="application_transition"),
    path("v1/applications/<int:pk>/documents/", views.DocumentUploadView.as_view(), name="document_upload"),
    path("v1/applications/<int:pk>/evaluations/", views.ApplicationEvaluationsView.as_view(),
         name="application_evaluations"),
    path("v1/applications/<int:pk>/hits/", views.ApplicationHitsView.as_view(), name="application_hits"),
    path("v1/documents/<int:pk>/replace/", views.DocumentReplaceView.as_view(), name="document_replace"),
    path("v1/customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("v1/customers/<int:pk>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path("v1/customers/<int:pk>/evaluations/", views.CustomerEvaluationsView.as_view(), name="customer_evaluations"),
    path("v1/customers/<int:pk>/hits/", views.CustomerHitsView.as_view(), name="customer_hits"),
    path("v1/alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("v1/alerts/<int:pk>/", views.AlertDetailView.as_view(), name="alert_detail"),
    path("v1/alerts/<int:pk>/acknowledge/", views.AlertAcknowledgeView.as_view(), name="alert_acknowledge"),
    path("v1/alerts/<int:pk>/resolve/", views.AlertResolveView.as_view(), name="alert_resolve"),
    path("v1/screen/", views.ScreenView.as_view(), name="screen"),
    path("v1/crm/applications/", views.CrmApplicationView.as_view(), name="crm_application_create"),
    # Staff pages: API clients, webhook subscriptions and their delivery logs.
    path("clients/", pages.client_list, name="client_list"),
    path("clients/new/", pages.client_create, name="client_create"),
    path("clients/<int:pk>/", pages.client_detail, name="client_detail"),
    path("clients/<int:pk>/revoke/", pages.client_revoke, name="client_revoke"),
    path("clients/<int:pk>/mapping/", pages.client_mapping, name="client_mapping"),
    path("clients/<int:pk>/subscriptions/new/", pages.subscription_create, name="subscription_create"),
    path("subscriptions/<int:pk>/", pages.subscription_detail, name="subscription_detail"),
    path("deliveries/<int:pk>/replay/", pages.delivery_replay, name="delivery_replay"),
]
