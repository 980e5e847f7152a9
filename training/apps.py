from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from accounts import gates
        from approvals import round_links
        from approvals.signals import policy_changed
        from monitoring.reports import register_section
        from monitoring.signals import settings_changed
        from screening.signals import scorecard_published
        from training import receivers
        from training.gates import training_gate
        from training.selectors import report_section

        gates.register(training_gate)
        scorecard_published.connect(receivers.scorecard_published, dispatch_uid="training.scorecard_published")
        policy_changed.connect(receivers.policy_changed, dispatch_uid="training.policy_changed")
        settings_changed.connect(receivers.monitoring_settings_changed, dispatch_uid="training.monitoring_settings")
        register_section(report_section)
        round_links.register(receivers.minutes_link)
