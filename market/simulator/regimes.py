"""Intraday regimes of the generated path: trends, ranges and squeezes, so a replay has the structure a
signal engine is meant to read (and a quality report on it means something offline).

A day is cut into segments of 2-8 hours, each one regime, drawn from its own RNG stream (``_REGIME``)
so the other draws of the day are unchanged:

- ``trend``: a drift of 6-14 % of the minute's volatility per minute, up or down (a 4-hour trend moves
  about 1.5 times what its noise alone would);
- ``range``: the segment's path mean-reverts (an OU pull of 1-3 % a minute toward where it started), so
  it oscillates in a band instead of wandering;
- ``squeeze``: volatility compressed to 35-55 %, then the first 30-90 minutes of the next segment break
  out: 1.8 times louder with a drift one way;
- ``noise``: the GARCH path as generated.

The day still ends at its close: the bridge in ``paths.py`` runs after the regimes.
"""

from __future__ import annotations

import numpy as np

from market.simulator.base import _ou

_REGIME = 10  # RNG stream id, after base's streams 1-9
KINDS = ("trend", "range", "squeeze", "noise")
WEIGHTS = (0.35, 0.3, 0.15, 0.2)


def apply_regimes(r: np.ndarray, sigma: np.ndarray, rng: np.random.Generator) -> list[tuple[str, int, int]]:
    """Shape ``r`` and ``sigma`` (per-minute returns and volatilities, changed in place) segment by segment;
    returns the segments as (kind, first minute, end minute)."""
    n = len(r)
    segments: list[tuple[str, int, int]] = []
    start = 0
    while start < n:
        end = min(n, start + int(rng.integers(120, 481)))
        kind = str(rng.choice(KINDS, p=WEIGHTS))
        segments.append((kind, start, end))
        start = end
    for i, (kind, a, b) in enumerate(segments):
        if kind == "trend":
            r[a:b] += rng.choice((-1.0, 1.0)) * rng.uniform(0.06, 0.14) * sigma[a:b]
        elif kind == "range":
            path = _ou(r[a:b].copy(), float(rng.uniform(0.01, 0.03)))
            r[a:b] = np.diff(path, prepend=0.0)
        elif kind == "squeeze":
            quiet = rng.uniform(0.35, 0.55)
            r[a:b] *= quiet
            sigma[a:b] *= quiet
            if i + 1 < len(segments):
                c = min(n, b + int(rng.integers(30, 91)))
                r[b:c] = r[b:c] * 1.8 + rng.choice((-1.0, 1.0)) * 0.25 * sigma[b:c]
                sigma[b:c] *= 1.8
    return segments
