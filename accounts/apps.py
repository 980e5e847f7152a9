from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.conf import settings

        from accounts.roles import Role

        # Settings cannot import the roles; a misspelt role would silently require nothing.
        unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
        if unknown:
            raise ImproperlyConfigured(
                f"MFA_REQUIRED_ROLES names unknown roles {', '.join(unknown)}; roles are {', '.join(Role.values)}."
            )
