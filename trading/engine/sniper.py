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
4. **One alert per move.** After an alert, the same move kind (pump or dump) stays silent for
   ``cooldown_bars`` bars; the opposite kind can alert at once (a crash after a pump is a new move).
   This is decided front to back, so it is causal too.

Trade suggestion (the seed's rule): LONG after a pump, SHORT after a dump; ``reversal=True`` flips it.
``entry = close[t]`` (a one-click market order at the alert). The stop goes beyond the window's
extreme on the losing side of the trade plus an ATR buffer: LONG ``stop = window low  - atr_buffer*ATR``,
SHORT ``stop = window high + atr_buffer*ATR``, ATR being Wilder's ``atr_period`` ATR of the 1-minute
bars up to ``t``. ``take_profit = entry +/- reward_risk * |entry - stop|`` (1:2 by default).

Liquidation model (the default, :func:`estimate_liquidation_levels`: the market issue's heatmap model
rebuilt from candles alone, so scans and backtests over history need no recorded heatmap): every bar
of the last ``entry_lookback`` bars (4 h) opened positions at its typical price
``P = (high + low + close) / 3``, weighted by its traded notional ``volume * P`` (or by the open-interest
increase ``max(d open_interest, 0) * P`` when the candles carry ``open_interest``: only new positions
can be liquidated). Each is spread over the leverage tiers ``L`` (5/10/25/50/100x) with
``tier_weights``; longs are liquidated at ``P * (1 - 1/L + mmr)``, shorts at
``P * (1 + 1/L - mmr)``. A level is gone once price traded through it after its entry bar (the low
reached a long level, the high a short level). "Cleared between two prices" is the weight of the
relevant side's remaining levels inside ``[min(a, b), max(a, b)]`` over that side's total remaining
weight. Total open interest scales every weight alike, so it cancels out of the share. The default tier
weights are those of ``market.liquidation_map`` (5x 10 %, 10x 15 %, 25x 25 %, 50x 25 %, 100x 25 %), so
the estimate and the heatmap agree. With every position opened at the move's origin, a 10 % dump clears
the 10x-100x longs (90 %) and a 5 % pump the 25x-100x shorts (exactly 75 %, on the gate); positions
opened above a pump's origin (or below a dump's) lower both. So the gate passes nearly every 10 % dump
and only pumps that ran through shorts packed near their origin: on seeded random walks with injected
moves, 94 % of dumps and none of the 5-6 % pumps passed (pump medians ~64 %). That selectivity follows
the model's parameters; the live heatmap (``market.liquidation_map.HeatmapState``, a
:class:`LiquidationMap`) can be passed as ``liquidations`` instead of this estimate.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd

from trading.engine import indicators

_EPS_PCT = 1e-9  # percentage points: inclusive thresholds survive float rounding


@dataclass(frozen=True)
class LiquidationModelConfig:
    """Parameters of the default liquidation estimate (the heatmap model of the market issue)."""

    leverage_tiers: tuple[float, ...] = (5.0, 10.0, 25.0, 50.0, 100.0)
    tier_weights: tuple[float, ...] = (0.10, 0.15, 0.25, 0.25, 0.25)  # market.liquidation_map's mix
    maintenance_margin: float = 0.005
    entry_lookback: int = 240  # bars of entries that may still be open (4 h of 1-minute bars)

    def __post_init__(self) -> None:
        if len(self.leverage_tiers) != len(self.tier_weights):
            raise ValueError("leverage_tiers and tier_weights must have the same length")
        if self.entry_lookback < 1:
            raise ValueError("entry_lookback must be at least 1 bar")


@dataclass(frozen=True)
class SniperConfig:
    """Thresholds of the sniper rule (see the module docstring)."""

    window_minutes: int = 5
    pump_pct: float = 5.0
    dump_pct: float = -10.0
    min_cleared_pct: float = 75.0
    cooldown_bars: int = 15
    reversal: bool = False
    atr_period: int = 14
    atr_buffer: float = 0.5
    reward_risk: float = 2.0
    liquidations: LiquidationModelConfig = field(default_factory=LiquidationModelConfig)

    def __post_init__(self) -> None:
        if self.pump_pct <= 0 or self.dump_pct >= 0:
            raise ValueError("pump_pct must be > 0 and dump_pct < 0")
        if self.window_minutes < 1 or self.cooldown_bars < 0:
            raise ValueError("window_minutes must be >= 1 and cooldown_bars >= 0")


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

    tiers = np.asarray(config.leverage_tiers, dtype=np.float64)
    tier_w = np.asarray(config.tier_weights, dtype=np.float64)
    mmr = config.maintenance_margin
    long_px = typical[:, None] * (1.0 - 1.0 / tiers + mmr)[None, :]
    short_px = typical[:, None] * (1.0 + 1.0 / tiers - mmr)[None, :]
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

    last_alert = {"PUMP": -(10**18), "DUMP": -(10**18)}
    rows: list[tuple[int, str, float, float]] = []
    for bar, start in zip(candidates.tolist(), window_start.tolist(), strict=True):
        move = "PUMP" if is_pump[bar] else "DUMP"
        if bar - last_alert[move] <= config.cooldown_bars:
            continue
        origin = window_low[bar] if move == "PUMP" else window_high[bar]
        if start < 1 and not isinstance(liquidations, LiquidationMap):
            continue  # no history before the window: nothing known about open positions
        cleared_pct = 100.0 * float(source(start - 1).cleared_share(origin, close[bar]))
        if cleared_pct < config.min_cleared_pct - _EPS_PCT:
            continue
        last_alert[move] = bar
        change = up_pct[bar] if move == "PUMP" else down_pct[bar]
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
