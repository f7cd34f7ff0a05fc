"""Same seed, same market, in any process and in any order of questions; another seed, another market."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np

from market.simulator import DAY_SECONDS, MarketSimulator

from .conftest import BTC, ETH, T0

ROOT = Path(__file__).resolve().parents[3]
START = int(T0.timestamp()) // DAY_SECONDS * DAY_SECONDS - 3 * DAY_SECONDS
NOW = int(T0.timestamp())

FINGERPRINT = f"""
import hashlib, numpy as np
from market.simulator import MarketSimulator
def fingerprint(seed, start, now):
    sim = MarketSimulator(seed=seed)
    h = hashlib.sha256()
    for symbol in ("{BTC}", "{ETH}"):
        for tf in ("1m", "1h"):
            bars = sim.candles("okx", symbol, tf, start, now, now)
            for column in bars:
                h.update(np.ascontiguousarray(column).tobytes())
        book = sim.order_book("bybit", symbol, now, 20)
        h.update(book.bids.tobytes() + book.asks.tobytes())
        h.update(np.array(sim.funding("okx", symbol, now)).tobytes())
    events = sim.liquidations(now - 3600, now)
    for column in events:
        h.update(np.ascontiguousarray(column).tobytes())
    return h.hexdigest()
"""


def fingerprint(seed: int) -> str:
    scope: dict = {}
    exec(FINGERPRINT, scope)  # noqa: S102 - the same code runs in the subprocess below
    return scope["fingerprint"](seed, START, NOW)


def test_the_same_seed_gives_identical_frames_in_another_process():
    code = FINGERPRINT + f"\nprint(fingerprint(7, {START}, {NOW}))"
    other = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    ).stdout.strip()
    assert other == fingerprint(7)


def test_a_different_seed_gives_a_different_market():
    assert fingerprint(7) != fingerprint(8)
    a = MarketSimulator(seed=7).minutes("bingx", BTC, START, START + 3600)
    b = MarketSimulator(seed=8).minutes("bingx", BTC, START, START + 3600)
    assert not np.allclose(a.close, b.close)


def test_history_does_not_depend_on_what_was_asked_before():
    """Days are generated independently: asking for a late day first changes nothing."""
    fresh = MarketSimulator(seed=7)
    late_first = MarketSimulator(seed=7)
    late_first.minutes("bingx", BTC, NOW - 60, NOW)
    late_first.liquidations(NOW - 7200, NOW)
    for sim in (fresh, late_first):
        sim.result = sim.candles("bingx", BTC, "5m", START, NOW, NOW)
    for x, y in zip(fresh.result, late_first.result, strict=True):
        np.testing.assert_array_equal(x, y)


def test_days_join_without_a_jump():
    sim = MarketSimulator(seed=7)
    midnight = START + DAY_SECONDS
    bars = sim.minutes("bingx", BTC, midnight - 60, midnight + 60)
    assert bars.open[1] == bars.close[0]  # the new day opens where the old one closed


def test_a_digest_is_stable_across_instances():
    digest = hashlib.sha256(MarketSimulator(seed=3).minutes("okx", ETH, START, START + 600).close.tobytes())
    again = hashlib.sha256(MarketSimulator(seed=3).minutes("okx", ETH, START, START + 600).close.tobytes())
    assert digest.hexdigest() == again.hexdigest()
