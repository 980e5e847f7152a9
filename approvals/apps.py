from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        from approvals import checks, receivers
        from approvals.templatetags.approval_tags import committee_panel
        from onboarding import panels
        from onboarding.services import state_changed

        checks.register()
        panels.register(slot="application", name="approvals.committee", order=20,
                        template="approvals/partials/committee_panel.html",
                        build=lambda context, application: committee_panel(application, context.get("user")))
        state_changed.connect(receivers.application_state_changed, dispatch_uid="approvals.state_changed")
