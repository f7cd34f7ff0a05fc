"""Trading settings with their defaults, read in one place (``getattr`` so each has a default even before
``flaxu/settings.py`` declares it)."""

from __future__ import annotations

from django.conf import settings

from trading.engine import EngineConfig
from trading.engine.sniper import SniperConfig

DEFAULT_SIGNAL_TIMEFRAMES = ("5m", "15m", "1h")


def _get(name: str, default):
    return getattr(settings, name, default)


def signal_min_confidence() -> int:
    """Signals at or above this confidence are auto-executable (FLAXU_SIGNAL_MIN_CONFIDENCE, 75)."""
    return int(_get("FLAXU_SIGNAL_MIN_CONFIDENCE", 75))


def signal_symbols() -> list[str] | None:
    """Symbols the live engine runs on (FLAXU_SIGNAL_SYMBOLS); None: the market source's universe."""
    symbols = _get("FLAXU_SIGNAL_SYMBOLS", None)
    return list(symbols) if symbols else None


def signal_timeframes() -> list[str]:
    """Timeframes the live engine runs on (FLAXU_SIGNAL_TIMEFRAMES)."""
    return list(_get("FLAXU_SIGNAL_TIMEFRAMES", None) or DEFAULT_SIGNAL_TIMEFRAMES)


def signal_lookback_bars() -> int:
    """Stored candles each live run analyses (FLAXU_SIGNAL_LOOKBACK_BARS): covers zone_max_age and warm-up."""
    return int(_get("FLAXU_SIGNAL_LOOKBACK_BARS", 1500))


def signal_backfill_bars() -> int:
    """On a series' first run, signals of this many latest bars are saved (FLAXU_SIGNAL_BACKFILL_BARS)."""
    return int(_get("FLAXU_SIGNAL_BACKFILL_BARS", 300))


def engine_config(**overrides) -> EngineConfig:
    """The engine's configuration: its defaults, FLAXU_SIGNAL_MIN_CONFIDENCE, then ``overrides``."""
    return EngineConfig(min_confidence=signal_min_confidence()).with_(**overrides)


def backtest_max_candles() -> int:
    """A backtest may cover at most this many candles of its timeframe (FLAXU_BACKTEST_MAX_CANDLES)."""
    return int(_get("FLAXU_BACKTEST_MAX_CANDLES", 200_000))


def calibration_max_candles() -> int:
    """Candles per series the calibration backtests read (FLAXU_CALIBRATION_MAX_CANDLES)."""
    return int(_get("FLAXU_CALIBRATION_MAX_CANDLES", 20_000))


def sniper_config() -> SniperConfig:
    """The sniper rule's thresholds (FLAXU_SNIPER_*)."""
    return SniperConfig(
        window_minutes=int(_get("FLAXU_SNIPER_WINDOW_MINUTES", 5)),
        pump_pct=float(_get("FLAXU_SNIPER_PUMP_PCT", 5.0)),
        dump_pct=float(_get("FLAXU_SNIPER_DUMP_PCT", -10.0)),
        min_cleared_pct=float(_get("FLAXU_SNIPER_MIN_CLEARED_PCT", 75.0)),
        reversal=bool(_get("FLAXU_SNIPER_REVERSAL", False)),
    )


def sniper_recent_minutes() -> int:
    """A scan saves alerts on bars of the last this many minutes (covers missed scans), FLAXU_SNIPER_RECENT_MINUTES."""
    return int(_get("FLAXU_SNIPER_RECENT_MINUTES", 10))


def backtest_status_rate() -> str:
    """Throttle of the backtest status endpoint the page polls every second (FLAXU_THROTTLE_BACKTEST_STATUS)."""
    return str(_get("FLAXU_THROTTLE_BACKTEST_STATUS", "1800/15m"))
