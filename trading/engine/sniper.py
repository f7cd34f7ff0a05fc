"""Sniper detector: violent 5-minute moves that swept most of the estimated liquidations.

Pure: 1-minute candles in (a UTC DatetimeIndex and float64 ``open, high, low, close, volume``, optionally
``open_interest``), a DataFrame of alerts out. No Django, no I/O.

Rule, evaluated at the close of every 1-minute bar ``t`` (confirmation delay: none, the alert is known
at the close of the bar it is reported on, and uses only bars ``<= t``):

1. **Window.** The bars whose open time lies in ``(time[t] - window_minutes, time[t]]`` (five 1-minute
   bars by default; a time window, so gaps in the data never stretch it).
2. **Move.** ``pump %  = 100 * (close[t] / lowest low of the window  - 1)`` and
   ``dump % = 100 * (close[t] / highest high of the window - 1)``. The window's extreme is the price the
   move started from (its *origin*): every price inside the window traded before ``close[t]``. A pump
   needs ``pump % >= pump_pct`` (+5), a dump ``dump % <= dump_pct`` (-10). Both bounds are inclusive
   (to 1e-9 percentage points, so float rounding never drops a move of exactly -10 %). If one window
   qualifies both ways, the larger move relative to its threshold wins.
3. **Liquidations cleared.** ``cleared % = 100 * share of the estimated liquidations of the side the
   move hurts (shorts for a pump, longs for a dump) lying between the origin and close[t]``, read from
   a :class:`LiquidationMap` as known at the close of the bar just before the window (positions that
   existed when the move began). The alert needs ``cleared % >= min_cleared_pct`` (75, inclusive).
4. **One alert per move.** After an alert, the same move kind (pump or dump) stays silent until that
   move has ended, not for a fixed time (a steady hour-long pump is one move, one alert). The move is
   the alert's origin ``o`` and its extreme ``x`` so far (a pump: the highest high from the alert's
   window on, up to the bar being looked at; a dump: the lowest low). It has ended at the close of the
   first later bar ``r`` that either

   * **retraced** ``rearm_retrace`` (0.5) of it: a pump's ``low[r] <= x - rearm_retrace * (x - o)``,
     a dump's ``high[r] >= x + rearm_retrace * (o - x)`` (half the move given back), or
   * completes a **quiet window**: ``rearm_quiet_bars`` (30) consecutive bars on none of which the
     window qualified as that kind of move (step 2; the liquidation gate plays no part).

   The kind is armed again from bar ``r + 1``. The opposite kind can alert at once (a crash after a
   pump is a new move). This is decided front to back from bars ``<= r``, so it is causal too.

Trade suggestion (the seed's rule): LONG after a pump, SHORT after a dump; ``reversal=True`` flips it.
``entry = close[t]`` (a one-click market order at the alert). The stop goes beyond the window's
extreme on the losing side of the trade plus an ATR buffer: LONG ``stop = window low  - atr_buffer*ATR``,
SHORT ``stop = window high + atr_buffer*ATR``, ATR being Wilder's ``atr_period`` ATR of the 1-minute
bars up to ``t``. ``take_profit = entry +/- reward_risk * |entry - stop|`` (1:2 by default).

Liquidation model (the default, :func:`estimate_liquidation_levels`: the market issue's heatmap model
rebuilt from candles alone, so scans and backtests over history need no recorded heatmap): every bar of
the last ``entry_lookback`` bars (4 h) opened positions at its typical price ``P = (high + low + close)
/ 3``, weighted by its traded notional ``volume * P`` (or by the open-interest increase ``max(d
open_interest, 0) * P`` when the candles carry ``open_interest``: only new positions can be liquidated).
Each is spread over the leverage tiers ``L`` (5/10/25/50/100x) with their weights; longs are liquidated
at ``P * (1 - 1/L + mmr)``, shorts at ``P * (1 + 1/L - mmr)`` (``market.liquidation_map.LeverageTiers``,
the one tier model the heatmap uses too). A level is gone once price traded through it after its entry
bar (the low reached a long level, the high a short level). "Cleared between two prices" is the weight
of the relevant side's remaining levels inside ``[min(a, b), max(a, b)]`` over that side's total
remaining weight. Total open interest scales every weight alike, so it cancels out of the share. The
tiers are the heatmap's own object (5x 10 %, 10x 15 %, 25x 25 %, 50x 25 %, 100x 25 %, mmr 0.5 %), so the
estimate and the heatmap agree. With every position opened at the move's origin, a 10 % dump clears the
10x-100x longs (90 %) and a 5 % pump the 25x-100x shorts (exactly 75 %, on the gate); positions opened
above a pump's origin (or below a dump's) lower both. So the gate passes nearly every 10 % dump and only
pumps that ran through shorts packed near their origin: on seeded random walks with injected moves, 94 %
of dumps and none of the 5-6 % pumps passed (pump medians ~64 %). That selectivity follows the model's
parameters; the live heatmap (``market.liquidation_map.HeatmapState``, a :class:`LiquidationMap`) can be
passed as ``liquidations`` instead of this estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd
from numba import njit

from market.liquidation_map import DEFAULT_TIERS, LeverageTiers
from trading.engine import indicators

_EPS_PCT = 1e-9  # percentage points: inclusive thresholds survive float rounding


@dataclass(frozen=True)
class LiquidationModelConfig:
    """Parameters of the default liquidation estimate: the heatmap's tier model, over recent entries."""

    tiers: LeverageTiers = DEFAULT_TIERS  # market.liquidation_map's, shared with the heatmap
    entry_lookback: int = 240  # bars of entries that may still be open (4 h of 1-minute bars)

    def __post_init__(self) -> None:
        if self.entry_lookback < 1:
            raise ValueError("entry_lookback must be at least 1 bar")


@dataclass(frozen=True)
class SniperConfig:
    """Thresholds of the sniper rule (see the module docstring)."""

    window_minutes: int = 5
    pump_pct: float = 5.0
    dump_pct: float = -10.0
    min_cleared_pct: float = 75.0
    rearm_retrace: float = 0.5  # the move ended once this share of it is given back (step 4)
    rearm_quiet_bars: int = 30  # ... or after this many bars in a row without a qualifying window
    reversal: bool = False
    atr_period: int = 14
    atr_buffer: float = 0.5
    reward_risk: float = 2.0
    liquidations: LiquidationModelConfig = field(default_factory=LiquidationModelConfig)

    def __post_init__(self) -> None:
        if self.pump_pct <= 0 or self.dump_pct >= 0:
            raise ValueError("pump_pct must be > 0 and dump_pct < 0")
        if self.window_minutes < 1 or self.rearm_quiet_bars < 1:
            raise ValueError("window_minutes and rearm_quiet_bars must be >= 1")
        if not 0 < self.rearm_retrace <= 1:
            raise ValueError("rearm_retrace must be in (0, 1]")


@runtime_checkable
class LiquidationMap(Protocol):
    """Anything that can say which share of estimated liquidations lies between two prices."""

    def cleared_share(self, price_from: float, price_to: float) -> float:
        """Share in [0, 1] of the liquidations a move from ``price_from`` to ``price_to`` sweeps.

        A rise sweeps short liquidations, a fall long ones.
        """
        ...


# The map as known at the close of bar i (historical scans); a plain LiquidationMap is used for every bar.
LiquidationSource = Callable[[int], LiquidationMap]


@dataclass(frozen=True)
class LiquidationLevels:
    """Estimated liquidation prices with weights, one array pair per side; a :class:`LiquidationMap`."""

    long_prices: np.ndarray
    long_weights: np.ndarray
    short_prices: np.ndarray
    short_weights: np.ndarray

    def cleared_share(self, price_from: float, price_to: float) -> float:
        if price_to >= price_from:
            prices, weights = self.short_prices, self.short_weights
        else:
            prices, weights = self.long_prices, self.long_weights
        total = float(weights.sum())
        if total <= 0.0:
            return 0.0
        lo, hi = min(price_from, price_to), max(price_from, price_to)
        inside = (prices >= lo) & (prices <= hi)
        return float(weights[inside].sum()) / total


def estimate_liquidation_levels(
    candles: pd.DataFrame, bar: int, config: LiquidationModelConfig | None = None
) -> LiquidationLevels:
    """The default estimate of outstanding liquidation levels as known at the close of ``bar``.

    Reads only bars ``<= bar``. See the module docstring for the model.
    """
    config = config or LiquidationModelConfig()
    start = max(0, bar - config.entry_lookback + 1)
    high = candles["high"].to_numpy(np.float64)[start : bar + 1]
    low = candles["low"].to_numpy(np.float64)[start : bar + 1]
    close = candles["close"].to_numpy(np.float64)[start : bar + 1]
    typical = (high + low + close) / 3.0
    if "open_interest" in candles.columns:
        oi = candles["open_interest"].to_numpy(np.float64)[max(0, start - 1) : bar + 1]
        added = np.diff(oi) if start > 0 else np.concatenate(([0.0], np.diff(oi)))
        weight = np.clip(np.nan_to_num(added), 0.0, None) * typical
    else:
        weight = candles["volume"].to_numpy(np.float64)[start : bar + 1] * typical

    # Extremes reached strictly after each entry bar, up to `bar`: a level beyond them was swept.
    later_low = np.minimum.accumulate(low[::-1])[::-1]
    later_high = np.maximum.accumulate(high[::-1])[::-1]
    later_low = np.append(later_low[1:], np.inf)
    later_high = np.append(later_high[1:], -np.inf)

    tiers = config.tiers
    leverage = np.asarray(tiers.leverage, dtype=np.float64)[None, :]
    tier_w = np.asarray(tiers.weights, dtype=np.float64)
    long_px = tiers.long_price(typical[:, None], leverage)
    short_px = tiers.short_price(typical[:, None], leverage)
    w = weight[:, None] * tier_w[None, :]
    long_alive = long_px < later_low[:, None]
    short_alive = short_px > later_high[:, None]
    return LiquidationLevels(
        long_prices=long_px[long_alive],
        long_weights=w[long_alive],
        short_prices=short_px[short_alive],
        short_weights=w[short_alive],
    )


def candle_liquidation_source(candles: pd.DataFrame, config: LiquidationModelConfig | None = None) -> LiquidationSource:
    """A :data:`LiquidationSource` built on the candles themselves (the default estimator)."""
    config = config or LiquidationModelConfig()
    return lambda bar: estimate_liquidation_levels(candles, bar, config)


ALERT_COLUMNS = [
    "symbol",
    "bar",
    "time",
    "move",
    "change_pct",
    "cleared_pct",
    "direction",
    "entry",
    "stop_loss",
    "take_profit",
    "origin_price",
    "atr",
]


def detect(
    candles: pd.DataFrame,
    config: SniperConfig | None = None,
    *,
    symbol: str = "",
    liquidations: LiquidationMap | LiquidationSource | None = None,
) -> pd.DataFrame:
    """Sniper alerts over one symbol's 1-minute candles, one row per move (columns :data:`ALERT_COLUMNS`).

    ``liquidations``: ``None`` estimates levels from the candles (:func:`estimate_liquidation_levels`);
    a :class:`LiquidationMap` (e.g. the live heatmap now) is used for every bar; a callable ``bar ->
    LiquidationMap`` gives the map as known at the close of that bar (historical scans).
    """
    config = config or SniperConfig()
    n = len(candles)
    if n == 0:
        return _empty_alerts(candles.index.dtype)
    if isinstance(liquidations, LiquidationMap):
        static = liquidations

        def source(_bar: int) -> LiquidationMap:
            return static
    elif liquidations is None:
        source = candle_liquidation_source(candles, config.liquidations)
    else:
        source = liquidations

    times = candles.index
    window = f"{config.window_minutes}min"
    window_low = candles["low"].rolling(window).min().to_numpy(np.float64)
    window_high = candles["high"].rolling(window).max().to_numpy(np.float64)
    close = candles["close"].to_numpy(np.float64)
    up_pct = (close / window_low - 1.0) * 100.0
    down_pct = (close / window_high - 1.0) * 100.0
    is_pump = up_pct >= config.pump_pct - _EPS_PCT
    is_dump = down_pct <= config.dump_pct + _EPS_PCT
    both = is_pump & is_dump
    pump_wins = up_pct / config.pump_pct >= down_pct / config.dump_pct
    is_pump = is_pump & (~both | pump_wins)
    is_dump = is_dump & (~both | ~pump_wins)

    candidates = np.flatnonzero(is_pump | is_dump)
    if len(candidates) == 0:
        return _empty_alerts(candles.index.dtype)
    # First bar of each candidate's window; the map is read as of the bar before it.
    window_start = np.searchsorted(times.asi8, (times[candidates] - pd.Timedelta(window)).asi8, side="right")

    high = candles["high"].to_numpy(np.float64)
    low = candles["low"].to_numpy(np.float64)
    armed_from = {"PUMP": 0, "DUMP": 0}
    rows: list[tuple[int, str, float, float]] = []
    for bar, start in zip(candidates.tolist(), window_start.tolist(), strict=True):
        move = "PUMP" if is_pump[bar] else "DUMP"
        if bar < armed_from[move]:
            continue
        origin = window_low[bar] if move == "PUMP" else window_high[bar]
        if start < 1 and not isinstance(liquidations, LiquidationMap):
            continue  # no history before the window: nothing known about open positions
        cleared_pct = 100.0 * float(source(start - 1).cleared_share(origin, close[bar]))
        if cleared_pct < config.min_cleared_pct - _EPS_PCT:
            continue
        up = move == "PUMP"
        extreme = window_high[bar] if up else window_low[bar]
        qualifies = is_pump if up else is_dump
        end = _move_end(
            high, low, qualifies, bar, origin, extreme, 1 if up else -1, config.rearm_retrace, config.rearm_quiet_bars
        )
        armed_from[move] = end + 1
        change = up_pct[bar] if up else down_pct[bar]
        rows.append((bar, move, float(change), cleared_pct))

    if not rows:
        return _empty_alerts(candles.index.dtype)
    bars = np.array([r[0] for r in rows], dtype=np.int64)
    moves = np.array([r[1] for r in rows], dtype=object)
    atr = indicators.atr(candles["high"], candles["low"], candles["close"], config.atr_period)[bars]
    pump = moves == "PUMP"
    long = pump != config.reversal
    entry = close[bars]
    stop = np.where(long, window_low[bars] - config.atr_buffer * atr, window_high[bars] + config.atr_buffer * atr)
    take_profit = entry + config.reward_risk * (entry - stop)
    return pd.DataFrame(
        {
            "symbol": symbol,
            "bar": bars,
            "time": times[bars],
            "move": moves,
            "change_pct": [r[2] for r in rows],
            "cleared_pct": [r[3] for r in rows],
            "direction": np.where(long, "LONG", "SHORT"),
            "entry": entry,
            "stop_loss": stop,
            "take_profit": take_profit,
            "origin_price": np.where(pump, window_low[bars], window_high[bars]),
            "atr": atr,
        },
        columns=ALERT_COLUMNS,
    ).pipe(_typed, times.dtype)


@njit(cache=True, nogil=True)
def _move_end(high, low, qualifies, alert, origin, extreme, direction, retrace, quiet):
    """The bar at whose close the move alerted on at ``alert`` has ended (step 4); ``len`` if not yet."""
    n = high.shape[0]
    calm = 0
    for t in range(alert + 1, n):
        if direction > 0:
            extreme = max(extreme, high[t])
            if low[t] <= extreme - retrace * (extreme - origin):
                return t
        else:
            extreme = min(extreme, low[t])
            if high[t] >= extreme + retrace * (origin - extreme):
                return t
        calm = 0 if qualifies[t] else calm + 1
        if calm >= quiet:
            return t
    return n


def scan(
    universe: Mapping[str, pd.DataFrame],
    config: SniperConfig | None = None,
    *,
    latest_only: bool = False,
    liquidations: Mapping[str, LiquidationMap | LiquidationSource] | None = None,
) -> pd.DataFrame:
    """Alerts for many symbols at once; ``latest_only`` keeps those on each symbol's last bar (live scan)."""
    frames = []
    for symbol, candles in universe.items():
        alerts = detect(candles, config, symbol=symbol, liquidations=(liquidations or {}).get(symbol))
        if latest_only:
            alerts = alerts[alerts["bar"] == len(candles) - 1]
        if len(alerts):
            frames.append(alerts)
    if not frames:
        return _empty_alerts(candles.index.dtype)
    return pd.concat(frames, ignore_index=True)


def ticks_to_candles(ticks: pd.DataFrame, *, price: str = "price", amount: str = "amount") -> pd.DataFrame:
    """1-minute OHLCV from trades (a UTC DatetimeIndex, a price and an amount column); empty minutes dropped."""
    grouped = ticks.resample("1min")
    candles = grouped[price].ohlc()
    candles["volume"] = grouped[amount].sum()
    return candles.dropna(subset=["open"]).astype(np.float64)


def alerts_as_signals(alerts: pd.DataFrame) -> pd.DataFrame:
    """Alerts in the signal format the backtester reads (one target: ``take_profit_2`` is NaN)."""
    return pd.DataFrame(
        {
            "confirmed": alerts["bar"].to_numpy(np.int64),
            "time": alerts["time"].to_numpy(),
            "direction": alerts["direction"].to_numpy(),
            "entry": alerts["entry"].to_numpy(np.float64),
            "stop_loss": alerts["stop_loss"].to_numpy(np.float64),
            "take_profit_1": alerts["take_profit"].to_numpy(np.float64),
            "take_profit_2": np.nan,
            "confidence": alerts["cleared_pct"].to_numpy(np.float64),
            "reasons": [
                f"{m.lower()} {c:+.2f} %, {x:.0f} % liquidations cleared"
                for m, c, x in zip(alerts["move"], alerts["change_pct"], alerts["cleared_pct"], strict=True)
            ],
            "setup": "sniper_" + alerts["move"].str.lower(),
        }
    )


_TEXT_COLUMNS = ("symbol", "move", "direction")


def _typed(alerts: pd.DataFrame, time_dtype) -> pd.DataFrame:
    """The same dtypes whether or not there are alerts."""
    dtypes = {c: (str if c in _TEXT_COLUMNS else np.float64) for c in ALERT_COLUMNS}
    return alerts.astype({**dtypes, "bar": np.int64, "time": time_dtype})


def _empty_alerts(time_dtype) -> pd.DataFrame:
    return _typed(pd.DataFrame({c: pd.Series(dtype=object) for c in ALERT_COLUMNS}), time_dtype)
