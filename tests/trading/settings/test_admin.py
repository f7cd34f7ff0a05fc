"""Staff: the global pause in the admin goes through the logged service; users' settings are read-only there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import ActivityLog, User
from trading.models import TradingControl
from trading.services.profile import profile_for
from trading.services.risk import GLOBAL_PAUSE, PAUSE_LIFTED, global_pause_refusal

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    admin = User.objects.create_superuser("boss@example.com", "a-long-admin-password-1")
    device = StaticDevice.objects.create(user=admin, name="backup", confirmed=True)
    client = Client()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_staff_pause_everyone_in_the_admin_and_it_is_logged(admin_client):
    response = admin_client.post("/admin/trading/tradingcontrol/add/", {"paused": "on", "reason": "Incident"})
    assert response.status_code == 302, response.content[:500]
    assert "Incident" in global_pause_refusal()
    control = TradingControl.objects.get()
    assert control.changed_by.email == "boss@example.com"
    assert admin_client.get("/admin/trading/tradingcontrol/add/").status_code == 403  # one row only
    admin_client.post(f"/admin/trading/tradingcontrol/{control.pk}/change/", {"reason": ""})
    assert global_pause_refusal() is None
    assert ActivityLog.objects.filter(action=GLOBAL_PAUSE).count() == 2


def test_settings_are_read_only_and_a_pause_can_be_lifted(admin_client, full_user):
    profile = profile_for(full_user)
    profile.paused_until = datetime.now(UTC) + timedelta(hours=3)
    profile.save()
    page = admin_client.get(f"/admin/trading/tradingprofile/{profile.pk}/change/")
    assert page.status_code == 200 and b'name="risk_pct"' not in page.content
    response = admin_client.post(
        "/admin/trading/tradingprofile/", {"action": "lift_pause", "_selected_action": [profile.pk]}
    )
    assert response.status_code == 302
    assert profile_for(full_user).paused_until is None
    assert ActivityLog.objects.get(action=PAUSE_LIFTED).user == full_user
