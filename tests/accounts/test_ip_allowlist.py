"""An optional per-user IP allow-list: logins and token calls from elsewhere are refused and logged."""

from accounts.models import ActivityLog
from accounts.services.tokens import token_create


def test_login_from_an_address_outside_the_list_is_refused_and_logged(client, user, password):
    user.allowed_ips = "203.0.113.0/24"
    user.save()
    response = client.post("/accounts/login/", {"login": user.email, "password": password}, REMOTE_ADDR="198.51.100.9")
    assert client.get("/dashboard/").status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "198.51.100.9 is not one of them" in page
    assert ActivityLog.objects.filter(user=user, action="login_blocked_ip").exists()


def test_login_from_inside_the_list_works(client, user, password):
    user.allowed_ips = "203.0.113.0/24"
    user.save()
    client.post("/accounts/login/", {"login": user.email, "password": password}, REMOTE_ADDR="203.0.113.7")
    assert client.get("/dashboard/", REMOTE_ADDR="203.0.113.7").status_code == 200
    # The same session used from elsewhere is ended.
    assert client.get("/dashboard/", REMOTE_ADDR="192.0.2.1").status_code == 302
    assert client.get("/dashboard/", REMOTE_ADDR="203.0.113.7").status_code == 302


def test_token_call_from_outside_the_list_is_refused_and_logged(client, user):
    _token, key = token_create(user=user, name="bot")
    user.allowed_ips = "203.0.113.7"
    user.save()
    refused = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="192.0.2.1")
    assert refused.status_code == 401
    assert "192.0.2.1 is not on it" in refused.json()["detail"]
    assert ActivityLog.objects.filter(user=user, action="token_blocked_ip").exists()
    allowed = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {key}", REMOTE_ADDR="203.0.113.7")
    assert allowed.status_code == 200


def test_profile_refuses_a_list_that_would_lock_the_user_out(client, user):
    client.force_login(user)
    response = client.post("/account/profile/", {"display_name": "", "allowed_ips": "203.0.113.0/24"})
    assert response.status_code == 200
    assert "would lock you out" in response.content.decode()
    user.refresh_from_db()
    assert user.allowed_ips == ""


def test_profile_rejects_garbage_entries_with_a_field_error(client, user):
    client.force_login(user)
    response = client.post("/account/profile/", {"display_name": "", "allowed_ips": "127.0.0.1\nbanana"})
    assert "“banana” is not an IP address" in response.content.decode()


def test_profile_saves_a_list_that_includes_the_current_address(client, user):
    client.force_login(user)
    response = client.post("/account/profile/", {"display_name": "Ana", "allowed_ips": "127.0.0.1, 10.0.0.0/8"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.allowed_ips == "127.0.0.1\n10.0.0.0/8" and user.display_name == "Ana"
    assert ActivityLog.objects.filter(user=user, action="allowed_ips_changed").exists()
