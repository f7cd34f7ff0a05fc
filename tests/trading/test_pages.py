"""The trading pages render for FULL users with what they promise: filters, the chart's data, reasons,
the calibration sentence, sniper alerts, the backtest form with field errors, results and the download."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.trading.factories import BTC, EXCHANGE, seed_candles
from trading.models import Backtest, Signal, SniperAlert
from trading.services.backtests import backtest_create, backtest_run
from trading.services.calibration import calibration_refresh
from trading.services.signals import signals_run

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return html.unescape(response.content.decode())


def json_script(response, element_id: str):
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


@pytest.fixture
def signals():
    seed_candles(1500)
    return signals_run(exchange=EXCHANGE, symbol=BTC, timeframe="5m")


def test_the_signal_list_shows_signals_and_filters(full_client, signals):
    page = full_client.get("/signals/")  # a first run's backfill: historical, none auto-executable
    assert page.status_code == 200
    body = text(page)
    assert 'id="signal-table"' in body and "js/signals.js" in body
    assert body.count("data-signal-id=") == 0 and "No signals match yet" in body
    assert json_script(page, "signal-filters-data") == {"executable": True}

    every = text(full_client.get("/signals/", {"show": "all"}))
    assert every.count("data-signal-id=") == min(len(signals), 50)
    assert f'href="/signals/{signals[-1].pk}/"' in every

    longs = full_client.get("/signals/", {"show": "all", "direction": "LONG", "min_confidence": 70})
    ids = re.findall(r'data-signal-id="(\d+)"', longs.content.decode())
    expected = Signal.objects.filter(direction="LONG", confidence__gte=70)
    assert sorted(map(int, ids)) == sorted(expected.values_list("pk", flat=True)[:50])
    assert json_script(longs, "signal-filters-data") == {"direction": "LONG", "min_confidence": 70, "executable": False}


def test_a_signal_page_has_the_chart_data_reasons_and_calibration(full_client, signals):
    signal = signals[-1]
    page = full_client.get(f"/signals/{signal.pk}/")
    assert page.status_code == 200
    body = text(page)
    assert 'id="signal-chart"' in body and "lightweight-charts.standalone.production.js" in body
    for reason in signal.reasons:
        assert reason in body
    assert "No backtested cases of setups like this yet" in body

    data = json_script(page, "signal-data")
    assert data["signal_time"] == int(signal.bar_time.timestamp())
    assert data["entry"] == float(signal.entry) and data["stop_loss"] == float(signal.stop_loss)
    assert data["candles"] and {"time", "open", "high", "low", "close"} == set(data["candles"][0])
    assert any(c["time"] == data["signal_time"] for c in data["candles"])
    assert data["events"] == signal.events
    assert {e["role"] for e in data["events"]} >= {"trigger"}

    calibration_refresh()
    body = text(full_client.get(f"/signals/{signal.pk}/"))
    assert re.search(r"Setups like this reached TP1 in (\d+ % of [\d,]+|[\d,]+ of only [\d,]+) backtested cases", body)


def test_the_sniper_panel_lists_alerts(full_client):
    SniperAlert.objects.create(
        exchange=EXCHANGE,
        symbol=BTC,
        time=datetime(2024, 3, 1, 6, 39, tzinfo=UTC),
        move="DUMP",
        change_pct=Decimal("-12.5874"),
        cleared_pct=Decimal("89.5969"),
        direction="SHORT",
        entry=Decimal("87.545911"),
        stop_loss=Decimal("100.595885"),
        take_profit=Decimal("61.445962"),
        origin_price=Decimal("100.152522"),
    )
    page = full_client.get("/signals/sniper/")
    assert page.status_code == 200
    body = text(page)
    assert 'id="sniper-table"' in body and "DUMP" in body and "-12.59 %" in body and "90 %" in body
    assert "87.5459" in body


def test_the_backtest_form_shows_field_errors(full_client):
    seed_candles(2000)
    page = full_client.get("/backtests/")
    assert page.status_code == 200 and 'id="backtest-form"' in page.content.decode()

    bad = full_client.post(
        "/backtests/",
        {
            "symbol": BTC,
            "timeframe": "5m",
            "start": "2024-01-05T00:00",
            "end": "2024-01-02T00:00",
            "min_confidence": 75,
            "swing_size": 50,
            "internal_size": 5,
            "sl_atr_buffer": 0.25,
            "tp1_rr": 2,
            "tp2_rr": 3,
            "initial_equity": 10000,
            "risk_pct": 20,
            "max_leverage": 10,
            "entry": "market",
            "tp1_close_pct": 50,
            "taker_fee_pct": 0.05,
            "maker_fee_pct": 0.02,
            "slippage_bps": 1,
            "funding_rate_pct": 0.01,
            "max_holding_bars": 0,
        },
    )
    assert bad.status_code == 400
    body = text(bad)
    assert "Ensure this value is less than or equal to 10." in body  # risk_pct, a field error
    assert not Backtest.objects.exists()

    reversed_period = full_client.post(
        "/backtests/",
        {
            "symbol": BTC,
            "timeframe": "5m",
            "start": "2024-01-05T00:00",
            "end": "2024-01-02T00:00",
            "min_confidence": 75,
            "swing_size": 50,
            "internal_size": 5,
            "sl_atr_buffer": 0.25,
            "tp1_rr": 2,
            "tp2_rr": 3,
            "initial_equity": 10000,
            "risk_pct": 1,
            "max_leverage": 10,
            "entry": "market",
            "tp1_close_pct": 50,
            "taker_fee_pct": 0.05,
            "maker_fee_pct": 0.02,
            "slippage_bps": 1,
            "funding_rate_pct": 0.01,
            "max_holding_bars": 0,
        },
    )
    assert reversed_period.status_code == 400
    assert 'id="end-errors"' in reversed_period.content.decode()
    assert "The period is reversed: the end is before the start." in text(reversed_period)

    good = full_client.post(
        "/backtests/",
        {
            "symbol": BTC,
            "timeframe": "5m",
            "start": "2024-01-02T00:00",
            "end": "2024-01-05T00:00",
            "min_confidence": 60,
            "swing_size": 50,
            "internal_size": 5,
            "sl_atr_buffer": 0.25,
            "tp1_rr": 2,
            "tp2_rr": 3,
            "initial_equity": 10000,
            "risk_pct": 1,
            "max_leverage": 10,
            "entry": "market",
            "tp1_close_pct": 50,
            "breakeven_after_tp1": "on",
            "taker_fee_pct": 0.05,
            "maker_fee_pct": 0.02,
            "slippage_bps": 1,
            "funding_rate_pct": 0.01,
            "max_holding_bars": 0,
            "use_minute_data": "on",
        },
    )
    backtest = Backtest.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/backtests/{backtest.pk}/"
    assert backtest.parameters["min_confidence"] == 60 and backtest.parameters["breakeven_after_tp1"] is True


def test_a_running_backtest_shows_progress_and_a_done_one_its_results(full_client, full_user):
    seed_candles(3000, seed=12)
    backtest = backtest_create(
        user=full_user,
        symbol=BTC,
        timeframe="5m",
        start=datetime(2024, 1, 3, tzinfo=UTC),
        end=datetime(2024, 1, 10, tzinfo=UTC),
        parameters={"min_confidence": 55},
    )
    page = text(full_client.get(f"/backtests/{backtest.pk}/"))
    assert 'data-status="queued"' in page and 'aria-valuenow="0"' in page and "js/backtests.js" in page
    assert f'data-status-url="/api/backtests/{backtest.pk}/"' in page
    assert 'id="backtest-stats"' not in page

    backtest_run(backtest_id=backtest.pk)
    backtest.refresh_from_db()
    response = full_client.get(f"/backtests/{backtest.pk}/")
    page = text(response)
    assert 'data-status="done"' in page and 'aria-valuenow="100"' in page and "100 %" in page
    assert 'id="backtest-stats"' in page and 'id="equity-chart"' in page and 'id="backtest-trades"' in page
    assert f'href="/backtests/{backtest.pk}/trades.csv"' in page and "Download trades (CSV)" in page
    assert page.count("<tr><td>") >= backtest.trades.count()
    assert json_script(response, "equity-data") == backtest.equity
    assert "Win rate" in page and "Max drawdown" in page and "Profit factor" in page

    listing = text(full_client.get("/backtests/"))
    assert f'href="/backtests/{backtest.pk}/"' in listing


def test_the_dashboard_card_shows_latest_signals_to_full_users(full_client, signals):
    body = text(full_client.get("/dashboard/"))
    assert f'href="/signals/{signals[-1].pk}/"' in body and 'href="/signals/"' in body
    assert 'href="/backtests/"' in body


def test_the_nav_links_to_the_signals_page(full_client, signals):
    body = full_client.get("/backtests/").content.decode()
    assert re.search(r'<a href="/signals/" aria-current="page">Signals</a>', body)


def test_the_dashboard_card_stays_locked_for_limited_users(limited_client, signals):
    body = text(limited_client.get("/dashboard/"))
    assert f'href="/signals/{signals[-1].pk}/"' not in body
    assert "Needs FULL access" in body


def test_old_signal_pages_still_render_when_candles_are_gone(full_client, signals):
    from market.models import Candle

    Candle.objects.all().delete()
    page = full_client.get(f"/signals/{signals[0].pk}/")
    assert page.status_code == 200
    assert "The candles around this signal are no longer stored." in text(page)
    assert timedelta(0) < signals[-1].known_at - signals[-1].bar_time
