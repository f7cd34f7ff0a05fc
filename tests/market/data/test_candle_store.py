"""Storing candles: upserts are idempotent (the later values win) and frames read back fast and typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from market.exchanges.types import Candle as Row
from market.models import Candle
from market.selectors.candles import candle_frame, candle_last_time, candles_latest
from market.services.candles import candles_upsert

pytestmark = pytest.mark.django_db
BTC = "BTC/USDT:USDT"
T = datetime(2026, 3, 10, tzinfo=UTC)


def rows(count: int, start: datetime = T, step: int = 60, price: str = "97000.5") -> list[Row]:
    base = Decimal(price)
    return [
        Row(
            time=start + timedelta(seconds=step * i),
            open=base + i,
            high=base + i + Decimal("10.25"),
            low=base + i - Decimal("9.75"),
            close=base + i + Decimal("1.5"),
            volume=Decimal("12.34567891"),
        )
        for i in range(count)
    ]


def test_upserting_twice_leaves_the_same_rows():
    candles_upsert("bingx", BTC, "1m", rows(100))
    first = list(Candle.objects.values_list("open_time", "open", "close", "volume"))
    candles_upsert("bingx", BTC, "1m", rows(100))
    assert Candle.objects.count() == 100
    assert list(Candle.objects.values_list("open_time", "open", "close", "volume")) == first


def test_the_later_values_win():
    candles_upsert("bingx", BTC, "1m", rows(10))
    changed = rows(10, price="1.000000000001")[5:7]
    candles_upsert("bingx", BTC, "1m", changed)
    stored = Candle.objects.get(open_time=T + timedelta(minutes=5))
    assert stored.open == Decimal("6.000000000001") and stored.close == Decimal("7.500000000001")
    assert Candle.objects.count() == 10


def test_series_are_kept_apart():
    candles_upsert("bingx", BTC, "1m", rows(5))
    candles_upsert("okx", BTC, "1m", rows(5))
    candles_upsert("bingx", BTC, "5m", rows(5, step=300))
    candles_upsert("bingx", "ETH/USDT:USDT", "1m", rows(5, price="3400"))
    assert Candle.objects.count() == 20
    assert len(candle_frame("okx", BTC, "1m")) == 5


def test_frame_has_a_utc_index_float_columns_and_is_oldest_first():
    shuffled = rows(50)
    candles_upsert("bingx", BTC, "1m", shuffled[25:] + shuffled[:25])
    frame = candle_frame("bingx", BTC, "1m")
    assert list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert all(frame[c].dtype == np.float64 for c in frame.columns)
    assert isinstance(frame.index, pd.DatetimeIndex) and str(frame.index.tz) == "UTC"
    assert frame.index.name == "time" and frame.index.is_monotonic_increasing
    assert frame.index[0] == pd.Timestamp(T) and len(frame) == 50
    assert frame["open"].iloc[0] == 97000.5 and frame["high"].iloc[3] == 97013.75
    assert frame["volume"].iloc[0] == pytest.approx(12.34567891)


def test_frame_start_end_and_limit():
    candles_upsert("bingx", BTC, "1m", rows(100))
    window = candle_frame("bingx", BTC, "1m", start=T + timedelta(minutes=10), end=T + timedelta(minutes=20))
    assert list(window.index) == [pd.Timestamp(T + timedelta(minutes=m)) for m in range(10, 20)]
    latest = candle_frame("bingx", BTC, "1m", limit=5)
    assert list(latest.index.minute) == [35, 36, 37, 38, 39] and latest.index.hour[0] == 1
    bounded = candle_frame("bingx", BTC, "1m", end=T + timedelta(minutes=50), limit=3)
    assert list(bounded.index.minute) == [47, 48, 49]


def test_an_empty_frame_keeps_its_shape():
    frame = candle_frame("bingx", BTC, "1h")
    assert frame.empty and list(frame.columns) == ["open", "high", "low", "close", "volume"]
    assert str(frame.index.dtype) == "datetime64[ns, UTC]"


def test_latest_candles_are_decimal_rows_for_apis():
    candles_upsert("bingx", BTC, "1m", rows(30))
    latest = candles_latest("bingx", BTC, "1m", limit=3)
    assert [c.time for c in latest] == [T + timedelta(minutes=m) for m in (27, 28, 29)]
    assert latest[0].open == Decimal("97027.5") and isinstance(latest[0].volume, Decimal)
    assert candle_last_time("bingx", BTC, "1m") == T + timedelta(minutes=29)
    assert candle_last_time("bingx", BTC, "1d") is None


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        candle_frame("bingx", BTC, "1m", start=datetime(2026, 1, 1))


def test_frame_columns_are_contiguous_arrays_for_the_engines():
    candles_upsert("bingx", BTC, "1m", rows(20))
    frame = candle_frame("bingx", BTC, "1m")
    for column in frame.columns:
        assert frame[column].to_numpy().flags["C_CONTIGUOUS"]
