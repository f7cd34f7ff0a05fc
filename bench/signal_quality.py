"""Signal quality on the seeded replay market, next to two baselines in the same run.

Candles: the replay simulator (``market.simulator``, seed 42) for a few symbols on one exchange, 15m and
1h, over ``DAYS`` days. Signals: ``trading.engine.analyze`` with its default configuration (every
reported signal). For each signal: its outcome from later candles (``trading.engine.outcomes``: entry
at the next open, taker fees both ways and slippage, expiry after 48 bars) and the walk-forward evidence
it had when it became known (``trading.engine.evidence``). Printed: the reliability table (predicted vs
realised TP1 rate per class and bucket, Brier, mean R after costs) for the engine, then the headline row
of the engine, of the same trades mirrored, and of random entries with the same stop distances (seed 7).
Figures only, nothing is asserted.

    .venv/bin/python bench/signal_quality.py [DAYS]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from market.simulator import ORIGIN_DAY, MarketSimulator  # noqa: E402
from market.simulator.base import DAY_SECONDS  # noqa: E402
from trading.engine import analyze  # noqa: E402
from trading.engine.evidence import EvidenceConfig  # noqa: E402
from trading.engine.reliability import (  # noqa: E402
    format_table,
    judge,
    mirrored,
    random_entries,
    reliability_table,
    series_outcomes,
)

SEED = 42
EXCHANGE = "binanceusdm"
SYMBOLS = ("BTC/USDT:USDT", "ETH/USDT:USDT", "SOL/USDT:USDT", "XRP/USDT:USDT")
TIMEFRAMES = ("15m", "1h")
DAYS = 90
BASELINE_SEED = 7


def replay_candles(sim: MarketSimulator, symbol: str, timeframe: str, days: int) -> pd.DataFrame:
    start = (ORIGIN_DAY + 200) * DAY_SECONDS
    end = start + days * DAY_SECONDS
    bars = sim.candles(EXCHANGE, symbol, timeframe, start, end, now=end)
    index = pd.to_datetime(bars.time, unit="s", utc=True)
    frame = pd.DataFrame(
        {"open": bars.open, "high": bars.high, "low": bars.low, "close": bars.close, "volume": bars.volume},
        index=index,
    )
    return frame.dropna()


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else DAYS
    sim = MarketSimulator(SEED, exchanges=(EXCHANGE,))
    began = time.perf_counter()
    engine, mirror, rand = [], [], []
    for symbol in SYMBOLS:
        for timeframe in TIMEFRAMES:
            candles = replay_candles(sim, symbol, timeframe, days)
            signals = analyze(candles).signals
            if signals.empty:
                continue
            engine.append(series_outcomes(candles, signals, timeframe))
            mirror.append(series_outcomes(candles, mirrored(signals), timeframe))
            rand.append(series_outcomes(candles, random_entries(candles, signals, seed=BASELINE_SEED), timeframe))
    config = EvidenceConfig()
    print(f"replay market seed {SEED}, {EXCHANGE}, {len(SYMBOLS)} symbols x {TIMEFRAMES}, {days} days")
    if not engine:
        print("no signals")
        return
    tables = {name: reliability_table(judge(pd.concat(parts), config)) for name, parts in
              (("engine", engine), ("mirrored", mirror), ("random", rand))}  # fmt: skip
    print("\nengine signals by class and confidence bucket:")
    print(format_table(tables["engine"]))
    print("\nheadline (all signals):")
    rows = [table.iloc[-1:].assign(**{"class": name}) for name, table in tables.items()]
    print(format_table(pd.concat(rows, ignore_index=True).drop(columns="bucket")))
    print(f"\n{time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
