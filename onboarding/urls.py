from django.urls import path

from onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("applications/mine/", views.my_applications, name="my_applications"),
    path("applications/all/", views.application_list, name="application_list"),
    path("queue/", views.queue, name="queue"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/credit-code-check/", views.credit_code_check, name="credit_code_check"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", views.application_edit, name="application_edit"),
    path("applications/<int:pk>/transition/", views.application_transition, name="application_transition"),
    path("applications/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("applications/<int:pk>/review/", views.document_review_page, name="document_review"),
    path("applications/<int:pk>/credit-code/accept/", views.credit_code_accept, name="credit_code_accept"),
    path("applications/<int:pk>/audit/", views.application_audit, name="application_audit"),
    path("documents/<int:pk>/download/", views.document_download, name="document_download"),
    path("documents/<int:pk>/preview/", views.document_preview, name="document_preview"),
    path("documents/<int:pk>/page/", views.document_page, name="document_page"),
    path("documents/<int:pk>/replace/", views.document_replace, name="document_replace"),
    path("documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path("documents/<int:pk>/review/", views.document_review, name="document_review_action"),
]

# Comments with @mentions (onboarding.comment_views).
from onboarding import comment_views  # noqa: E402

urlpatterns += [
    path("applications/<int:pk>/comments/", comment_views.comment_add, name="comment_add"),
    path(
        "applications/<int:pk>/comments/mentions/", comment_views.mention_suggestions,
        name="comment_mention_suggestions",
    ),
]
