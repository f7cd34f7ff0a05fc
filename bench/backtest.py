"""Backtester speed on one year of 1-minute candles (525,600), next to the 5 s target.

Data: seeded synthetic candles from ``trading.engine.synthetic`` (a local seeded random walk when that
module is not there). Signals: the real ``trading.engine.analyze`` on the 5-minute resample (seeded,
ATR-sized generated signals at about 50 a day when ``analyze`` is not there); the output says which.

Timed, median of a few runs, after one warm-up call that compiles the numba walk (its time is printed
apart):
- the signals over the 5-minute candles, ambiguous candles walked on the 1-minute candles;
- the same signals placed on the 1-minute candles and walked over all 525,600 of them;
- the sniper detector over the same 525,600 1-minute candles (no target; for scale).

    .venv/bin/python bench/backtest.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trading.engine.backtest import run_backtest  # noqa: E402
from trading.engine.sniper import detect  # noqa: E402

MINUTES = 525_600
TARGET_S = 5.0
SEED = 7


def _local_candles(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    returns = rng.standard_t(4, n) * 0.0008
    close = 100.0 * np.exp(np.cumsum(returns))
    open_ = np.concatenate(([100.0], close[:-1]))
    high = np.maximum(open_, close) * (1 + rng.exponential(0.0003, n))
    low = np.minimum(open_, close) * (1 - rng.exponential(0.0003, n))
    index = pd.date_range("2024-01-01", periods=n, freq="1min", tz="UTC")
    return pd.DataFrame(
        {"open": open_, "high": high, "low": low, "close": close, "volume": rng.lognormal(3.0, 1.0, n)}, index=index
    )


def one_minute_candles() -> tuple[pd.DataFrame, str]:
    try:
        from trading.engine.synthetic import generate_candles
    except ImportError:
        return _local_candles(MINUTES, SEED), "local seeded random walk (trading.engine.synthetic absent)"
    return generate_candles(MINUTES, seed=SEED, timeframe="1m"), "trading.engine.synthetic.generate_candles"


def _generated_signals(candles: pd.DataFrame, per_day: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = len(candles)
    bars_per_day = 288
    chosen = np.flatnonzero(rng.random(n - 1) < per_day / bars_per_day)
    high, low, close = (candles[c].to_numpy() for c in ("high", "low", "close"))
    atr = pd.Series(high - low).ewm(alpha=1 / 14, adjust=False).mean().to_numpy()
    side = rng.choice([1.0, -1.0], len(chosen))
    entry = close[chosen]
    risk = 1.5 * atr[chosen]
    return pd.DataFrame(
        {
            "confirmed": chosen,
            "time": candles.index[chosen],
            "direction": np.where(side > 0, "LONG", "SHORT"),
            "entry": entry,
            "stop_loss": entry - side * risk,
            "take_profit_1": entry + 2 * side * risk,
            "take_profit_2": entry + 3 * side * risk,
            "confidence": rng.integers(50, 101, len(chosen)).astype(float),
            "setup": rng.choice(["swing_ob", "fvg", "sweep"], len(chosen)),
        }
    )


def five_minute_signals(candles_5m: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    try:
        from trading.engine import analyze
    except ImportError:
        return _generated_signals(candles_5m, 50.0, SEED), "generated, ~50/day (trading.engine.analyze absent)"
    start = time.perf_counter()
    signals = analyze(candles_5m).signals
    took = time.perf_counter() - start
    return signals, f"trading.engine.analyze on the 5m resample ({took:.2f} s)"


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main(runs: int = 3) -> int:
    candles_1m, data_source = one_minute_candles()
    candles_5m = candles_1m.resample("5min").agg(
        {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}
    )
    signals, signal_source = five_minute_signals(candles_5m)
    # The same signals on the 1-minute candles: known at the close of the last minute of their 5m bar.
    ends = candles_5m.index[signals["confirmed"].to_numpy()] + pd.Timedelta(minutes=5)
    on_minutes = signals.assign(confirmed=np.searchsorted(candles_1m.index, ends, side="left") - 1)

    start = time.perf_counter()
    run_backtest(candles_5m.iloc[:500], signals[signals["confirmed"] < 490])
    warm = time.perf_counter() - start

    t5, r5 = _median_time(lambda: run_backtest(candles_5m, signals, minute_candles=candles_1m), runs)
    t1, r1 = _median_time(lambda: run_backtest(candles_1m, on_minutes), runs)
    ts, alerts = _median_time(lambda: detect(candles_1m, symbol="SYN"), runs)

    print(f"data:     {len(candles_1m):,} 1m candles ({len(candles_5m):,} at 5m) from {data_source}")
    print(f"signals:  {len(signals):,} from {signal_source}")
    print(f"warm-up:  {warm:.2f} s (first call: numba compiles the walk, or loads it from its cache)")
    print(f"{'':58}{'time':>9}{'target':>10}")
    rows = [
        (f"backtest 5m + 1m walk ({r5.stats.trades:,} trades)", t5, f"< {TARGET_S:.0f} s"),
        (f"backtest on all 1m candles ({r1.stats.trades:,} trades)", t1, f"< {TARGET_S:.0f} s"),
        (f"sniper scan, 1m candles ({len(alerts):,} alerts)", ts, "-"),
    ]
    for label, took, target in rows:
        print(f"{label:58}{took:>8.3f}s{target:>10}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:2])))
