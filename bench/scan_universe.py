"""A full market scan: 500 symbols x 4 timeframes (1m, 5m, 15m, 1h) x 1,000 candles through ``analyze``.

2,000 seeded synthetic series (trading.engine.synthetic; generating them is not timed), then the total
time of one pass over all of them, next to the 1 s target:

- ``analyze`` alone (every detector and the scoring run; the event and signal tables are built only
  when read);
- ``analyze`` and reading ``.signals`` (what a scan that stores signals does) - the headline figure;
- ``analyze_mtf`` per symbol over its four timeframes, signals read (for scale: the same work plus the
  higher-timeframe context).

The numba functions come from their on-disk cache (``cache=True``); one warm-up call loads them (or
compiles them on a fresh checkout) and is timed apart. Each figure is the best of a few passes.
Figures only, nothing is asserted.

    .venv/bin/python bench/scan_universe.py [PASSES]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trading.engine import analyze, analyze_mtf  # noqa: E402
from trading.engine.synthetic import generate_candles  # noqa: E402

SYMBOLS = 500
TIMEFRAMES = ("1h", "15m", "5m", "1m")
CANDLES = 1_000
TARGET_S = 1.0
VOLATILITY = {"1m": 0.001, "5m": 0.002, "15m": 0.0035, "1h": 0.007}


def universe() -> list[dict[str, object]]:
    return [
        {tf: generate_candles(CANDLES, seed=1000 * s + i, timeframe=tf, volatility=VOLATILITY[tf],
                              start="2024-06-01")
         for i, tf in enumerate(TIMEFRAMES)}
        for s in range(SYMBOLS)
    ]


def best_of(passes: int, run) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    passes = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    symbols = universe()
    frames = [frame for symbol in symbols for frame in symbol.values()]

    start = time.perf_counter()
    _ = analyze(frames[0]).signals, analyze_mtf(symbols[0]).signals
    warm_up = time.perf_counter() - start

    counts = {}

    def analyze_only():
        for frame in frames:
            analyze(frame)

    def analyze_and_signals():
        counts["signals"] = sum(len(analyze(frame).signals) for frame in frames)

    def multi_timeframe():
        counts["mtf signals"] = sum(len(analyze_mtf(symbol).signals) for symbol in symbols)

    figures = [
        ("analyze", best_of(passes, analyze_only)),
        ("analyze + signals table", best_of(passes, analyze_and_signals)),
        ("analyze_mtf per symbol + signals", best_of(passes, multi_timeframe)),
    ]
    print(f"{SYMBOLS} symbols x {len(TIMEFRAMES)} timeframes x {CANDLES:,} candles = {len(frames):,} series, "
          f"{len(frames) * CANDLES:,} candles; numba warm-up {warm_up:.2f} s excluded (cache load or compile)")
    print(f"{'':<36}{'seconds':>9}{'per series':>13}{'target':>9}")
    for name, seconds in figures:
        print(f"{name:<36}{seconds:>9.3f}{seconds / len(frames) * 1e6:>10.0f} us{'< ' + f'{TARGET_S:g} s':>9}")
    print(f"signals found: {counts['signals']:,} (analyze), {counts['mtf signals']:,} (analyze_mtf)")


if __name__ == "__main__":
    main()
