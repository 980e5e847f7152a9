import logging
import os

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def ensure_folders() -> None:
    """Create the folders the settings name (var, media, the file-system broker's folders).

    `make dirs` does this too, but a web server or worker started by hand must not fail with a
    traceback or lose the tasks it queues because a folder is missing. A folder that cannot be
    created (read-only file system) is logged; whatever needs it reports its own error later.
    """
    from django.conf import settings

    options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
    folders = [settings.VAR_DIR, settings.MEDIA_ROOT, *(v for k, v in options.items() if "folder" in k)]
    for folder in folders:
        try:
            os.makedirs(folder, exist_ok=True)
        except OSError as error:
            logger.warning("Could not create the folder %s: %s", folder, error)


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

        ensure_folders()

        # Settings cannot import the roles; a misspelt role would silently require nothing.
        unknown = sorted(set(settings.MFA_REQUIRED_ROLES) - set(Role.values))
        if unknown:
            raise ImproperlyConfigured(
                f"MFA_REQUIRED_ROLES names unknown roles {', '.join(unknown)}; roles are {', '.join(Role.values)}."
            )
