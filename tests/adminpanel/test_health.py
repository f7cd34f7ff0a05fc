"""/staff/health/: services, exchanges (latency, last error, breaker), providers (staleness), Celery workers and
queue lengths, beat runs; bounded when nothing answers; staff with 2FA only."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django_celery_beat.models import PeriodicTask

from adminpanel.models import ErrorRecord
from adminpanel.selectors import health as selectors
from adminpanel.tasks import prune_error_records
from flaxu.celery import app
from market.exchanges import health as exchange_health
from market.providers import base as providers
from tests.accounts.otp_helpers import sign_in_past_2fa
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
SIGNATURE = "9f2c4be1d07a5e3c8b6f1a2d4e5c7b9a0d3f6e8c1b2a4d5e7f9c0b3a6d8e1f2c"
SIGNED_URL = f"https://open-api.bingx.com/openApi/swap/v2/user/balance?timestamp=1733390000000&signature={SIGNATURE}"


def test_exchanges_show_latency_last_error_without_signature_and_breaker_state(staff_client):
    for latency in (100, 200, 300, 400):
        exchange_health.record("bingx", "balances", latency_ms=latency)
    exchange_health.record("bingx", "balances", latency_ms=900, error=f"bingx GET {SIGNED_URL} 503 Service Unavailable")
    exchange_health.flush()
    exchange_health.record_breaker("bingx", "open")

    page = staff_client.get("/staff/health/")

    assert page.status_code == 200
    rows = {row.exchange: row for row in page.context["exchanges"]}
    assert set(rows) == {"bingx", "binanceusdm", "okx", "bybit"}
    assert rows["bingx"].breaker_state == "open" and rows["okx"].breaker_state == "closed"
    [balances] = rows["bingx"].operations
    assert (balances.samples, balances.p50_ms, balances.p99_ms) == (5, 300, 900)
    assert balances.last_error.startswith("bingx GET https://open-api.bingx.com/openApi/swap/v2/user/balance?…")
    html = page.content.decode()
    assert "300 ms" in html and "900 ms" in html and "Service Unavailable" in html
    assert SIGNATURE not in html and SIGNATURE[:12] not in html
    assert "breaker <span" in html and ">open<" in html


def test_providers_show_staleness_failures_and_last_error(staff_client):
    now = time.time()
    providers.note_success("coingecko", at=now - 125)
    providers.note_success("alternative_me", at=now - 3600)
    providers.note_failure("alternative_me", "alternative_me answered HTTP 502", at=now - 60)
    providers.note_failure("alternative_me", "alternative_me answered HTTP 502", at=now - 30)

    page = staff_client.get("/staff/health/")

    rows = {row.name: row for row in page.context["providers"]}
    assert set(rows) == {"coingecko", "alternative_me"}
    assert rows["coingecko"].stale_seconds == pytest.approx(125, abs=5)
    assert rows["coingecko"].stale_for.startswith("2 min ")
    assert rows["alternative_me"].stale_for.startswith(("59 min ", "1 h 0 min"))
    assert rows["coingecko"].failures == 0 and rows["coingecko"].last_error == ""
    assert rows["alternative_me"].failures == 2
    assert rows["alternative_me"].last_error == "alternative_me answered HTTP 502"
    stamp = datetime.fromtimestamp(now - 30, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert f"{stamp}: <span" in page.content.decode()  # when, in UTC, 24-hour


def test_services_are_the_readiness_checks_of_the_admin_health_page(staff_client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS

    page = staff_client.get("/staff/health/")

    rows = {row["name"]: row for row in page.context["services"]}
    assert set(rows) == {"database", "cache", "broker", "channel layer"}
    assert rows["database"]["ok"] and rows["cache"]["ok"]
    assert rows["broker"]["status"] == "broker unreachable (OperationalError)"
    assert "broker unreachable (OperationalError)" in page.content.decode()
    assert staff_client.get("/admin/health/").status_code == 200  # the admin's page stays


def test_no_worker_answering_says_no_answer_within_bounded_time(staff_client):
    started = time.monotonic()
    page = staff_client.get("/staff/health/")
    elapsed = time.monotonic() - started

    assert page.status_code == 200
    celery = page.context["celery"]
    assert celery.workers == {}
    assert celery.workers_error.startswith("no answer")
    assert elapsed < selectors.CELERY_PROBE_SECONDS + 3
    assert "no answer" in page.content.decode()


def test_broker_down_says_no_answer_for_workers_and_queues_without_hanging(staff_client, settings):
    settings.CELERY_BROKER_URL = UNREACHABLE_REDIS
    started = time.monotonic()

    page = staff_client.get("/staff/health/")

    assert page.status_code == 200
    assert time.monotonic() - started < selectors.CELERY_PROBE_SECONDS + 5
    celery = page.context["celery"]
    assert celery.workers_error.startswith("no answer") and celery.queues_error.startswith("no answer")
    assert celery.queue_lengths == dict.fromkeys(["prices", "orders", "signals", "default", "bulk", "reports"])
    html = page.content.decode()
    assert 'data-queue="bulk">no answer<' in html


@pytest.fixture
def empty_bulk_queue():
    """The `bulk` queue of this test's broker (filesystem by default, Redis with REDIS_URL), emptied before
    and after: messages are really sent to it and must not reach a later test's worker."""

    def purge():
        with app.connection_for_write() as connection:
            connection.default_channel.queue_purge("bulk")

    purge()
    yield
    purge()


def test_queue_lengths_count_the_messages_waiting_on_the_broker(staff_client, empty_bulk_queue):
    for _ in range(3):
        prune_error_records.apply_async()  # routed to bulk; no worker consumes it in this test

    page = staff_client.get("/staff/health/")

    lengths = page.context["celery"].queue_lengths
    assert lengths["bulk"] == 3
    assert set(lengths) == {"prices", "orders", "signals", "default", "bulk", "reports"}
    assert 'data-queue="bulk">3<' in page.content.decode()


def test_beat_rows_show_each_schedule_with_its_last_run_in_utc(staff_client):
    PeriodicTask.objects.filter(name="Prune staff error records").update(
        last_run_at=datetime(2026, 12, 4, 17, 5, 9, tzinfo=UTC), total_run_count=7, enabled=False
    )

    page = staff_client.get("/staff/health/")

    rows = {row.name: row for row in page.context["beat"]}
    prune = rows["Prune staff error records"]
    assert (prune.task, prune.schedule, prune.enabled, prune.total_run_count) == (
        "adminpanel.tasks.prune_error_records",
        "every hour",
        False,
        7,
    )
    assert "Daily loss limit" in rows  # every app's schedules, not only ours
    html = page.content.decode()
    assert "2026-12-04 17:05:09" in html


def test_health_page_is_for_staff_past_2fa_only(client):
    assert client.get("/staff/health/").status_code == 302  # signed out: the login page

    trader = UserFactory()
    sign_in_past_2fa(client, trader)
    assert client.get("/staff/health/").status_code == 403

    client.logout()
    client.force_login(UserFactory(is_staff=True))  # staff, but no second factor in this session
    response = client.get("/staff/health/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


@pytest.mark.integration
def test_a_running_worker_is_listed_with_its_queues_and_its_failed_task_is_recorded(celery_worker_process, client):
    """A real worker (both brokers): it answers the page's question, and a task failing in it becomes an
    ErrorRecord written by the worker process (adminpanel.tasks is imported there)."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_past_2fa(client, staff)

    celery = client.get("/staff/health/").context["celery"]
    assert celery.workers_error == ""
    [queues] = [q for name, q in celery.workers.items() if name.startswith("flaxu-test-")]
    assert set(queues) == {"prices", "orders", "signals", "default", "bulk", "reports"}

    # Arguments the task does not take: it fails in the worker (send_task skips the caller-side check).
    failing = app.send_task("adminpanel.tasks.prune_error_records", kwargs={"user_id": 5, "api_key": "k" * 40})
    deadline = time.monotonic() + 30
    while not ErrorRecord.objects.filter(kind="task", context__task_id=failing.id).exists():
        assert time.monotonic() < deadline, "the worker did not record the failed task"
        time.sleep(0.2)
    record = ErrorRecord.objects.get(context__task_id=failing.id)
    assert record.context["queue"] == "bulk" and record.exception_type == "TypeError"
    assert record.context["arguments"] == {"args": [], "kwargs": {"user_id": 5, "api_key": "********"}}


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "—"), (0.4, "0 s"), (59.9, "59 s"), (60, "1 min 0 s"), (3599, "59 min 59 s"), (3600, "1 h 0 min"),
     (90061, "1 d 1 h")],
)  # fmt: skip
def test_staleness_reads_in_the_largest_units(seconds, text):
    assert selectors.duration_text(seconds) == text
