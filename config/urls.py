from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts.views import admin_login

urlpatterns = [
    # Before the admin's own login page, which would sign in with a password alone.
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", include("accounts.urls")),
    path("", include("onboarding.urls")),
    path("watchlists/", include("watchlists.urls")),
    path("screening/", include("screening.urls")),
    path("approvals/", include("approvals.urls")),
    path("monitoring/", include("monitoring.urls")),
    path("outcomes/", include("outcomes.urls")),
    path("analysis/", include("analysis.urls")),
    path("training/", include("training.urls")),
    path("api/", include("api.urls")),
]
