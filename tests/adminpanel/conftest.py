"""Shared fixtures for the back office: a staff member who passed 2FA, and their logged-in client."""

from __future__ import annotations

import pytest

from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory


@pytest.fixture
def staff_user(db):
    """A superuser with a verified email and a recovery-code device (2FA enrolled)."""
    return UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff_user):
    """`client` logged in as `staff_user`, past 2FA in this session (what the admin and /staff/ require)."""
    sign_in_past_2fa(client, staff_user)
    client.staff = staff_user
    return client
