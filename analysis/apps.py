from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = _("Analysis")

    def ready(self) -> None:
        from analysis.panels import (
            application_cases_panel,
            customer_cases_panel,
            version_citations_panel,
            what_if_validation_panel,
        )
        from onboarding import panels

        panels.register(slot="scorecard_what_if", name="analysis.validation", order=10,
                        template="analysis/partials/what_if_validation.html", build=what_if_validation_panel)
        panels.register(slot="customer", name="analysis.customer_cases", order=30,
                        template="analysis/partials/cases_panel.html", build=customer_cases_panel)
        panels.register(slot="application", name="analysis.application_cases", order=90,
                        template="analysis/partials/cases_panel.html", build=application_cases_panel)
        panels.register(slot="scorecard_version", name="analysis.version_citations", order=10,
                        template="analysis/partials/version_citations.html", build=version_citations_panel)
