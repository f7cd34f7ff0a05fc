"""`manage.py createsuperuser`, as the README says, makes an admin who can log in and then enrol 2FA."""

from allauth.account.models import EmailAddress
from django.core.management import call_command

ADMIN_EMAIL = "Owner@Example.com"
ADMIN_PASSWORD = "an-owner-passphrase-42"


def test_a_superuser_from_the_command_logs_in_without_a_verification_mail(client, db, monkeypatch, mailoutbox):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", ADMIN_PASSWORD)
    call_command("createsuperuser", "--noinput", "--email", ADMIN_EMAIL, verbosity=0)

    address = EmailAddress.objects.get(email="owner@example.com")
    assert address.verified and address.primary

    response = client.post("/accounts/login/", {"login": "owner@example.com", "password": ADMIN_PASSWORD})
    assert response.status_code == 302 and "confirm-email" not in response["Location"]
    assert client.get("/dashboard/").status_code == 200
    assert mailoutbox == []
    # The admin then asks for 2FA enrolment, as the README explains.
    assert client.get("/admin/", follow=True).redirect_chain[-1][0] == "/account/2fa/"
