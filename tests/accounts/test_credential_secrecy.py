"""An exchange key and secret never leave the vault: not in logs, pages, the admin, reprs or error reports.

Every log record at DEBUG level from every logger (SQL included) is captured over a credential's whole
life, from Connect BingX (against the fake BingX) to removal on the Exchange keys page. The SQL log holds
ciphertext, which is fine; the plaintext must appear nowhere.
"""

from __future__ import annotations

import io
import logging
import secrets
import string
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import vault
from accounts.models import ActivityLog, ExchangeCredential, User
from accounts.services.credentials import credential_create, credential_reveal
from gatekeeper.models import Access, AccessCheck
from gatekeeper.views import connect as connect_view

FRAGMENT = 12  # any run this long from a secret counts as a leak


def _exchange_value() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(64))


class Secrets:
    """The plaintext under test and every fragment of it that must not show up anywhere."""

    def __init__(self, api_key: str | None = None, api_secret: str | None = None) -> None:
        self.api_key = api_key or _exchange_value()
        self.api_secret = api_secret or _exchange_value()
        # The mask shows the key's first and last four characters by design; nothing in between may appear.
        hidden_key = self.api_key[4:-4]
        self.fragments = {hidden_key[i : i + FRAGMENT] for i in range(len(hidden_key) - FRAGMENT + 1)} | {
            self.api_secret[i : i + FRAGMENT] for i in range(len(self.api_secret) - FRAGMENT + 1)
        }

    @classmethod
    def of(cls, account) -> Secrets:
        """The key and secret of an account on the fake BingX."""
        return cls(account.api_key, account.secret)

    def assert_absent(self, text: str, where: str) -> None:
        leaked = [fragment for fragment in self.fragments if fragment in text]
        assert not leaked, f"plaintext of the API key or secret found in {where}"

    def assert_response_clean(self, response, where: str) -> None:
        self.assert_absent(response.content.decode(errors="replace"), f"{where} (body)")
        self.assert_absent(repr(list(response.items())), f"{where} (headers)")
        self.assert_absent(response.cookies.output(), f"{where} (cookies)")


@pytest.fixture
def all_logs(caplog, settings):
    """Every logger at DEBUG, SQL logging on, loggers that do not propagate wired to caplog too."""
    settings.DEBUG = True  # Django logs SQL (with parameters) only when DEBUG is on
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    detached = []
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger):
            caplog.set_level(logging.DEBUG, logger=name)
            if not logger.propagate:
                logger.addHandler(caplog.handler)
                detached.append(logger)
    yield caplog
    for logger in detached:
        logger.removeHandler(caplog.handler)


def _assert_logs_clean(caplog, plain: Secrets) -> None:
    for record in caplog.records:
        plain.assert_absent(record.getMessage(), f"log message from {record.name}")
        plain.assert_absent(repr(vars(record)), f"log record attributes from {record.name}")
    plain.assert_absent(caplog.text, "formatted log output")


def _verified_admin_client(admin: User) -> Client:
    """A superuser session that has passed 2FA (the admin refuses unverified staff)."""
    device = StaticDevice.objects.create(user=admin, name="backup", confirmed=True)
    device.token_set.create(token="recovery1")
    client = Client()
    client.force_login(admin)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id  # what django_otp.login() stores
    session.save()
    return client


def test_key_and_secret_never_appear_anywhere_over_a_credentials_whole_life(
    all_logs, bingx, client, user, settings, django_capture_on_commit_callbacks
):
    plain = Secrets.of(bingx.trader(deposits=[(250, "USDT", 1, timedelta(hours=1))]))
    old, new = vault.generate_key_entry("old"), vault.generate_key_entry("new")
    settings.FLAXU_ENCRYPTION_KEYS = old
    client.force_login(user)
    connect, page = reverse("access_connect"), reverse("credentials")
    pair = {"api_key": plain.api_key, "api_secret": plain.api_secret}

    # Rejected first: the key pasted twice, then a wrong secret (BingX refuses); nothing typed is echoed.
    response = client.post(connect, {"api_key": plain.api_key, "api_secret": plain.api_key})
    assert response.status_code == 200 and response.context["form"].errors
    plain.assert_response_clean(response, "form error page")
    wrong_secret = _exchange_value()
    response = client.post(connect, {"api_key": plain.api_key, "api_secret": wrong_secret})
    assert response.status_code == 200 and "BingX does not accept" in response.content.decode()
    assert wrong_secret not in response.content.decode()
    plain.assert_response_clean(response, "refused key page")
    assert not ExchangeCredential.objects.exists()

    # Connect through the gatekeeper, then see the status page and the list.
    response = client.post(connect, pair)
    assert response.status_code == 302
    plain.assert_response_clean(response, "connect redirect")
    for url in (reverse("access_status"), connect, page):
        response = client.get(url)
        assert response.status_code == 200
        plain.assert_response_clean(response, url)
    credential = ExchangeCredential.objects.get(user=user)
    assert credential.api_key_masked in response.content.decode()

    # Connecting the same key again re-encrypts it in place.
    response = client.post(connect, pair)
    assert response.status_code == 302
    assert ExchangeCredential.objects.get(user=user).pk == credential.pk

    # The admin, as a superuser who passed 2FA: changelist, change page, an edit, history, delete page.
    admin = User.objects.create_superuser("boss@example.com", "a-long-admin-password-1")
    staff = _verified_admin_client(admin)
    changelist = reverse("admin:accounts_exchangecredential_changelist")
    change = reverse("admin:accounts_exchangecredential_change", args=[credential.pk])
    for url in (changelist, f"{changelist}?q=BingX", change):
        response = staff.get(url)
        assert response.status_code == 200, f"admin refused {url}"
        assert credential.api_key_masked in response.content.decode()
        assert "api_secret_encrypted" not in response.content.decode()
        assert "api_key_encrypted" not in response.content.decode()
        plain.assert_response_clean(response, f"admin {url}")
    response = staff.post(change, {"label": "Renamed", "sandbox": "on", "_save": "Save"})
    assert response.status_code == 302, response.content.decode()[:2000]
    for url in (
        change,
        reverse("admin:accounts_exchangecredential_history", args=[credential.pk]),
        reverse("admin:accounts_exchangecredential_delete", args=[credential.pk]),
    ):
        response = staff.get(url)
        assert response.status_code == 200
        plain.assert_response_clean(response, f"admin {url}")
    credential.refresh_from_db()
    assert credential.label == "Renamed"

    # The gateway's server-side reveal still works after the admin edit.
    assert credential_reveal(credential) == (plain.api_key, plain.api_secret)

    # Rotation to a new key.
    settings.FLAXU_ENCRYPTION_KEYS = f"{new},{old}"
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_encryption_key", stdout=out, stderr=err)
    plain.assert_absent(out.getvalue() + err.getvalue(), "rotate_encryption_key output")
    settings.FLAXU_ENCRYPTION_KEYS = new
    credential.refresh_from_db()
    assert credential.key_id == "new"
    assert credential_reveal(credential) == (plain.api_key, plain.api_secret)

    # Nothing at rest holds the plaintext outside the ciphertext columns.
    plain.assert_absent(repr(credential) + str(credential), "the model's repr/str")
    for entry in ActivityLog.objects.all():
        plain.assert_absent(repr(entry.detail) + str(entry), "the activity log")
    for session in Session.objects.all():
        plain.assert_absent(repr(session.get_decoded()), "a session")
    for blob in ExchangeCredential.objects.values_list("api_key_encrypted", "api_secret_encrypted").get():
        plain.assert_absent(bytes(blob).decode("latin-1"), "the stored ciphertext")

    # Confirm, then remove through the page (the gatekeeper records the decision after the commit).
    delete = reverse("credential_delete", args=[credential.pk])
    response = client.get(delete)
    assert response.status_code == 200
    plain.assert_response_clean(response, "remove confirmation")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(delete, follow=True)
    assert response.status_code == 200
    plain.assert_response_clean(response, "page after removal")
    assert not ExchangeCredential.objects.exists()
    assert AccessCheck.objects.filter(user=user, source=AccessCheck.Source.KEY_REMOVED).count() == 1

    # Nor in the decisions, the access row, notifications or mail.
    for check in AccessCheck.objects.all():
        plain.assert_absent(repr(check.inputs) + repr(check.reasons) + check.error, "an access decision")
    for access in Access.objects.all():
        plain.assert_absent(access.reason + access.last_error, "the access row")
    for notification in user.notifications.all():
        plain.assert_absent(notification.title + notification.body, "a notification")
    for message in mail.outbox:
        plain.assert_absent(message.message().as_string(), "an email")

    # The capture really saw SQL writing the ciphertext: the absence above is meaningful.
    sql = [r for r in all_logs.records if r.name == "django.db.backends"]
    assert any('INSERT INTO "accounts_exchangecredential"' in r.getMessage() for r in sql)
    assert any('UPDATE "accounts_exchangecredential"' in r.getMessage() for r in sql)
    assert any(r.name.startswith("accounts") for r in all_logs.records)  # rotation logs its summary
    _assert_logs_clean(all_logs, plain)


def test_repr_and_str_of_a_credential_show_the_mask_only(bingx, user):
    plain = Secrets.of(bingx.trader())
    client = Client()
    client.force_login(user)
    client.post(reverse("access_connect"), {"api_key": plain.api_key, "api_secret": plain.api_secret})
    credential = ExchangeCredential.objects.get(user=user)
    for text in (repr(credential), str(credential)):
        plain.assert_absent(text, "repr/str")
        assert credential.api_key_masked in text


def test_an_error_report_for_a_failed_save_hides_the_key_and_secret(bingx, user, settings):
    """Production error emails (DEBUG off) show neither the POST values nor any local holding them."""
    plain = Secrets.of(bingx.trader())  # no local here may hold the plaintext: this frame is in the report too
    settings.DEBUG = False
    # A genuinely broken ring makes the save fail deep inside the service (after BingX accepted the key),
    # with plaintext in the frames of the view, key_connect, the credential service and the vault.
    settings.FLAXU_ENCRYPTION_KEYS = "k1:" + "A" * 22
    request = RequestFactory().post(
        reverse("access_connect"), {"api_key": plain.api_key, "api_secret": plain.api_secret}
    )
    request.user = user
    with pytest.raises(vault.KeyRingError) as failure:
        connect_view(request)
    report = ExceptionReporter(request, failure.type, failure.value, failure.tb)
    plain.assert_absent(report.get_traceback_text(), "the error report (text)")
    plain.assert_absent(report.get_traceback_html(), "the error report (HTML)")
    assert not ExchangeCredential.objects.exists() and not AccessCheck.objects.exists()


def test_the_admin_cannot_add_keys_and_edits_only_label_and_sandbox(user):
    plain = Secrets()
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=plain.api_key, api_secret=plain.api_secret
    )
    before = ExchangeCredential.objects.values().get(pk=credential.pk)
    staff = _verified_admin_client(User.objects.create_superuser("boss@example.com", "a-long-admin-password-1"))
    assert staff.get(reverse("admin:accounts_exchangecredential_add")).status_code == 403

    change = reverse("admin:accounts_exchangecredential_change", args=[credential.pk])
    form = staff.get(change).context["adminform"].form
    assert set(form.fields) == {"label", "sandbox"}
    other = User.objects.create_user("other@example.com", "another-password-1")
    response = staff.post(
        change,
        {
            "label": "Edited",
            "sandbox": "on",
            "user": other.pk,
            "key_id": "evil",
            "api_key_masked": "x",
            "api_key_encrypted": "AAAA",
            "api_secret_encrypted": "AAAA",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    after = ExchangeCredential.objects.values().get(pk=credential.pk)
    assert (after["label"], after["sandbox"]) == ("Edited", True)
    for field in ("user_id", "exchange", "key_id", "api_key_masked", "api_key_encrypted", "api_secret_encrypted"):
        assert after[field] == before[field], field
    assert credential_reveal(ExchangeCredential.objects.get(pk=credential.pk)) == (plain.api_key, plain.api_secret)


def test_removing_a_key_in_the_admin_is_recorded_in_the_activity_log(user):
    credential = credential_create(
        user=user, exchange="bingx", label="Main", api_key=_exchange_value(), api_secret=_exchange_value()
    )
    staff = _verified_admin_client(User.objects.create_superuser("boss@example.com", "a-long-admin-password-1"))
    response = staff.post(reverse("admin:accounts_exchangecredential_delete", args=[credential.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not ExchangeCredential.objects.exists()
    entry = ActivityLog.objects.get(action=ActivityLog.Action.CREDENTIAL_REMOVED)
    assert entry.user == user and entry.detail["mask"] == credential.api_key_masked


def test_bulk_removal_in_the_admin_is_recorded_per_key(user):
    made = [
        credential_create(
            user=user, exchange="bingx", label=label, api_key=_exchange_value(), api_secret=_exchange_value()
        )
        for label in ("Main", "Bot")
    ]
    staff = _verified_admin_client(User.objects.create_superuser("boss@example.com", "a-long-admin-password-1"))
    response = staff.post(
        reverse("admin:accounts_exchangecredential_changelist"),
        {"action": "delete_selected", "_selected_action": [c.pk for c in made], "post": "yes"},
    )
    assert response.status_code == 302
    assert not ExchangeCredential.objects.exists()
    removed = ActivityLog.objects.filter(action=ActivityLog.Action.CREDENTIAL_REMOVED)
    assert sorted(entry.detail["label"] for entry in removed) == ["Bot", "Main"]
