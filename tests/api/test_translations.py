"""Installing Django REST framework must not change the site's Chinese wording of Django's own messages."""

import gettext
from pathlib import Path

import django
import pytest
from django.utils import translation

CORE = Path(django.__file__).parent / "conf" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"


@pytest.mark.parametrize("message", ["This field is required.", "Enter a valid email address.", "Enter a valid URL.",
                                     "No file was submitted.", "The submitted file is empty."])
def test_djangos_messages_keep_djangos_translation(message):
    core = gettext.GNUTranslations(CORE.open("rb"))
    with translation.override("zh-hans"):
        assert translation.gettext(message) == core.gettext(message)
