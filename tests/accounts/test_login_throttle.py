from accounts.models import ActivityLog


def test_sixth_login_after_five_failures_is_locked_even_with_the_right_password(client, user, password):
    for _ in range(5):
        response = client.post("/accounts/login/", {"login": user.email, "password": "wrong-password"})
        assert response.status_code == 200
        assert "not correct" in response.content.decode() or "incorrect" in response.content.decode().lower()

    locked = client.post("/accounts/login/", {"login": user.email, "password": password})
    assert locked.status_code in (200, 429)
    assert "Too many failed login attempts" in locked.content.decode()
    assert client.get("/dashboard/").status_code == 302
    assert ActivityLog.objects.filter(user=user, action="login_failed").count() == 5


def test_failed_login_for_an_unknown_address_is_logged_without_a_user(client, db):
    client.post("/accounts/login/", {"login": "nobody@example.com", "password": "whatever-123"})
    entry = ActivityLog.objects.get(action="login_failed")
    assert entry.user is None and entry.detail["email"] == "nobody@example.com"
