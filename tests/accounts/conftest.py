from __future__ import annotations

from binascii import unhexlify

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.roles import Role
from tests.factories import user_with

PASSWORD = "pw-Vetted-2026"  # tests.factories.UserFactory


def code_for(secret_hex: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for the secret, now or a step (30 s) ahead."""
    return f"{TOTP(unhexlify(secret_hex), drift=steps_ahead).token():06d}"


def next_code(user) -> str:
    """A code the user's app will show that has not been used yet (the enrolment used this step's)."""
    return code_for(TOTPDevice.objects.get(user=user).key, steps_ahead=1)


def enrol(user) -> list[str]:
    secret = services.two_factor_secret_new()
    _device, codes = services.two_factor_enrol(user=user, secret=secret, code=code_for(secret))
    return codes


@pytest.fixture
def mfa_on(settings):
    settings.MFA_REQUIRED = True
    return settings


@pytest.fixture
def approver(db):
    return user_with(Role.APPROVER_FINANCE, username="fiona")


@pytest.fixture
def admin_user(db):
    return user_with(Role.ADMIN, username="adam", is_staff=True)
