"""Trading settings as the engines' types. The values and their defaults are declared once, in
``flaxu/settings.py`` (and documented in the README); nothing here re-defaults them."""

from __future__ import annotations

from django.conf import settings

from trading.engine import EngineConfig
from trading.engine.evidence import EvidenceConfig
from trading.engine.outcomes import OutcomeConfig
from trading.engine.sniper import SniperConfig


def signal_min_confidence() -> int:
    """Signals strictly above this confidence are auto-executable (FLAXU_SIGNAL_MIN_CONFIDENCE)."""
    return settings.FLAXU_SIGNAL_MIN_CONFIDENCE


def signal_symbols() -> list[str] | None:
    """Symbols the live engine runs on (FLAXU_SIGNAL_SYMBOLS); None: the market source's universe."""
    return list(settings.FLAXU_SIGNAL_SYMBOLS) or None


def signal_timeframes() -> list[str]:
    """Timeframes the live engine runs on (FLAXU_SIGNAL_TIMEFRAMES)."""
    return list(settings.FLAXU_SIGNAL_TIMEFRAMES)


def signal_lookback_bars() -> int:
    """Stored candles each live run analyses (FLAXU_SIGNAL_LOOKBACK_BARS): covers zone_max_age and warm-up."""
    return settings.FLAXU_SIGNAL_LOOKBACK_BARS


def signal_backfill_bars() -> int:
    """On a series' first run, signals of this many latest bars are saved (FLAXU_SIGNAL_BACKFILL_BARS)."""
    return settings.FLAXU_SIGNAL_BACKFILL_BARS


def evidence_config() -> EvidenceConfig:
    """How walk-forward evidence is built (FLAXU_EVIDENCE_MIN_SAMPLES outcomes per class)."""
    return EvidenceConfig(min_samples=settings.FLAXU_EVIDENCE_MIN_SAMPLES)


def outcome_config() -> OutcomeConfig:
    """How a signal is followed to its outcome: the backtester's costs, the engine's default expiry."""
    return OutcomeConfig()


def engine_config(**overrides) -> EngineConfig:
    """The engine's configuration: its defaults, FLAXU_SIGNAL_MIN_CONFIDENCE, then ``overrides``."""
    return EngineConfig(min_confidence=signal_min_confidence()).with_(**overrides)


def backtest_max_candles() -> int:
    """A backtest may cover at most this many candles of its timeframe (FLAXU_BACKTEST_MAX_CANDLES)."""
    return settings.FLAXU_BACKTEST_MAX_CANDLES


def calibration_max_candles() -> int:
    """Candles per series the calibration backtests read (FLAXU_CALIBRATION_MAX_CANDLES)."""
    return settings.FLAXU_CALIBRATION_MAX_CANDLES


def sniper_config() -> SniperConfig:
    """The sniper rule's thresholds (FLAXU_SNIPER_*)."""
    return SniperConfig(
        window_minutes=settings.FLAXU_SNIPER_WINDOW_MINUTES,
        pump_pct=settings.FLAXU_SNIPER_PUMP_PCT,
        dump_pct=settings.FLAXU_SNIPER_DUMP_PCT,
        min_cleared_pct=settings.FLAXU_SNIPER_MIN_CLEARED_PCT,
        reversal=settings.FLAXU_SNIPER_REVERSAL,
    )


def sniper_recent_minutes() -> int:
    """A scan saves alerts on bars of the last this many minutes (covers missed scans), FLAXU_SNIPER_RECENT_MINUTES."""
    return settings.FLAXU_SNIPER_RECENT_MINUTES


def backtest_status_rate() -> str:
    """Throttle of the backtest status endpoint the page polls every second (FLAXU_THROTTLE_BACKTEST_STATUS)."""
    return settings.FLAXU_THROTTLE_BACKTEST_STATUS
