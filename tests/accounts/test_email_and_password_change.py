import re

from django.core import mail

from accounts.models import ActivityLog


def test_changing_email_takes_effect_after_verifying_the_new_address(client, user, password):
    client.force_login(user)
    response = client.post("/accounts/email/", {"action_add": "", "email": "new-address@example.com"})
    assert response.status_code == 302
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[-1].body).group(1)
    user.refresh_from_db()
    assert user.email != "new-address@example.com"  # not until verified

    client.post(link)
    user.refresh_from_db()
    assert user.email == "new-address@example.com"
    assert ActivityLog.objects.filter(user=user, action="email_changed").exists()

    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": "new-address@example.com", "password": password})
    assert client.get("/dashboard/").status_code == 200


def test_password_change_is_logged_and_the_new_password_works(client, user, password):
    client.force_login(user)
    new = "another-long-passphrase-42"
    response = client.post("/accounts/password/change/", {"oldpassword": password, "password1": new, "password2": new})
    assert response.status_code == 302
    assert ActivityLog.objects.filter(user=user, action="password_changed").exists()
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"login": user.email, "password": new})
    assert client.get("/dashboard/").status_code == 200


def test_weak_password_change_is_a_form_error(client, user, password):
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/", {"oldpassword": password, "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert "too short" in response.content.decode()


def test_password_reset_by_mail(client, user):
    client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new = "reset-passphrase-very-long-1"
    done = client.post(set_url, {"password1": new, "password2": new})
    assert done.status_code == 302
    assert ActivityLog.objects.filter(user=user, action="password_reset").exists()
    client.post("/accounts/login/", {"login": user.email, "password": new})
    assert client.get("/dashboard/").status_code == 200
