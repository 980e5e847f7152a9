from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchlistsConfig(AppConfig):
    name = "watchlists"
    verbose_name = _("Watchlists")

    def ready(self) -> None:
        from onboarding.services import state_changed
        from watchlists import checks, receivers

        checks.register()
        state_changed.connect(receivers.application_state_changed, dispatch_uid="watchlists.screen_on_background_check")
