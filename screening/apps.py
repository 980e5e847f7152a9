from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScreeningConfig(AppConfig):
    name = "screening"
    verbose_name = _("Screening")

    def ready(self) -> None:
        from onboarding import panels
        from onboarding.services import state_changed
        from screening import checks, receivers
        from screening.templatetags.screening_tags import screening_panel
        from watchlists.signals import hit_dispositioned

        checks.register()
        panels.register(slot="application", name="screening.score", order=10,
                        template="screening/partials/panel.html", build=screening_panel)
        state_changed.connect(receivers.application_state_changed, dispatch_uid="screening.state_changed")
        hit_dispositioned.connect(receivers.hit_dispositioned, dispatch_uid="screening.hit_dispositioned")
