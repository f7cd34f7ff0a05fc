"""Market-data tests: the replay on a clock the test moves, and the live source against the fake BingX.

``ManualClock`` stands in for the wall clock under ``ReplayClock``, so replay time only moves when a test
says so. No test reaches a real exchange: the live source is used with ``bingx`` only (the fake).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from market.simulator import ReplayClock
from market.sources import reset_source
from market.sources.replay import ReplaySource

# A fixed replay moment, 30 s into a minute (so a candle is forming).
T0 = datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
BTC = "BTC/USDT:USDT"
ETH = "ETH/USDT:USDT"


class ManualClock:
    """A wall clock that moves only when told to."""

    def __init__(self, start: float = 0.0):
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


def replay_source(*, seed: int = 7, at: datetime = T0, speed: float = 1.0, exchanges=None, wall=None, **kwargs):
    wall = wall or ManualClock()
    clock = ReplayClock(speed=speed, anchor=at.timestamp(), start=wall(), wall=wall)
    source = ReplaySource(
        seed=seed, exchanges=exchanges or ("bingx", "binanceusdm", "okx", "bybit"), clock=clock, **kwargs
    )
    source.wall = wall
    return source


@pytest.fixture
def wall() -> ManualClock:
    return ManualClock()


@pytest.fixture
def replay(wall) -> ReplaySource:
    """The replay at T0 with seed 7; ``replay.wall.advance(s)`` moves its clock."""
    return replay_source(wall=wall)


@pytest.fixture(autouse=True)
def _fresh_source():
    reset_source()
    yield
    reset_source()
