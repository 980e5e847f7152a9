import shutil

import pytest
from django.conf import settings

from accounts.roles import Role
from tests.factories import ApplicationFactory, user_with


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
