"""'Export my data' holds every kind of row an account owns: walked from the models, so none is forgotten."""

import json
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.services.gdpr import export_coverage
from accounts.services.otp import recovery_codes_regenerate
from tests.accounts.otp_helpers import sign_in_past_2fa


def _paths_to_user(model, seen=()) -> list[str]:
    """Every chain of foreign keys / one-to-ones from `model` to the user, as ORM lookups ("backtest__user")."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for field in model._meta.concrete_fields:
        target = field.related_model if (field.many_to_one or field.one_to_one) else None
        if target is None or target in seen or target is model:
            continue
        if target is user_model:
            found.append(field.name)
        else:
            found += [f"{field.name}__{rest}" for rest in _paths_to_user(target, (*seen, model))]
    return found


def test_every_model_that_belongs_to_a_user_is_exported_or_excluded_with_a_reason():
    owned = {(m._meta.label, path) for m in apps.get_models() for path in _paths_to_user(m)}
    assert ("market.PriceAlert", "user") in owned and ("trading.BacktestTrade", "backtest__user") in owned
    coverage = export_coverage()
    forgotten = sorted(owned - set(coverage))
    assert not forgotten, f"in accounts/services/gdpr.py, export these or exclude them with a reason: {forgotten}"
    assert all(reason.strip() for reason in coverage.values())
    stale = sorted(set(coverage) - owned)
    assert not stale, f"entries for models or paths that no longer exist: {stale}"


def test_the_export_holds_alerts_with_notes_backtests_access_history_and_2fa_devices_without_secrets(client, user):
    PriceAlert = apps.get_model("market", "PriceAlert")
    Backtest = apps.get_model("trading", "Backtest")
    BacktestTrade = apps.get_model("trading", "BacktestTrade")
    AccessCheck = apps.get_model("gatekeeper", "AccessCheck")
    Notification = apps.get_model("accounts", "Notification")
    now = timezone.now()
    PriceAlert.objects.create(
        user=user,
        exchange="bingx",
        symbol="BTC/USDT:USDT",
        condition="above",
        price=Decimal("123456.5"),
        note="take profit on the swing long",
    )
    backtest = Backtest.objects.create(
        user=user, exchange="bingx", symbol="ETH/USDT:USDT", timeframe="1h", start=now, end=now
    )
    BacktestTrade.objects.create(
        backtest=backtest,
        number=1,
        setup="fvg",
        confidence=80,
        side="long",
        entry_time=now,
        entry_price=Decimal("3000"),
        stop_loss=Decimal("2950"),
        take_profit_1=Decimal("3100"),
        size=Decimal("0.5"),
        notional=Decimal("1500"),
        exit_time=now,
        exit_price=Decimal("3100"),
        exit_reason="tp",
        gross_pnl=Decimal("50"),
        fees=Decimal("1.2"),
        funding=Decimal("0"),
        pnl=Decimal("48.8"),
        bars_held=3,
        equity_before=Decimal("10000"),
    )
    AccessCheck.objects.create(
        user=user,
        source="user",
        policy="rolling",
        previous_level="NONE",
        outcome="LIMITED",
        code="not_referred",
        inputs={"uid": "2001"},
        error="GET http://10.0.0.5/internal 500",
    )
    Notification.objects.create(user=user, kind="alert", title="BTC/USDT above 123,456.5")
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    codes = recovery_codes_regenerate(user=user, request=None)
    sign_in_past_2fa(client, user, device)

    raw = client.post("/account/data/export/").content.decode()
    data = json.loads(raw)

    assert data["price_alerts"][0]["note"] == "take profit on the swing long"
    assert Decimal(data["price_alerts"][0]["price"]) == Decimal("123456.5")  # money as an exact string
    assert data["backtests"][0]["symbol"] == "ETH/USDT:USDT"
    assert data["backtest_trades"][0]["backtest"] == data["backtests"][0]["id"]
    assert data["access_checks"][0]["inputs"] == {"uid": "2001"}
    assert data["notifications"][0]["title"] == "BTC/USDT above 123,456.5"
    assert data["two_factor_apps"][0]["name"] == "Authenticator app"
    assert data["recovery_code_sets"][0]["unused_codes"] == 10
    assert "error" not in data["access_checks"][0] and "10.0.0.5" not in raw
    for secret in (device.key, *codes):
        assert secret not in raw
