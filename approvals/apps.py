from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from approvals import checks, receivers
        from onboarding.services import state_changed

        checks.register()
        state_changed.connect(receivers.application_state_changed, dispatch_uid="approvals.state_changed")
