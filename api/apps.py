from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API and webhooks")

    def ready(self) -> None:
        from api import (
            receivers,  # noqa: F401  (webhook events from the lower apps' signals)
            schema,  # noqa: F401  (the Bearer scheme for drf-spectacular)
        )
