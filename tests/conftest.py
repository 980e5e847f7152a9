import shutil

import pytest
from django.conf import settings
from django.utils import translation

from accounts.roles import Role
from tests.factories import ApplicationFactory, user_with


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language (en in tests).

    Middleware activates the user's language for the thread of a request and nothing resets it,
    so without this a test calling a service after a Chinese page would get Chinese messages.
    """
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture
def sales(db):
    return user_with(Role.SALES, username="alice")


@pytest.fixture
def other_sales(db):
    return user_with(Role.SALES, username="bob")


@pytest.fixture
def reviewer(db):
    return user_with(Role.DOCUMENT_REVIEWER, username="rita")


@pytest.fixture
def investigator(db):
    return user_with(Role.INVESTIGATOR, username="ivan")


@pytest.fixture
def risk_manager(db):
    return user_with(Role.RISK_MANAGER, username="rosa")


@pytest.fixture
def application(sales):
    return ApplicationFactory(created_by=sales)


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']} {settings.DATABASES['default'].get('NAME')}"
