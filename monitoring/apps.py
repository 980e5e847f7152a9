from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("Monitoring")

    def ready(self) -> None:
        from monitoring import receivers
        from monitoring.templatetags.monitoring_tags import customer_alerts_panel
        from onboarding import panels
        from onboarding.services import state_changed

        panels.register(slot="customer", name="monitoring.alerts", order=10,
                        template="monitoring/partials/customer_alerts.html", build=customer_alerts_panel)
        from watchlists import signals as watchlist_signals

        state_changed.connect(receivers.application_state_changed, dispatch_uid="monitoring.state_changed")
        watchlist_signals.hit_dispositioned.connect(
            receivers.hit_dispositioned, dispatch_uid="monitoring.hit_dispositioned"
        )
        watchlist_signals.watchlist_imported.connect(
            receivers.watchlist_imported, dispatch_uid="monitoring.watchlist_imported"
        )
        watchlist_signals.watchlist_changed.connect(
            receivers.watchlist_changed, dispatch_uid="monitoring.watchlist_changed"
        )
        from outcomes.signals import outcomes_computed

        outcomes_computed.connect(receivers.outcomes_computed, dispatch_uid="monitoring.outcomes_computed")
