"""The one cost model of a trade, shared by the signal engine (scoring.py) and the backtester (backtest/).

Per fill, in price units per unit of size (the backtester's rules, ``backtest/runner.py``): a market
fill (market entry, stop, break-even, timeout) pays ``taker_fee`` of its notional and ``slippage_bps``
against the trader; a limit fill (limit entry, TP1, TP2) pays ``maker_fee`` at its price. Defaults are
a perpetual futures venue's: taker 0.05 %, maker 0.02 %, slippage 1 bp.

**Round-trip cost** of a setup (what the engine charges it, :func:`round_trip_cost`): a market entry
and a market exit, both at the entry price: ``cost = entry x 2 x (taker_fee + slippage_bps / 10,000)``
(0.12 % of the price with the defaults). It is the backtester's cost of a trade stopped out after a
market entry (the stop's own price moves it by a fraction of a percent of itself), and an upper bound
of a trade closed at a target by a limit order (maker fee, no slippage): the engine errs on the safe side.

**Expected R after costs** at a target (:func:`net_r`): ``(reward - cost) / (risk + cost)`` with
``risk = |entry - stop|`` and ``reward = |target - entry|``: the profit at the target net of the round
trip, in units of the all-in loss at the stop. A 1:2 target whose stop is 3 round trips away is worth
``(2 - 1/3) / (1 + 1/3) = 1.25 R`` after costs.
"""

from __future__ import annotations

TAKER_FEE = 0.0005  # 0.05 % of the notional per market fill
MAKER_FEE = 0.0002  # 0.02 % per limit fill
SLIPPAGE_BPS = 1.0  # basis points against the trader per market fill


def cost_rate(taker_fee: float = TAKER_FEE, slippage_bps: float = SLIPPAGE_BPS) -> float:
    """The round-trip cost as a fraction of the entry price (market in, market out)."""
    return 2.0 * (taker_fee + slippage_bps / 10_000.0)


def round_trip_cost(entry, taker_fee: float = TAKER_FEE, slippage_bps: float = SLIPPAGE_BPS):
    """The round-trip cost of a trade entered at ``entry`` (price units per unit of size; arrays too)."""
    return entry * cost_rate(taker_fee, slippage_bps)


def net_r(reward, risk, cost):
    """Expected R after costs at a target ``reward`` away from the entry (scalars or arrays)."""
    return (reward - cost) / (risk + cost)
