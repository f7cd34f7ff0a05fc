"""Every admin screen, with data in every table: each list and detail page opens for staff, none shows a
secret, each app has one readable section, and times read as the app writes them (UTC, 24-hour)."""

from base64 import b32encode
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ActivityLog, ExchangeCredential
from accounts.services.activity import activity_record
from accounts.services.credentials import credential_create
from accounts.services.notifications import notify
from accounts.services.otp import recovery_codes_regenerate
from accounts.services.tokens import token_create
from adminpanel.models import ErrorRecord
from adminpanel.services.user_actions import user_suspend
from core.realtime.models import OutboxEvent
from market.models import Candle, PriceAlert
from tests.factories import UserFactory
from tests.trading.factories import make_signal
from tests.trading.portfolio.conftest import make_trade
from trading.models import (
    Backtest,
    BacktestTrade,
    Calibration,
    DailyEquity,
    PaperWallet,
    SignalScan,
    SniperAlert,
    TradeOrder,
    TradingControl,
)
from trading.services.profile import profile_for

API_KEY = "AKEYstaffMUSTneverSEE0123456789abc"
API_SECRET = "SECRETstaffMUSTneverSEEzyx9876543210"
BTC = "BTC/USDT:USDT"
WHEN = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
NOT_REGISTERED = {
    "auth.Permission": "given through groups and users' own pages",
    "contenttypes.ContentType": "Django's internal model index",
    "sessions.Session": "session data holds sign-in secrets",
    "django_celery_beat.PeriodicTasks": "beat's internal 'schedule changed' marker",
    "account.EmailConfirmation": "email verification keys (secrets; allauth uses signed keys, no rows)",
    "otp_static.StaticToken": "recovery codes (secrets)",
    # The staff overview's trading rollup: figures derived from the trades and rebuilt by beat (an edit would
    # only falsify the overview until the next run).
    "adminpanel.TradesOpenedDay": "derived from trades, rebuilt by beat",
    "adminpanel.TradesClosedDay": "derived from trades, rebuilt by beat",
    "adminpanel.TradingRollupMark": "derived from trades, rebuilt by beat",
}


@pytest.fixture
def everything(staff_user):
    """A row in every table the admin shows, and the secrets that must never reach a page."""
    trader = UserFactory(email="trader@example.com")
    credential_create(user=trader, exchange="bingx", label="BingX", api_key=API_KEY, api_secret=API_SECRET)
    device = TOTPDevice.objects.create(user=trader, name="Authenticator app", confirmed=True)
    codes = recovery_codes_regenerate(user=trader, request=None)
    token, token_key = token_create(user=trader, name="bot")
    activity_record(action=ActivityLog.Action.LOGIN_FAILED, user=trader)
    notify(user=trader, kind="test", title="Hello", body="body")
    user_suspend(user=trader, actor=staff_user, reason="fraud review")  # Access, AccessCheck, StaffAction
    PriceAlert.objects.create(user=trader, exchange="bingx", symbol=BTC, condition="above", price=Decimal("100000"))
    Candle.objects.create(exchange="bingx", symbol=BTC, timeframe="1h", open_time=WHEN, open=1, high=2, low=1,
                          close=2, volume=10)  # fmt: skip
    signal = make_signal(bar_time=WHEN)
    SignalScan.objects.create(exchange="bingx", symbol=BTC, timeframe="5m", analysed_until=WHEN)
    SniperAlert.objects.create(exchange="bingx", symbol=BTC, time=WHEN, move="PUMP", change_pct=5, cleared_pct=1,
                               direction="LONG", entry=100, stop_loss=90, take_profit=120, origin_price=95)  # fmt: skip
    Calibration.objects.create(cases=1)
    backtest = Backtest.objects.create(user=trader, exchange="bingx", symbol=BTC, timeframe="1h", start=WHEN,
                                       end=WHEN + timedelta(days=1))  # fmt: skip
    BacktestTrade.objects.create(backtest=backtest, number=1, setup="swing_ob", side="LONG", entry_time=WHEN,
                                 entry_price=100, stop_loss=90, take_profit_1=120, size=1, notional=100,
                                 exit_time=WHEN, exit_price=110, exit_reason="TP1", gross_pnl=10, fees=0, funding=0,
                                 pnl=10, bars_held=3, equity_before=1000)  # fmt: skip
    profile_for(trader)
    PaperWallet.objects.create(user=trader, initial_balance=1000, balance=1000)
    trade = make_trade(trader, signal=signal, signal_type="ICT")
    TradeOrder.objects.create(trade=trade, role="ENTRY", side="buy", client_order_id="flx-o-1", amount=1)
    TradingControl.objects.create()
    DailyEquity.objects.create(user=trader, mode="paper", day=WHEN.date(), equity=1000)
    OutboxEvent.objects.create(group="user.1", type="notification", payload={})
    ErrorRecord.objects.create(kind="log", message="boom")
    LogEntry.objects.log_actions(
        user_id=staff_user.pk, queryset=[trader], action_flag=ADDITION, change_message="added", single_object=True
    )
    Group.objects.create(name="Support")
    interval = IntervalSchedule.objects.create(every=5, period="minutes")
    PeriodicTask.objects.create(name="test task", task="gatekeeper.tasks.expire_overrides", interval=interval)
    CrontabSchedule.objects.create(minute="0", hour="3")
    SolarSchedule.objects.create(event="sunrise", latitude=0, longitude=0)
    ClockedSchedule.objects.create(clocked_time=WHEN)
    seed = b32encode(device.bin_key).decode().rstrip("=")
    return [API_KEY, API_SECRET, token_key, token.key_hash, device.key, seed, *codes]


def _registered():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_model_is_registered_or_left_out_for_a_stated_reason():
    from django.apps import apps

    missing = {m._meta.label for m in apps.get_models()} - {m._meta.label for m in _registered()}
    assert missing == set(NOT_REGISTERED)


def test_every_admin_list_and_detail_opens_for_staff_and_shows_no_secret(staff_client, everything):
    opened = []
    for model in _registered():
        opts = model._meta
        obj = model._default_manager.order_by("pk").first()
        assert obj is not None, f"the test made no {opts.label} row"
        for url in (
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]),
        ):
            response = staff_client.get(url)
            assert response.status_code == 200, url
            page = response.content.decode()
            leaked = [secret for secret in everything if secret in page]
            assert not leaked, f"{url} shows a secret"
            opened.append(url)
    assert "/admin/accounts/exchangecredential/" in opened and "/admin/otp_totp/totpdevice/" in opened


def test_no_form_offers_to_type_a_2fa_key_or_a_credential(staff_client, db):
    for url in ("/admin/otp_totp/totpdevice/add/", "/admin/otp_static/staticdevice/add/",
                "/admin/accounts/exchangecredential/add/"):  # fmt: skip
        assert staff_client.get(url).status_code == 403, url


def test_audit_trails_and_exchange_records_cannot_be_edited_or_deleted(staff_client, everything):
    for label in ("adminpanel.staffaction", "trading.trade", "trading.tradeorder", "trading.dailyequity",
                  "market.candle", "accounts.notification", "admin.logentry"):  # fmt: skip
        app_label, model_name = label.split(".")
        model = ContentType.objects.get_by_natural_key(app_label, model_name).model_class()
        obj = model._default_manager.order_by("pk").first()
        change = reverse(f"admin:{app_label}_{model_name}_change", args=[obj.pk])
        page = staff_client.get(change).content.decode()
        assert 'name="_save"' not in page, label
        delete = reverse(f"admin:{app_label}_{model_name}_delete", args=[obj.pk])
        assert staff_client.post(delete, {"post": "yes"}).status_code == 403, label
        assert model._default_manager.filter(pk=obj.pk).exists()


def test_one_readable_section_per_app(staff_client, db):
    apps = staff_client.get("/admin/").context["app_list"]
    names = [app["name"] for app in apps]
    assert len(names) == len(set(names)), names
    assert {"Users and security", "Sign-in email addresses", "Two-factor: authenticator apps",
            "Two-factor: recovery codes", "Back office"} <= set(names)  # fmt: skip
    assert not any(name.startswith("Otp_") for name in names)


def test_times_read_in_utc_24_hour_as_the_app_writes_them(staff_client, everything):
    page = staff_client.get("/admin/market/candle/").content.decode()
    assert "2026-12-05 09:30:00 UTC" in page
    action = staff_client.get("/admin/adminpanel/staffaction/").content.decode()
    assert timezone.now().strftime("%Y-%m-%d %H:") in action and "UTC" in action
    assert " a.m." not in action and " p.m." not in action


def test_staff_actions_are_shown_read_only_with_who_what_and_why(staff_client, everything):
    page = staff_client.get("/admin/adminpanel/staffaction/").content.decode()
    assert "staff@example.com" in page and "trader@example.com" in page and "fraud review" in page
    assert ExchangeCredential.objects.filter(user__email="trader@example.com").exists()


@pytest.mark.parametrize(
    "url", ["/admin/accounts/user/", "/admin/trading/trade/", "/admin/trading/tradeorder/", "/admin/gatekeeper/access/",
            "/admin/adminpanel/staffaction/"],
)  # fmt: skip
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30(staff_client, staff_user, url):
    def rows(count):
        for _ in range(count):
            trader = UserFactory()
            TOTPDevice.objects.create(user=trader, name="app", confirmed=True)
            trade = make_trade(trader)
            TradeOrder.objects.create(trade=trade, role="ENTRY", side="buy", client_order_id=f"o-{trade.pk}", amount=1)
            user_suspend(user=trader, actor=staff_user, reason="x")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(url).status_code == 200
        return len(captured)

    rows(3)
    few = queries()
    rows(27)
    assert queries() == few


def test_the_index_names_models_in_plain_words(staff_client, db):
    names = [model["name"] for app in staff_client.get("/admin/").context["app_list"] for model in app["models"]]
    assert {"Authenticator apps", "Recovery code sets", "Start-of-day equity"} <= set(names)
    assert not {"TOTP devices", "Static devices", "Daily equitys"} & set(names)
