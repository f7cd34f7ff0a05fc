"""The replay clock: how much of the fixed, seeded market is visible at a wall-clock moment."""

from __future__ import annotations

import time
from collections.abc import Callable


class ReplayClock:
    """Replay time: ``anchor + (wall - start) x speed``, optionally held at ``until``."""

    def __init__(
        self,
        speed: float = 1.0,
        anchor: float | None = None,
        start: float | None = None,
        until: float | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        if not speed > 0:
            raise ValueError("the replay speed must be positive")
        self.speed, self.wall, self.until = float(speed), wall, until
        self.start = wall() if start is None else float(start)
        self.anchor = self.start if anchor is None else float(anchor)

    def now(self) -> float:
        moment = self.anchor + (self.wall() - self.start) * self.speed
        return moment if self.until is None else min(moment, self.until)

    @property
    def ended(self) -> bool:
        return self.until is not None and self.now() >= self.until
