"""The arbitrage scanner: vectorized numpy scan vs a plain per-pair Python loop over the same books.

4 exchanges x 500 symbols x depth 20 (12 ordered venue pairs per symbol, 6,000 pairs), seeded random
books around a common mid price with small per-venue offsets and an occasional real gap, so some pairs
pay and most do not. Times ``scan`` on books already stacked into arrays (what the service keeps), the
stacking itself, and ``scan_reference`` (two pointers per pair, the specification); checks that both
return the same opportunities and prints the medians side by side. The target for ``scan`` is < 20 ms.
``scan`` only walks the pairs whose first unit pays; the worst case (a threshold every pair meets, so all
6,000 pairs are walked level by level) is timed too.

    .venv/bin/python bench/arbitrage.py [RUNS]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from market.arbitrage import VenueBook, scan, scan_reference, stack_books

EXCHANGES = ("bingx", "binanceusdm", "okx", "bybit")
FEES = {"bingx": 0.0005, "binanceusdm": 0.0005, "okx": 0.0005, "bybit": 0.00055}
SYMBOLS, DEPTH = 500, 20
MIN_NET_PCT = 0.5
TARGET_MS = 20.0
WALK_ALL_PCT = -100.0


def books(seed: int = 7) -> dict[str, list[VenueBook]]:
    rng = np.random.default_rng(seed)
    out = {}
    for s in range(SYMBOLS):
        mid = float(np.exp(rng.uniform(np.log(0.01), np.log(60_000))))
        tick = mid * 1e-4
        venues = []
        for exchange in EXCHANGES:
            offset = rng.normal(0, 0.001)
            if rng.random() < 0.02:  # an occasional real gap
                offset += rng.choice([-1, 1]) * rng.uniform(0.006, 0.02)
            venue_mid = mid * (1 + offset)
            steps = np.cumsum(rng.integers(1, 4, DEPTH)) * tick
            sizes = rng.lognormal(0, 1, (2, DEPTH)) * 1000 / mid
            bids = np.column_stack([venue_mid - tick / 2 - steps + tick, sizes[0]])
            asks = np.column_stack([venue_mid + tick / 2 + steps - tick, sizes[1]])
            venues.append(VenueBook(exchange, bids.tolist(), asks.tolist(), FEES[exchange]))
        out[f"C{s}/USDT:USDT"] = venues
    return out


def _median_ms(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1e6


def main(runs: int = 30) -> int:
    data = books()
    stacked = stack_books(data, depth=DEPTH)
    fast, slow = scan(stacked, MIN_NET_PCT), scan_reference(data, MIN_NET_PCT)
    same = [(o.symbol, o.buy_exchange, o.sell_exchange) for o in fast] == [
        (o.symbol, o.buy_exchange, o.sell_exchange) for o in slow
    ] and all(abs(a.profit - b.profit) <= 1e-9 * max(1.0, abs(b.profit)) for a, b in zip(fast, slow, strict=True))
    for _ in range(3):
        scan(stacked, MIN_NET_PCT)
    vectorized = _median_ms(lambda: scan(stacked, MIN_NET_PCT), runs)
    stacking = _median_ms(lambda: stack_books(data, depth=DEPTH), max(5, runs // 3))
    loop = _median_ms(lambda: scan_reference(data, MIN_NET_PCT), max(3, runs // 6))
    # Worst case: a threshold every pair meets, so every pair's books are walked to the end on both sides.
    walk_all = _median_ms(lambda: scan(stacked, WALK_ALL_PCT), max(5, runs // 3))
    loop_all = _median_ms(lambda: scan_reference(data, WALK_ALL_PCT), 3)
    pairs = SYMBOLS * len(EXCHANGES) * (len(EXCHANGES) - 1)
    print(f"arbitrage scan: {len(EXCHANGES)} exchanges x {SYMBOLS} symbols x depth {DEPTH} ({pairs} venue pairs)")
    print(f"  opportunities found           {len(fast):>10}   (same as the loop: {same})")
    print(f"  numpy scan (stacked books)    {vectorized:>10.2f} ms   target < {TARGET_MS:.0f} ms")
    print(f"  stack_books (lists -> arrays) {stacking:>10.2f} ms")
    print(f"  plain Python loop per pair    {loop:>10.2f} ms   ({loop / vectorized:.0f}x the numpy scan)")
    print(f"worst case, every pair walked to full depth (min_net_pct={WALK_ALL_PCT}):")
    print(f"  numpy scan (stacked books)    {walk_all:>10.2f} ms")
    print(f"  plain Python loop per pair    {loop_all:>10.2f} ms   ({loop_all / walk_all:.0f}x the numpy scan)")
    return 0 if same and vectorized < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 30))
