"""A full market scan: 500 symbols x 4 timeframes (1m, 5m, 15m, 1h) x 1,000 candles through ``analyze``.

2,000 seeded synthetic series (trading.engine.synthetic; generating them is not timed), then the total
time of one pass over all of them, next to the 1 s target:

- ``analyze`` alone (every detector and the scoring run; the event and signal tables are built only
  when read);
- ``analyze`` and reading ``.signals`` (what a scan that stores signals does);
- ``analyze_mtf`` per symbol over its four timeframes, signals read;
- the same plus the evidence lookup a new signal gets (``trading.engine.evidence.walk_forward_evidence``,
  the pure part of ``trading.services.evidence.signals_attach_evidence``), one lookup for all the scan's
  signals against a history of resolved outcomes (the outcomes of ``HISTORY_SERIES`` other seeded
  series, built untimed): the issue's headline figure (issue #12: < 1 s on one core); then the lookup
  alone, on the same signals.

The numba functions come from their on-disk cache (``cache=True``); one warm-up call loads them (or
compiles them on a fresh checkout) and is timed apart. Each figure is the best of a few passes.
Figures only, nothing is asserted; the load average is printed with them (the machine is shared).
``--profile`` runs the headline pass once more under cProfile and prints where its time goes.

    .venv/bin/python bench/scan_universe.py [PASSES] [--profile]
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from trading.engine import analyze, analyze_mtf  # noqa: E402
from trading.engine.evidence import walk_forward_evidence  # noqa: E402
from trading.engine.reliability import series_outcomes  # noqa: E402
from trading.engine.synthetic import generate_candles  # noqa: E402

SYMBOLS = 500
TIMEFRAMES = ("1h", "15m", "5m", "1m")
CANDLES = 1_000
TARGET_S = 1.0
VOLATILITY = {"1m": 0.001, "5m": 0.002, "15m": 0.0035, "1h": 0.007}
HISTORY_SERIES = 400  # 100 other symbols x 4 timeframes: about 20,000 resolved outcomes
EVIDENCE_COLUMNS = ["setup", "direction", "timeframe", "confidence"]


def universe(symbols: int = SYMBOLS, first_seed: int = 0) -> list[dict[str, pd.DataFrame]]:
    return [
        {
            tf: generate_candles(
                CANDLES, seed=1000 * s + i, timeframe=tf, volatility=VOLATILITY[tf], start="2024-06-01"
            )
            for i, tf in enumerate(TIMEFRAMES)
        }
        for s in range(first_seed, first_seed + symbols)
    ]


def outcome_history() -> pd.DataFrame:
    """Resolved outcomes of other symbols' signals, in the columns the live history has (untimed)."""
    parts = []
    for symbol in universe(HISTORY_SERIES // len(TIMEFRAMES), first_seed=SYMBOLS):
        for tf, frame in symbol.items():
            signals = analyze(frame).signals
            if not signals.empty:
                parts.append(series_outcomes(frame, signals, tf))
    return pd.concat(parts, ignore_index=True)[[*EVIDENCE_COLUMNS, "resolved_at", "tp1_hit", "r_after_costs"]]


def lookup_rows(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The columns the lookup reads, from all symbols' signal tables: one concatenation of the whole tables
    (block by block), then one selection, costs less than selecting the columns table by table (each
    selection copies a table's blocks: some 0.12 s a pass against 0.05 s)."""
    return pd.concat(tables, ignore_index=True)[[*EVIDENCE_COLUMNS, "known_at"]]


def best_of(passes: int, run) -> float:
    best = float("inf")
    for _ in range(passes):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    passes = int(numbers[0]) if numbers else 3
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

    def with_evidence():
        counts["evidence"] = len(walk_forward_evidence(history, lookup_rows([analyze_mtf(s).signals for s in symbols])))

    history = outcome_history()
    found = lookup_rows([analyze_mtf(symbol).signals for symbol in symbols])
    figures = [
        ("analyze", best_of(passes, analyze_only)),
        ("analyze + signals table", best_of(passes, analyze_and_signals)),
        ("analyze_mtf per symbol + signals", best_of(passes, multi_timeframe)),
        ("analyze_mtf + signals + evidence", best_of(passes, with_evidence)),
        ("(evidence lookup alone)", best_of(passes, lambda: walk_forward_evidence(history, found))),
    ]
    print(
        f"{SYMBOLS} symbols x {len(TIMEFRAMES)} timeframes x {CANDLES:,} candles = {len(frames):,} series, "
        f"{len(frames) * CANDLES:,} candles; numba warm-up {warm_up:.2f} s excluded (cache load or compile)"
    )
    print(f"{'':<36}{'seconds':>9}{'per series':>13}{'target':>9}")
    for name, seconds in figures:
        target = "" if name.startswith("(") else f"< {TARGET_S:g} s"
        print(f"{name:<36}{seconds:>9.3f}{seconds / len(frames) * 1e6:>10.0f} us{target:>9}")
    print(
        f"signals found: {counts['signals']:,} (analyze), {counts['mtf signals']:,} (analyze_mtf); "
        f"evidence looked up for {counts['evidence']:,} against {len(history):,} past outcomes"
    )
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} cores)")
    if "--profile" in sys.argv:
        profiler = cProfile.Profile()
        profiler.runcall(with_evidence)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(20)
        stats.sort_stats("cumulative").print_stats(r"trading/engine", 25)


if __name__ == "__main__":
    main()
