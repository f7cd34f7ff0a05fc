from accounts.models import ActivityLog
from accounts.services.activity import activity_record
from tests.accounts.otp_helpers import enrol_totp, totp_code
from tests.factories import UserFactory


def test_security_activity_shows_my_events_only(client, user):
    other = UserFactory()
    activity_record(action=ActivityLog.Action.TOKEN_CREATED, user=user, name="mine")
    activity_record(action=ActivityLog.Action.PASSWORD_CHANGED, user=other)
    client.force_login(user)
    page = client.get("/account/security/").content.decode()
    assert "API token created" in page
    assert "Password changed" not in page


def test_disabling_2fa_needs_password_and_code(client, user, password):
    client.force_login(user)
    device, _ = enrol_totp(client)
    refused = client.post("/account/2fa/disable/", {"password": password, "code": "000000"})
    assert refused.status_code == 400
    assert user.totpdevice_set.filter(confirmed=True).exists()

    import time

    time.sleep(1.1)  # django-otp's throttle after a wrong code
    done = client.post("/account/2fa/disable/", {"password": password, "code": totp_code(device, steps_ahead=1)})
    assert done.status_code == 302
    assert not user.totpdevice_set.exists()
    assert ActivityLog.objects.filter(user=user, action="otp_disabled").exists()


def test_staff_without_2fa_are_sent_to_enrol_before_the_admin(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/2fa/"
    assert "Staff must turn on two-factor authentication" in response.content.decode()


def test_staff_with_2fa_reach_the_admin_after_the_code(client, db, password):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    device, _ = enrol_totp(client)  # enrolment verifies the current session
    assert client.get("/admin/").status_code == 200
    client.post("/accounts/logout/")

    client.post("/accounts/login/", {"login": staff.email, "password": password})
    assert client.get("/admin/")["Location"].startswith("/account/2fa/verify/")
    client.post("/account/2fa/verify/", {"code": totp_code(device, steps_ahead=1)})
    assert client.get("/admin/").status_code == 200


def test_regular_users_cannot_use_the_admin(client, user):
    client.force_login(user)
    response = client.get("/admin/", follow=True)
    assert "cannot use the admin" in response.content.decode()
