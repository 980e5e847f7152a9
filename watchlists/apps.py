from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WatchlistsConfig(AppConfig):
    name = "watchlists"
    verbose_name = _("Watchlists")

    def ready(self) -> None:
        from onboarding import panels
        from onboarding.services import state_changed
        from watchlists import checks, receivers
        from watchlists.templatetags.watchlist_tags import watchlist_hits_panel

        checks.register()
        panels.register(slot="application", name="watchlists.hits", order=30,
                        template="watchlists/partials/hits_panel.html",
                        build=lambda context, application: watchlist_hits_panel(application, context.get("user")))
        state_changed.connect(receivers.application_state_changed, dispatch_uid="watchlists.screen_on_background_check")
