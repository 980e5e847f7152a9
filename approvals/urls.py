from django.urls import path

from approvals import views

app_name = "approvals"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("applications/<int:pk>/", views.review, name="review"),
    path("applications/<int:pk>/vote/", views.vote, name="vote"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<str:tier>/", views.policy_edit, name="policy_edit"),
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("conditions/<int:pk>/fulfil/", views.condition_fulfil, name="condition_fulfil"),
]
