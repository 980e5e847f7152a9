from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutcomesConfig(AppConfig):
    name = "outcomes"
    verbose_name = _("Customer outcomes")

    def ready(self) -> None:
        from onboarding import panels
        from outcomes.panels import customer_outcome_panel

        panels.register(slot="customer", name="outcomes.outcome", order=5,
                        template="outcomes/partials/customer_outcome.html", build=customer_outcome_panel)
