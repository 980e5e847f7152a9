"""The approvals tests' cast of people, for the flat-pages tests."""

from tests.approvals.conftest import people  # noqa: F401 — a fixture
