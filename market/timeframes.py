"""The candle timeframes FLAXU stores, charts, replays and trades on, and their lengths: the one table.

Lengths come from ccxt's ``Exchange.parse_timeframe`` (the exchanges' own labels), so a timeframe added
here needs nothing else. No Django: the simulator and the engines import it too.
"""

from __future__ import annotations

from ccxt.base.exchange import Exchange

TIMEFRAMES: tuple[str, ...] = ("1m", "5m", "15m", "1h", "1d")
TIMEFRAME_SECONDS: dict[str, int] = {timeframe: Exchange.parse_timeframe(timeframe) for timeframe in TIMEFRAMES}


def timeframe_seconds(timeframe: str) -> int:
    """Seconds in one candle of ``timeframe`` (``"15m"`` -> 900), any label ccxt knows (``"4h"``, ``"1w"``)."""
    return int(Exchange.parse_timeframe(timeframe))
