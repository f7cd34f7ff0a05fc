"""Server errors and failed tasks become ErrorRecord rows with context and no secret, repeats are counted,
old ones are pruned, and staff read them on /staff/errors/ (Sentry's events are scrubbed the same way)."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from asgiref.sync import async_to_sync
from django.conf import settings as django_settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from adminpanel.models import ErrorRecord
from adminpanel.redaction import scrub_sentry_event
from adminpanel.services.errors import error_record_capture, error_records_prune
from adminpanel.tasks import prune_error_records
from flaxu.settings import sentry_options
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory
from tests.gatekeeper.test_secrecy import Plain

SIGNATURE = "5be1d07a5e3c8b6f1a2d4e5c7b9a0d3f6e8c1b2a4d5e7f9c0b3a6d8e1f2c9f2c4"


class TransportBroke(RuntimeError):
    """Raised under ccxt by the test's network boundary; nothing of ours expects it, so the view fails."""


@pytest.fixture
def transport_quoting_the_signed_request(monkeypatch):
    """requests' transport fails for the deposit history with a message quoting the signed URL and the
    API key header, the way a careless library error would."""
    send = requests.adapters.HTTPAdapter.send

    def failing_send(self, request, *args, **kwargs):
        if urlsplit(request.url).path == "/openApi/api/v3/capital/deposit/hisrec":
            raise TransportBroke(f"GET {request.url} failed; X-BX-APIKEY: {request.headers.get('X-BX-APIKEY')}")
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", failing_send)


@pytest.mark.django_db
def test_a_server_error_is_recorded_with_its_request_and_no_key_secret_or_signature(
    bingx, user, transport_quoting_the_signed_request, staff_client
):
    trader = bingx.trader()
    plain = Plain(trader.api_key, trader.secret, bingx.agent.api_key, bingx.agent.secret)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.post(
        "/access/connect/?token=abc", {"api_key": trader.api_key, "api_secret": trader.secret}, HTTP_X_REQUEST_ID="r-42"
    )

    assert response.status_code == 500
    record = ErrorRecord.objects.get(kind="request")
    assert record.logger == "django.request"
    assert record.exception_type == "tests.adminpanel.test_errors.TransportBroke"
    assert {k: record.context[k] for k in ("path", "method", "status", "user_id", "request_id", "count")} == {
        "path": "/access/connect/",  # never the query string
        "method": "POST",
        "status": 500,
        "user_id": user.pk,
        "request_id": "r-42",
        "count": 1,
    }
    assert record.message.startswith("Internal Server Error: /access/connect/: GET http://")
    assert "/openApi/api/v3/capital/deposit/hisrec?… failed; X-BX-APIKEY: ***" in record.message  # no query, no key
    assert "ccxt/base/exchange.py" in record.traceback  # the traceback reached under ccxt
    stored = "\n".join([record.message, record.traceback, str(record.context)])
    plain.assert_absent(stored, "the error record")
    assert "signature=" not in stored and "timestamp=" not in stored

    listing = staff_client.get("/staff/errors/").content.decode()
    detail = staff_client.get(f"/staff/errors/{record.pk}/").content.decode()
    assert "/access/connect/" in listing and "TransportBroke" in detail and "ccxt/base/exchange.py" in detail
    plain.assert_absent(listing + detail, "the staff errors pages")


@pytest.mark.django_db
def test_a_logged_error_keeps_no_configured_secret_or_url_password(settings):
    settings.FLAXU_REFERRER_AGENT_SECRET = "agentsecret-" + SIGNATURE[:20]
    secret_key = django_settings.SECRET_KEY
    vault_key = django_settings.FLAXU_ENCRYPTION_KEYS.split(",")[0].split(":", 1)[1]
    try:
        raise ValueError(f"cannot decrypt with {vault_key}; agent {settings.FLAXU_REFERRER_AGENT_SECRET}")
    except ValueError:
        logging.getLogger("accounts.services.credentials").exception(
            "re-encryption failed (SECRET_KEY %s) on postgres://flaxu:hunter2pass@db:5432/flaxu", secret_key
        )

    record = ErrorRecord.objects.get()
    assert (record.kind, record.logger, record.exception_type) == ("log", "accounts.services.credentials", "ValueError")
    assert record.context["where"].startswith("test_errors.test_a_logged_error_keeps_no_configured_secret")
    text = record.message + record.traceback
    for secret in (secret_key, vault_key, settings.FLAXU_REFERRER_AGENT_SECRET, "hunter2pass"):
        assert secret not in text
    assert "postgres://flaxu:***@db:5432/flaxu" in record.message


@pytest.mark.django_db
def test_errors_of_other_libraries_warnings_and_deliberate_503s_are_not_recorded(rf):
    logging.getLogger("urllib3.connectionpool").error("not ours")
    logging.getLogger("trading.services.execution").warning("only a warning")
    # What Django logs for a "busy, try again" answer (core.db_busy, core.errors.Unavailable).
    busy = {"status_code": 503, "request": rf.get("/trading/")}
    logging.getLogger("django.request").error("Service Unavailable: %s", "/trading/", extra=busy)

    assert not ErrorRecord.objects.exists()


@pytest.mark.django_db
def test_a_failed_task_is_recorded_with_name_id_queue_and_redacted_arguments():
    result = prune_error_records.apply(args=[42, "BTC/USDT"], kwargs={"api_secret": SIGNATURE, "user_id": 7})

    assert result.failed()
    record = ErrorRecord.objects.get(kind="task")
    assert record.exception_type == "TypeError" and "api_secret" in record.message
    assert record.context["task"] == "adminpanel.tasks.prune_error_records"
    assert record.context["task_id"] == result.id
    assert record.context["queue"] == "bulk"
    assert record.context["arguments"] == {"args": [42, "<str>"], "kwargs": {"api_secret": "********", "user_id": 7}}
    assert "Traceback" in record.traceback
    assert SIGNATURE not in str(record.context) + record.message + record.traceback


@pytest.mark.django_db
def test_the_same_error_within_a_minute_is_counted_on_one_record():
    now = timezone.now()
    for trade in (12, 13, 14):  # the same error about different trades
        error_record_capture(kind="log", logger="trading", message=f"paper trade {trade} not updated", now=now)
    error_record_capture(
        kind="log", logger="trading", message="paper trade 15 not updated", now=now + timedelta(minutes=2)
    )
    error_record_capture(kind="log", logger="trading", message="funding not counted", now=now)
    for trade in (7, 8):  # one failing page, for different trades
        error_record_capture(
            kind="request", logger="django.request", message="Internal Server Error", context={"path": f"/t/{trade}/"}
        )

    records = list(ErrorRecord.objects.order_by("id"))
    assert [(r.message, r.context["count"]) for r in records] == [
        ("paper trade 12 not updated", 3),
        ("paper trade 15 not updated", 1),  # a minute later: a new record
        ("funding not counted", 1),
        ("Internal Server Error", 2),
    ]
    assert records[-1].context["path"] == "/t/7/"  # the first one's context; the count says how many


@pytest.mark.django_db
def test_an_error_logged_while_formatting_an_error_is_not_stored_again():
    class Noisy:
        """Logs an error the second time it is formatted: the first is the log-record factory's scrubbing
        (adminpanel.log_scrubbing), the second the first handler's, the error records'."""

        formatted = 0

        def __str__(self) -> str:
            self.formatted += 1
            if self.formatted == 2:
                logging.getLogger("trading").error("while formatting")  # an error while storing one
            return "noisy object"

    logging.getLogger("market").error("broken: %s", Noisy())

    assert list(ErrorRecord.objects.values_list("message", flat=True)) == ["broken: noisy object"]


@pytest.mark.django_db(transaction=True)
def test_an_error_logged_in_an_event_loop_is_stored_from_a_worker_thread():
    """The outbox relay runs in Daphne's event loop, where the ORM refuses to run."""

    async def relay_poll_fails():
        logging.getLogger("core.realtime.relay").error("Outbox relay poll failed; retrying.")

    async_to_sync(relay_poll_fails)()

    deadline = time.monotonic() + 10
    while not ErrorRecord.objects.filter(logger="core.realtime.relay").exists():
        assert time.monotonic() < deadline, "the error from the event loop was not stored"
        time.sleep(0.05)
    assert ErrorRecord.objects.get(logger="core.realtime.relay").message == "Outbox relay poll failed; retrying."


@pytest.fixture
def database_down(tmp_path):
    """Connections of this test go nowhere: PostgreSQL's port closed, or SQLite's file unreachable."""
    wrapper = connections["default"]
    key, broken = ("PORT", "1") if wrapper.vendor == "postgresql" else ("NAME", str(tmp_path / "missing" / "db"))
    saved = wrapper.settings_dict[key]
    wrapper.close()
    if wrapper.vendor == "postgresql":
        wrapper.close_pool()
    wrapper.settings_dict[key] = broken
    try:
        yield
    finally:
        wrapper.settings_dict[key] = saved
        wrapper.close()
        if wrapper.vendor == "postgresql":
            wrapper.close_pool()


@pytest.mark.django_db(transaction=True)
def test_a_failing_write_goes_to_stderr_and_never_raises(database_down, capfd):
    try:
        raise OSError("disk full")
    except OSError:
        logging.getLogger("core.realtime.relay").exception("Outbox relay poll failed; retrying.")  # must not raise

    assert "adminpanel: an error from core.realtime.relay was not recorded (OperationalError)" in capfd.readouterr().err


@pytest.mark.django_db
def test_retention_deletes_exactly_the_records_older_than_the_setting(settings):
    settings.STAFF_ERROR_RETENTION_DAYS = 30
    now = timezone.now()
    ages = {"older": timedelta(days=30, seconds=1), "exactly 30 days": timedelta(days=30), "newer": timedelta(days=29)}
    for message, age in ages.items():
        record = ErrorRecord.objects.create(kind="log", message=message)
        ErrorRecord.objects.filter(pk=record.pk).update(created_at=now - age)

    assert error_records_prune(now=now) == 1
    assert sorted(ErrorRecord.objects.values_list("message", flat=True)) == ["exactly 30 days", "newer"]

    settings.STAFF_ERROR_RETENTION_DAYS = 29
    prune_error_records.apply()  # the beat task, with the setting's value
    assert list(ErrorRecord.objects.values_list("message", flat=True)) == []


@pytest.mark.django_db
def test_the_page_lists_newest_first_filters_by_kind_and_paginates(staff_client):
    for n in range(55):
        ErrorRecord.objects.create(kind="log", logger="market", message=f"log error {n}")
    task = ErrorRecord.objects.create(kind="task", message="task error", context={"task": "trading.tasks.run_signals"})

    first = staff_client.get("/staff/errors/")
    assert first.status_code == 200
    assert [r.message for r in first.context["page"].object_list][:2] == ["task error", "log error 54"]
    assert len(first.context["page"].object_list) == 50 and 'rel="next"' in first.content.decode()
    second = staff_client.get("/staff/errors/?page=2")
    assert [r.message for r in second.context["page"].object_list][-1] == "log error 0"

    tasks = staff_client.get("/staff/errors/?kind=task")
    assert [r.pk for r in tasks.context["page"].object_list] == [task.pk]
    assert "trading.tasks.run_signals" in tasks.content.decode()


@pytest.mark.django_db
def test_an_unknown_kind_is_a_form_error_not_a_silent_filter(staff_client):
    response = staff_client.get("/staff/errors/?kind=nonsense")

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


@pytest.mark.django_db
def test_the_detail_shows_the_traceback_and_context(staff_client):
    record = ErrorRecord.objects.create(
        kind="request",
        logger="django.request",
        message="Internal Server Error: /trading/",
        exception_type="ZeroDivisionError",
        traceback='Traceback (most recent call last):\n  File "trading/views.py", line 3\nZeroDivisionError',
        context={"path": "/trading/", "method": "GET", "status": 500, "user_id": 9, "fingerprint": "x", "count": 2},
    )

    page = staff_client.get(f"/staff/errors/{record.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert "File &quot;trading/views.py&quot;, line 3" in html and "/trading/" in html and "ZeroDivisionError" in html
    assert [name for name, _ in page.context["context_items"]] == ["count", "method", "path", "status", "user_id"]
    assert staff_client.get(f"/staff/errors/{record.pk + 1}/").status_code == 404


@pytest.mark.django_db
def test_the_error_pages_and_admin_are_for_staff_past_2fa_only(staff_client):
    record = ErrorRecord.objects.create(kind="log", message="x")
    client = Client()
    assert client.get("/staff/errors/").status_code == 302  # signed out: the login page

    sign_in_past_2fa(client, UserFactory())
    assert client.get("/staff/errors/").status_code == 403
    assert client.get(f"/staff/errors/{record.pk}/").status_code == 403

    admin_list = staff_client.get("/admin/adminpanel/errorrecord/")
    assert admin_list.status_code == 200 and "Add error record" not in admin_list.content.decode()
    change = staff_client.post(f"/admin/adminpanel/errorrecord/{record.pk}/change/", {"message": "edited"})
    assert change.status_code == 403 or ErrorRecord.objects.get(pk=record.pk).message == "x"
    assert staff_client.post(f"/admin/adminpanel/errorrecord/{record.pk}/delete/", {"post": "yes"}).status_code == 403


# --- Sentry ------------------------------------------------------------------------------------------


def test_sentry_reports_django_and_celery_errors_without_pii_locals_or_bodies():
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    options = sentry_options("https://public@sentry.example.com/1")

    assert {type(i) for i in options["integrations"]} == {DjangoIntegration, CeleryIntegration}
    assert options["send_default_pii"] is False
    assert options["include_local_variables"] is False
    assert options["max_request_body_size"] == "never"
    assert options["before_send"]({"message": f"signature={SIGNATURE}"}, {}) == {"message": "signature=***"}


def test_sentry_events_are_scrubbed_of_signed_urls_keys_and_configured_secrets():
    api_key = "vXk3" + SIGNATURE[:40]
    event = {
        "message": f"GET https://open-api.bingx.com/openApi/swap/v2/user/balance?timestamp=1&signature={SIGNATURE}",
        "exception": {"values": [{"type": "TransportBroke", "value": f"X-BX-APIKEY: {api_key}", "stacktrace": {}}]},
        "request": {"url": "https://flaxu.example.com/access/connect/", "headers": {"X-Bx-Apikey": api_key}},
        "breadcrumbs": {"values": [{"message": f"SECRET_KEY was {django_settings.SECRET_KEY}"}]},
        "extra": {"api_secret": api_key, "attempts": 3},
        "level": "error",
    }

    scrubbed = scrub_sentry_event(event, {})

    text = str(scrubbed)
    for secret in (SIGNATURE, api_key, django_settings.SECRET_KEY):
        assert secret not in text
    assert scrubbed["message"] == "GET https://open-api.bingx.com/openApi/swap/v2/user/balance?…"
    assert scrubbed["extra"] == {"api_secret": "********", "attempts": 3}
    assert scrubbed["level"] == "error" and scrubbed["exception"]["values"][0]["type"] == "TransportBroke"
