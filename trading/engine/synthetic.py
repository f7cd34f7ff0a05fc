"""Seeded synthetic OHLCV candles that look like a crypto perpetual: for tests and benchmarks.

Log returns follow a GARCH(1,1) with standardised Student-t shocks (volatility clustering, fat tails),
plus a slowly switching drift regime (up / flat / down) so that trends, breaks of structure and
pullbacks appear. Each candle opens at the previous close; wicks are fat-tailed and scale with the
current volatility; volume rises with volatility and with the size of the move. Optionally prices sit
on a tick grid, which produces exact ties (equal highs and lows) like real order books do.

Pure numpy; the same seed and parameters always give the same candles.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from trading.engine.timeframes import timeframe_to_offset, timeframe_to_timedelta

COLUMNS = ("open", "high", "low", "close", "volume")


def generate_candles(
    n: int,
    *,
    seed: int = 0,
    timeframe: str = "5m",
    start: str | pd.Timestamp = "2024-01-01",
    price: float = 100.0,
    volatility: float = 0.002,
    garch_alpha: float = 0.08,
    garch_beta: float = 0.90,
    dof: float = 4.0,
    trend: float = 0.08,
    regime_bars: float = 300.0,
    wick: float = 0.6,
    volume: float = 1_000.0,
    tick: float | None = None,
) -> pd.DataFrame:
    """``n`` candles with a UTC DatetimeIndex at ``timeframe`` and float64 open/high/low/close/volume.

    ``volatility`` is the long-run standard deviation of one bar's log return; ``garch_alpha`` and
    ``garch_beta`` its clustering (alpha + beta < 1); ``dof`` the Student-t degrees of freedom (> 2;
    lower is fatter-tailed); ``trend`` the drift of a trending regime in units of the current volatility
    and ``regime_bars`` the mean regime length; ``wick`` the wick size in units of volatility;
    ``tick`` rounds prices to a grid (None: continuous prices).
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    if not dof > 2:
        raise ValueError(f"dof must be > 2 (finite variance), got {dof}")
    if not (garch_alpha >= 0 and garch_beta >= 0 and garch_alpha + garch_beta < 1):
        raise ValueError("GARCH needs alpha >= 0, beta >= 0 and alpha + beta < 1")
    if not (price > 0 and volatility > 0 and volume > 0 and regime_bars >= 1):
        raise ValueError("price, volatility and volume must be > 0 and regime_bars >= 1")
    if tick is not None and not tick > 0:
        raise ValueError(f"tick must be > 0, got {tick}")

    rng = np.random.default_rng(seed)
    t_scale = math.sqrt((dof - 2.0) / dof)  # unit variance Student-t
    shocks = rng.standard_t(dof, n) * t_scale

    # GARCH(1,1) variance recursion: truly sequential, a plain loop over Python floats.
    omega = volatility**2 * (1.0 - garch_alpha - garch_beta)
    sigma = np.empty(n)
    returns = np.empty(n)
    var = volatility**2
    for i, z in enumerate(shocks.tolist()):
        s = math.sqrt(var)
        r = s * z
        sigma[i] = s
        returns[i] = r
        var = omega + garch_alpha * r * r + garch_beta * var

    # Drift regimes: a new regime starts with probability 1/regime_bars each bar.
    new_regime = rng.random(n) < 1.0 / regime_bars
    regime_id = np.cumsum(new_regime)
    regime_dir = rng.choice(np.array([-1.0, 0.0, 1.0]), size=int(regime_id[-1]) + 1 if n else 1)
    drift = trend * sigma * regime_dir[regime_id] if n else np.empty(0)

    log_close = math.log(price) + np.cumsum(returns + drift)
    close = np.exp(log_close)
    open_ = np.empty(n)
    if n:
        open_[0] = price
        open_[1:] = close[:-1]
    body_high = np.maximum(open_, close)
    body_low = np.minimum(open_, close)
    wick_up = np.abs(rng.standard_t(dof, n)) * t_scale * wick * sigma
    wick_down = np.abs(rng.standard_t(dof, n)) * t_scale * wick * sigma
    high = body_high * np.exp(wick_up)
    low = body_low * np.exp(-wick_down)

    activity = (0.5 + np.abs(returns) / sigma) * (sigma / volatility) if n else np.empty(0)
    vol = volume * activity * rng.lognormal(0.0, 0.25, n)

    if tick is not None:
        open_ = np.round(open_ / tick) * tick
        close = np.round(close / tick) * tick
        high = np.maximum(np.round(high / tick) * tick, np.maximum(open_, close))
        low = np.minimum(np.round(low / tick) * tick, np.minimum(open_, close))
        low = np.maximum(low, tick)

    first = pd.Timestamp(start)
    first = first.tz_localize("UTC") if first.tzinfo is None else first.tz_convert("UTC")
    index = pd.date_range(first, periods=n, freq=timeframe_to_offset(timeframe), name="time")
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": vol},
        index=index,
        dtype=np.float64,
    )


def resample(candles: pd.DataFrame, timeframe: str, *, complete_only: bool = True) -> pd.DataFrame:
    """Aggregate candles to a higher ``timeframe`` (buckets labelled by their open time, UTC epoch aligned).

    With ``complete_only`` a bucket is kept only if every lower-timeframe candle of it is present, so a
    still-forming higher-timeframe candle at the end never appears (the engine expects closed candles).
    """
    target = timeframe_to_timedelta(timeframe)
    if len(candles) == 0:
        return candles.iloc[:0].copy()
    source = (candles.index[1] - candles.index[0]) if len(candles) > 1 else target
    grouped = candles.resample(timeframe_to_offset(timeframe), label="left", closed="left", origin="epoch")
    out = grouped.agg({"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"})
    counts = grouped["close"].count()
    keep = counts >= (target // source) if complete_only else counts > 0
    return out[keep].astype(np.float64)
