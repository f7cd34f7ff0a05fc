"""A backtest's period is checked against the clock and the stored candles: an end in the future is
refused, a period with no candles is refused saying what is stored, and a period only partly stored is
accepted with the covered part stored and shown."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest

from market.sources import get_source
from tests.trading.factories import BTC, seed_candles
from trading.models import Backtest

pytestmark = pytest.mark.django_db
URL = "/api/backtests/"
FORM = {
    "symbol": BTC, "timeframe": "5m", "min_confidence": 60, "swing_size": 50, "internal_size": 5,
    "sl_atr_buffer": 0.25, "tp1_rr": 2, "tp2_rr": 3, "initial_equity": 10000, "risk_pct": 1, "max_leverage": 10,
    "entry": "market", "tp1_close_pct": 50, "taker_fee_pct": 0.05, "maker_fee_pct": 0.02, "slippage_bps": 1,
    "funding_rate_pct": 0.01, "max_holding_bars": 0,
}  # fmt: skip


@pytest.fixture
def candles():
    return seed_candles(2000)  # 2024-01-01 00:00 .. 2024-01-07 22:35, 5m


def post(client, **body):
    return client.post(URL, {"symbol": BTC, "timeframe": "5m", **body}, content_type="application/json")


def test_an_end_in_the_future_is_refused_by_the_api_and_the_page(full_client, candles):
    tomorrow = (get_source().now() + timedelta(days=1)).replace(second=0, microsecond=0)
    response = post(full_client, start="2024-01-02T00:00:00Z", end=tomorrow.isoformat())
    assert response.status_code == 400, response.content
    assert response.json()["errors"]["end"][0].startswith("The end is in the future: history can only be tested")

    end = tomorrow.strftime("%Y-%m-%dT%H:%M")
    page = full_client.post("/backtests/", {**FORM, "start": "2024-01-02T00:00", "end": end})
    assert page.status_code == 400
    body = html.unescape(page.content.decode())
    assert 'id="end-errors"' in body and "The end is in the future" in body
    assert not Backtest.objects.exists()


def test_a_period_without_candles_is_a_form_error_saying_what_is_stored(full_client, candles):
    page = full_client.post("/backtests/", {**FORM, "start": "2023-01-01T00:00", "end": "2023-02-01T00:00"})
    assert page.status_code == 400
    body = html.unescape(page.content.decode())
    assert 'id="form-errors"' in body
    assert "stored 5m history covers 2024-01-01 00:00 UTC to 2024-01-07 22:40 UTC" in body
    assert not Backtest.objects.exists()


def test_a_partly_stored_period_is_accepted_with_the_covered_part(full_client, candles):
    response = post(full_client, start="2023-12-25T00:00:00Z", end="2024-01-20T00:00:00Z")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["start"] == "2023-12-25T00:00:00Z" and body["end"] == "2024-01-20T00:00:00Z"
    assert body["effective_start"] == "2024-01-01T00:00:00Z" and body["effective_end"] == "2024-01-07T22:40:00Z"
    assert body["partial"] is True and body["candles"] == 2000

    page = html.unescape(full_client.get(body["url"]).content.decode())
    assert 'id="backtest-coverage"' in page
    assert "You asked for 2023-12-25 00:00 → 2024-01-20 00:00 UTC; candles are stored only for" in page
    assert "2024-01-01 00:00 → 2024-01-07 22:40 UTC, so this backtest covers that part." in page
    assert "(partial)" in html.unescape(full_client.get("/backtests/").content.decode())


def test_a_fully_stored_period_is_not_marked_partial(full_client, candles):
    # Edges within one candle of the data (start mid-candle, end one minute after the last close) are whole.
    response = post(full_client, start="2024-01-02T00:03:00Z", end="2024-01-07T22:41:00Z")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["partial"] is False
    assert (body["effective_start"], body["effective_end"]) == (body["start"], body["end"])
    assert 'id="backtest-coverage"' not in full_client.get(body["url"]).content.decode()
