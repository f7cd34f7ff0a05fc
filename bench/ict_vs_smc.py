"""Our ICT pipeline vs the PyPI ``smartmoneyconcepts`` pipeline on the same 100,000 5-minute candles.

One seeded generator (trading.engine.synthetic), one run, both pipelines on the same DataFrame:

- ours: ``analyze(candles)`` with the default settings (swing 50, internal 5), both tables built
  (every event and every signal as DataFrames);
- theirs: ``smc.fvg``, ``smc.swing_highs_lows(swing_length=50)``, ``smc.bos_choch``, ``smc.ob``,
  ``smc.liquidity``: their whole pipeline.

Candles/s of both and the ratio, side by side with the targets (>= 1,000,000 candles/s, >= 100x). Our
first call compiles or loads the numba functions; that warm-up is timed apart and excluded. Each
figure is the best of a few runs (ours 7, theirs 3 by default): the least disturbed by whatever else
the machine is doing.

Then, for scale: how many order blocks each finds, and how many of each pipeline's labels in the first
90,000 bars change when the last 10,000 candles are not there yet (ours: none, by construction).
Figures only, nothing is asserted.

    .venv/bin/python bench/ict_vs_smc.py [RUNS]
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from trading.engine import analyze  # noqa: E402
from trading.engine.synthetic import generate_candles  # noqa: E402

N = 100_000
SEED = 2024
TARGET_RATE = 1_000_000
TARGET_RATIO = 100.0
CUT = 90_000

with contextlib.redirect_stdout(io.StringIO()):  # the package prints a banner on import
    from smartmoneyconcepts import smc


def ours(candles: pd.DataFrame):
    analysis = analyze(candles)
    return analysis, analysis.events, analysis.signals


def theirs(candles: pd.DataFrame) -> dict[str, pd.DataFrame]:
    swings = smc.swing_highs_lows(candles, swing_length=50)
    return {
        "fvg": smc.fvg(candles),
        "swings": swings,
        "bos_choch": smc.bos_choch(candles, swings),
        "ob": smc.ob(candles, swings),
        "liquidity": smc.liquidity(candles, swings),
    }


def timed(fn, candles, runs):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn(candles)
        times.append(time.perf_counter() - start)
    return min(times), result


def _changed(before: pd.Series, after: pd.Series) -> int:
    a = before.to_numpy(dtype=float)
    b = after.to_numpy(dtype=float)
    return int((~((a == b) | (np.isnan(a) & np.isnan(b)))).sum())


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    candles = generate_candles(N, seed=SEED, timeframe="5m")

    start = time.perf_counter()
    ours(candles.iloc[:2_000])
    warm_up = time.perf_counter() - start

    our_s, (_, events, signals) = timed(ours, candles, runs)
    their_s, found = timed(theirs, candles, max(1, (runs + 1) // 3))
    our_rate, their_rate = N / our_s, N / their_s

    print(f"{N:,} 5-minute candles (seed {SEED}); numba warm-up {warm_up:.2f} s excluded (compile or cache load)")
    print(f"{'':<28}{'seconds':>10}{'candles/s':>14}{'target':>16}")
    print(f"{'ours (analyze, all tables)':<28}{our_s:>10.3f}{our_rate:>14,.0f}{'>= ' + f'{TARGET_RATE:,}':>16}")
    print(f"{'smartmoneyconcepts 0.0.27':<28}{their_s:>10.3f}{their_rate:>14,.0f}{'':>16}")
    print(f"{'ratio':<28}{'':>10}{our_rate / their_rate:>13.1f}x{'>= ' + f'{TARGET_RATIO:.0f}x':>16}")

    breaks = int(events["kind"].isin(["bos", "choch"]).sum())
    their_breaks = int(found["bos_choch"][["BOS", "CHOCH"]].notna().any(axis=1).sum())
    print()
    executable = int(signals["executable"].sum())
    print(
        f"ours:   {len(events):,} events, {len(signals):,} signals ({executable:,} executable), "
        f"{breaks:,} breaks -> {int((events['kind'] == 'ob').sum()):,} order blocks"
    )
    print(f"theirs: {their_breaks:,} breaks -> {int(found['ob']['OB'].notna().sum()):,} order blocks")

    # Labels of the first CUT bars, with and without the last N - CUT candles.
    short = candles.iloc[:CUT]
    part = analyze(short)
    known = events[events["confirmed"] < CUT].reset_index(drop=True)
    common = min(len(part.events), len(known))
    differing = (part.events.iloc[:common] != known.iloc[:common]) & ~(
        part.events.iloc[:common].isna() & known.iloc[:common].isna()
    )
    ours_changed = int(differing.any(axis=1).sum()) + abs(len(part.events) - len(known))
    cut_found = theirs(short)
    their_changed = {
        "swings": _changed(cut_found["swings"]["HighLow"], found["swings"]["HighLow"].iloc[:CUT]),
        "bos_choch": _changed(
            cut_found["bos_choch"]["BOS"].fillna(0) + cut_found["bos_choch"]["CHOCH"].fillna(0),
            (found["bos_choch"]["BOS"].fillna(0) + found["bos_choch"]["CHOCH"].fillna(0)).iloc[:CUT],
        ),
        "ob": _changed(cut_found["ob"]["OB"], found["ob"]["OB"].iloc[:CUT]),
        "fvg": _changed(cut_found["fvg"]["FVG"], found["fvg"]["FVG"].iloc[:CUT]),
    }
    print()
    print(f"labels of the first {CUT:,} bars that change once the last {N - CUT:,} candles arrive:")
    print(f"  ours:   {ours_changed} (events confirmed before bar {CUT:,}: identical tables)")
    print("  theirs: " + ", ".join(f"{k} {v:,}" for k, v in their_changed.items()))


if __name__ == "__main__":
    main()
