import pytest
from django.utils import translation

from tests.approvals.conftest import people  # noqa: F401 — the same cast of people


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield
