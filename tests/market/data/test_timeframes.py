"""One timeframe table: what is stored, charted, replayed and offered in forms is the same list, and the
lengths are the exchanges' own (ccxt's parse_timeframe)."""

from __future__ import annotations

from market.models import Timeframe
from market.sources import TIMEFRAMES as SERVED
from market.timeframes import TIMEFRAME_SECONDS, TIMEFRAMES, timeframe_seconds
from trading.engine.timeframes import timeframe_to_timedelta


def test_every_layer_uses_the_one_table():
    assert TIMEFRAME_SECONDS == {"1m": 60, "5m": 300, "15m": 900, "1h": 3600, "1d": 86400}
    assert tuple(Timeframe.values) == TIMEFRAMES == SERVED
    for timeframe in (*TIMEFRAMES, "4h", "1w"):
        assert timeframe_to_timedelta(timeframe).total_seconds() == timeframe_seconds(timeframe)
