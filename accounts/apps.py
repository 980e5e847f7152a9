from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import note_session_saved
        from accounts.roles import Role

        # A session is saved at sign-in: its expiry needs no renewal for a while.
        user_logged_in.connect(note_session_saved, dispatch_uid="accounts.note_session_saved")

        # Settings cannot import the roles; a misspelt role would silently require nothing.
        unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
        if unknown:
            raise ImproperlyConfigured(
                f"MFA_REQUIRED_ROLES names unknown roles {', '.join(unknown)}; roles are {', '.join(Role.values)}."
            )
