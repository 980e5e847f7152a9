from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = _("Onboarding")

    def ready(self) -> None:
        from onboarding import checks, notifications  # noqa: F401  (connects its state_changed receiver)

        checks.register()
