"""Every parameter and confluence weight of the ICT / price-action engine, in one frozen object.

The engine reads nothing from Django settings: the shell passes ``EngineConfig(min_confidence=...)``
built from ``FLAXU_SIGNAL_MIN_CONFIDENCE``. Sizes are in bars of the analysed timeframe, distances in
multiples of that timeframe's ATR, weights in confidence points (the sum is clipped to 0..100).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from trading.engine.costs import SLIPPAGE_BPS, TAKER_FEE


@dataclass(frozen=True, slots=True)
class EngineConfig:
    """Detector parameters, signal arithmetic and confluence weights (all documented inline)."""

    # --- volatility -------------------------------------------------------------------------------
    atr_period: int = 14  # Wilder ATR, the unit of every distance below

    # --- pivots (pivots.py) -----------------------------------------------------------------------
    swing_size: int = 50  # a swing pivot is confirmed this many bars after it
    internal_size: int = 5  # the same for internal structure (and equal highs/lows)

    # --- order blocks (order_blocks.py) -----------------------------------------------------------
    ob_max_candle_atr: float = 2.0  # candles with high-low > this x ATR are never the block candle
    zone_max_age: int = 1000  # bars a zone/pool is tracked after its confirmation; older ones are dropped

    # --- fair value gaps (fvg.py) -----------------------------------------------------------------
    fvg_min_atr: float = 0.1  # gap >= this x ATR (0 disables)
    fvg_min_body: float = 0.0  # gap >= this x body of the middle candle (0 disables)

    # --- liquidity (liquidity.py) -----------------------------------------------------------------
    pool_atr: float = 0.1  # two pivots are "equal" when within this x ATR
    pool_lookback: int = 10  # how many earlier same-side pivots a new pivot is compared with

    # --- volume profile / premium-discount (volume_profile.py) ------------------------------------
    profile_window: int = 100  # bars in the rolling window, ending at the signal bar
    profile_bins: int = 24
    value_area: float = 0.70  # share of the window's volume inside the value area

    # --- signal arithmetic (scoring.py) -----------------------------------------------------------
    sl_atr_buffer: float = 0.25  # stop = invalidation level -/+ this x ATR
    tp1_rr: float = 2.0  # take profit 1 at 1:2
    tp2_rr: float = 3.0  # take profit 2 at 1:3
    max_risk_atr: float = 4.0  # skip setups whose stop is farther than this x ATR from the entry
    confluence_lookback: int = 20  # a sweep / CHoCH counts as confluence this many bars after it
    min_confidence: int = 75  # signals strictly above this are marked executable

    # --- costs (costs.py: the backtester's cost model) ------------------------------------------------
    taker_fee: float = TAKER_FEE  # per market fill, a fraction of the notional (0.05 %)
    slippage_bps: float = SLIPPAGE_BPS  # per market fill, against the trader (1 bp)
    # A setup whose stop is closer than this many round-trip costs (market in and out: 0.12 % of the price
    # by default) is not a signal: at 3 the costs take at most 1/3 R and a 1:2 target still nets >= 1.25 R
    # after them. 0 disables the filter.
    min_stop_cost_multiple: float = 3.0
    report_confidence: int = 50  # setups scoring below this are not reported at all (0: report every setup)

    # --- confluence weights (confidence points) ---------------------------------------------------
    w_ob: float = 35.0  # setup: first retest of an order block
    w_breaker: float = 30.0  # setup: first retest of a breaker block
    w_mb: float = 25.0  # setup: first retest of a mitigation block
    w_fvg: float = 25.0  # setup: first retest of a fair value gap
    w_sweep: float = 30.0  # setup: liquidity sweep (wick through equal highs/lows, close back inside)
    w_swing_scope: float = 5.0  # the setup's zone comes from swing (not internal) structure
    w_swing_bias: float = 15.0  # swing trend agrees with the trade
    w_internal_bias: float = 10.0  # internal trend agrees
    w_counter_trend: float = -15.0  # swing trend opposes the trade
    w_recent_sweep: float = 15.0  # a sweep in the trade's direction within confluence_lookback bars
    w_recent_choch: float = 10.0  # a CHoCH (either scope) in the trade's direction, same window
    w_zone_confluence: float = 10.0  # another zone of the same direction is retested on the same bar
    w_premium_discount: float = 10.0  # long in discount / short in premium of the profile window
    w_volume_profile: float = 5.0  # long at or below the POC / short at or above it
    w_rejection: float = 5.0  # the signal candle closes in the trade's direction, in its far half
    w_htf_bias: float = 10.0  # per higher timeframe whose swing trend agrees (analyze_mtf)
    w_htf_counter: float = -10.0  # per higher timeframe whose swing trend opposes
    w_htf_zone: float = 10.0  # the entry sits inside an active higher-timeframe zone of the same direction

    def __post_init__(self) -> None:
        positive_ints = (
            "atr_period",
            "swing_size",
            "internal_size",
            "zone_max_age",
            "pool_lookback",
            "profile_window",
            "profile_bins",
            "confluence_lookback",
        )
        for name in positive_ints:
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"EngineConfig.{name} must be a positive integer, got {value!r}")
        non_negative = (
            "ob_max_candle_atr",
            "fvg_min_atr",
            "fvg_min_body",
            "pool_atr",
            "sl_atr_buffer",
            "taker_fee",
            "slippage_bps",
            "min_stop_cost_multiple",
        )
        for name in non_negative:
            if not getattr(self, name) >= 0:
                raise ValueError(f"EngineConfig.{name} must be >= 0, got {getattr(self, name)!r}")
        if not 0 < self.value_area <= 1:
            raise ValueError(f"EngineConfig.value_area must be in (0, 1], got {self.value_area!r}")
        if not 0 < self.tp1_rr <= self.tp2_rr:
            raise ValueError(f"EngineConfig needs 0 < tp1_rr <= tp2_rr, got {self.tp1_rr!r}, {self.tp2_rr!r}")
        if not self.max_risk_atr > 0:
            raise ValueError(f"EngineConfig.max_risk_atr must be > 0, got {self.max_risk_atr!r}")
        for name in ("min_confidence", "report_confidence"):
            if not 0 <= getattr(self, name) <= 100:
                raise ValueError(f"EngineConfig.{name} must be in 0..100, got {getattr(self, name)!r}")

    def with_(self, **changes) -> EngineConfig:
        """A copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, float | int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT_CONFIG = EngineConfig()
