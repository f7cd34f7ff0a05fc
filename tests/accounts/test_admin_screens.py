"""Staff screens for users, the activity log and tokens (the admin itself needs 2FA: see test_security_pages)."""

from base64 import b32encode

from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog, ApiToken
from accounts.services.activity import activity_record
from accounts.services.otp import recovery_codes_regenerate
from accounts.services.tokens import token_create
from tests.factories import UserFactory


def test_staff_see_every_users_activity_and_cannot_edit_it(staff_client):
    trader = UserFactory()
    activity_record(action=ActivityLog.Action.LOGIN_FAILED, user=trader)
    page = staff_client.get("/admin/accounts/activitylog/")
    assert page.status_code == 200 and trader.email in page.content.decode()
    entry = ActivityLog.objects.get(user=trader)
    assert staff_client.post(f"/admin/accounts/activitylog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ActivityLog.objects.filter(pk=entry.pk).exists()


def test_staff_revoke_a_token_and_the_key_hash_is_not_shown(staff_client):
    trader = UserFactory()
    token, key = token_create(user=trader, name="bot")
    change = staff_client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
    assert token.key_hash not in change and key not in change
    staff_client.post("/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert ActivityLog.objects.filter(user=trader, action="token_revoked").exists()


def test_staff_create_a_user_by_email(staff_client):
    response = staff_client.post(
        "/admin/accounts/user/add/",
        {"email": "Added@Example.com", "password1": "a-long-admin-set-pass-1", "password2": "a-long-admin-set-pass-1"},
    )
    assert response.status_code == 302
    assert staff_client.get("/admin/accounts/user/").content.decode().count("added@example.com") >= 1


def _second_factors(user) -> tuple[TOTPDevice, list[str]]:
    """A trader with an authenticator app and ten unused recovery codes, as enrolment leaves them."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return device, recovery_codes_regenerate(user=user, request=None)


def test_no_admin_page_shows_a_users_totp_seed_or_recovery_codes(staff_client):
    trader = UserFactory()
    device, codes = _second_factors(trader)
    static = StaticDevice.objects.get(user=trader)
    seed_b32 = b32encode(device.bin_key).decode().rstrip("=")
    secrets = [device.key, seed_b32, " ".join(seed_b32[i : i + 4] for i in range(0, len(seed_b32), 4)), *codes]

    pages = [
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        f"/admin/otp_totp/totpdevice/{device.pk}/delete/",
        "/admin/otp_static/staticdevice/",
        f"/admin/otp_static/staticdevice/{static.pk}/change/",
        f"/admin/otp_static/staticdevice/{static.pk}/delete/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{trader.pk}/change/",
        f"/admin/accounts/user/{trader.pk}/delete/",
    ]
    for url in pages:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode().lower()
        # No otpauth:// URL and no link to django-otp's QR code or configuration screens.
        assert "otpauth://" not in page and "qrcode" not in page and "/config/" not in page, url
        for secret in secrets:
            assert secret.lower() not in page, url

    # The QR code and otpauth:// configuration screens of django-otp are closed.
    for url in (f"/admin/otp_totp/totpdevice/{device.pk}/config/", f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/"):
        response = staff_client.get(url)
        assert response.status_code == 403, url
        assert device.key not in response.content.decode() and b"otpauth" not in response.content

    # Staff still see which devices a user has (a support case: a lost phone).
    devices = staff_client.get("/admin/otp_totp/totpdevice/").content.decode()
    assert trader.email in devices
