"""Who gets into the admin: staff who passed 2FA this session. Everyone else is turned away, and a staff
account made by `createsuperuser` can log in and walks the README's enrolment to the admin."""

import pytest
from django.core.management import call_command

from accounts.models import User
from gatekeeper.services.access import access_for
from tests.accounts.otp_helpers import enrol_totp, sign_in_past_2fa
from tests.factories import UserFactory

PAGES = ["/admin/", "/admin/accounts/user/", "/admin/adminpanel/staffaction/", "/admin/trading/trade/"]


@pytest.mark.parametrize("url", PAGES)
def test_signed_out_visitors_are_sent_to_log_in(client, db, url):
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")


@pytest.mark.parametrize("url", PAGES)
def test_users_who_are_not_staff_are_turned_away_even_past_2fa(client, db, url):
    trader = UserFactory()
    sign_in_past_2fa(client, trader)
    response = client.get(url, follow=True)
    assert "/admin/" not in response.redirect_chain[-1][0]
    assert "cannot use the admin" in response.content.decode()


def test_a_user_action_posted_by_a_non_staff_user_does_nothing(client, db):
    trader, victim = UserFactory(), UserFactory()
    sign_in_past_2fa(client, trader)
    client.post("/admin/accounts/user/", {"action": "suspend", "_selected_action": [victim.pk], "apply": "1",
                                          "reason": "x"})  # fmt: skip
    assert access_for(victim).effective_level() == "LIMITED"


@pytest.mark.parametrize("url", PAGES)
def test_staff_without_2fa_are_sent_to_enrol(client, db, url):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == "/account/2fa/"


def test_createsuperuser_noinput_makes_staff_who_log_in_enrol_and_reach_the_admin(client, db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Ops@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "an-ops-passphrase-77")
    call_command("createsuperuser", "--noinput", verbosity=0)
    ops = User.objects.get(email="ops@example.com")
    assert ops.is_staff and ops.is_superuser

    login = client.post("/accounts/login/", {"login": "ops@example.com", "password": "an-ops-passphrase-77"})
    assert login.status_code == 302 and "confirm-email" not in login["Location"]
    # The README's flow: /admin/ sends them to enrol; scan, code, recovery codes; then the admin opens.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/account/2fa/"
    _, codes = enrol_totp(client)
    assert len(codes) == 10
    assert client.get("/admin/").status_code == 200
