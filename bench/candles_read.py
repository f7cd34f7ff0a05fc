"""Reading stored candles into numpy: ``candle_frame`` next to a plain ORM loop building the same arrays.

Stores N simulated 1-minute candles (default 1,000,000, one series) in a throw-away test database —
SQLite under a temporary FLAXU_VAR_DIR, or PostgreSQL when DATABASE_URL is set (Django creates and
drops ``test_<name>`` there, so the real database is never touched) — then times:

- ``candle_frame``: the selector the engines use (one query, database-side casts, numpy directly;
  binary COPY on PostgreSQL);
- ``values_list``: the same query as Python tuples, then numpy;
- ORM loop: model instances, Decimal → float per field, appended to lists, then numpy.

Prints the figures side by side (median of the repeats), never asserts.

    .venv/bin/python bench/candles_read.py [N] [REPEATS]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/flaxu .venv/bin/python bench/candles_read.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flaxu.settings")
os.environ["FLAXU_VAR_DIR"] = tempfile.mkdtemp(prefix="flaxu-bench-candles-")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
from django.db import connection  # noqa: E402

from market.models import Candle  # noqa: E402
from market.selectors.candles import candle_frame  # noqa: E402
from market.services.candles import candles_upsert  # noqa: E402
from market.sources.replay import ReplaySource  # noqa: E402

SYMBOL, EXCHANGE, TIMEFRAME = "BTC/USDT:USDT", "bingx", "1m"
CHUNK = 20_000


def fill(n: int) -> float:
    """Store n consecutive 1m candles from the replay; returns the seconds it took."""
    source = ReplaySource(seed=42, exchanges=[EXCHANGE])
    end = source.now().replace(second=0, microsecond=0)
    since = end.timestamp() - n * 60
    started = time.perf_counter()
    stored = 0
    while stored < n:
        page = source.ohlcv(
            EXCHANGE, SYMBOL, TIMEFRAME, since=datetime.fromtimestamp(since + stored * 60, UTC), limit=1500
        )
        page = page[: n - stored]
        for i in range(0, len(page), CHUNK):
            candles_upsert(EXCHANGE, SYMBOL, TIMEFRAME, page[i : i + CHUNK])
        stored += len(page)
        if stored % 100_000 < 1500:
            print(f"  stored {stored:,}", end="\r", flush=True)
    return time.perf_counter() - started


def read_frame() -> np.ndarray:
    frame = candle_frame(EXCHANGE, SYMBOL, TIMEFRAME)
    return frame.to_numpy()


def read_values_list() -> np.ndarray:
    rows = Candle.objects.filter(exchange=EXCHANGE, symbol=SYMBOL, timeframe=TIMEFRAME).order_by("open_time")
    values = rows.values_list("open", "high", "low", "close", "volume")
    return np.array([[float(x) for x in row] for row in values], dtype=np.float64)


def read_orm_loop() -> np.ndarray:
    columns: list[list[float]] = [[], [], [], [], []]
    rows = Candle.objects.filter(exchange=EXCHANGE, symbol=SYMBOL, timeframe=TIMEFRAME).order_by("open_time")
    for candle in rows.iterator(chunk_size=10_000):
        columns[0].append(float(candle.open))
        columns[1].append(float(candle.high))
        columns[2].append(float(candle.low))
        columns[3].append(float(candle.close))
        columns[4].append(float(candle.volume))
    return np.column_stack([np.array(c, dtype=np.float64) for c in columns])


def timed(fn, repeats: int) -> tuple[float, np.ndarray]:
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(n: int = 1_000_000, repeats: int = 3) -> int:
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}), candles: {n:,}")
        seconds = fill(n)
        print(f"\rstored {Candle.objects.count():,} candles with candles_upsert in {seconds:.1f} s")
        frame_s, frame = timed(read_frame, repeats)
        values_s, values = timed(read_values_list, repeats)
        loop_s, loop = timed(read_orm_loop, max(1, repeats - 2))
        assert frame.shape == values.shape == loop.shape == (n, 5)
        same = np.allclose(frame, loop, rtol=1e-12) and np.allclose(frame, values, rtol=1e-12)
        print()
        print(f"{'read into numpy':<34}{'median':>10}{'vs frame':>10}")
        print(f"{'candle_frame (selector)':<34}{frame_s * 1000:>8.0f}ms{1:>9.1f}x")
        print(f"{'values_list + np.array':<34}{values_s * 1000:>8.0f}ms{values_s / frame_s:>9.1f}x")
        print(f"{'ORM loop (model instances)':<34}{loop_s * 1000:>8.0f}ms{loop_s / frame_s:>9.1f}x")
        print(f"same values: {same}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    return 0


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    sys.exit(main(*args))
