"""Paper trading's fills and exit rules: one open position, one price update at a time, the backtester's rules.

The exits are the backtester's own per-bar function (``backtest.walk._bar``), called for one position:

- a **price update** is a bar: its open, high and low. A live ticker update is the bar ``(p, p, p)``, so a
  level crossed between two updates fills at the update's price (the backtester's opening-gap rule: the
  current market price); feeding a series bar by bar gives the backtester's trades exactly (the parity
  test, ``tests/trading/paper/test_parity.py``);
- within one update: a gap through the stop exits at the open, a gap through a target fills it at the
  open; then the stop comes before any target, then TP1, then TP2;
- with a second target, ``TP1_FRACTION`` (half) closes at TP1 and the stop moves to the entry fill price,
  active from the next update; without one, everything closes at TP1 (the 1:2 and 1:3 plans);
- costs (``costs.py``): market fills (entry, stop, break-even, a close at market) pay the taker fee on
  their notional and ``slippage_bps`` against the trader; targets are limit fills at their price paying
  the maker fee.

Funding is not charged on paper (the backtester's parity runs use a zero funding rate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from trading.engine.backtest import walk as _walk
from trading.engine.backtest.runner import BacktestConfig
from trading.engine.costs import MAKER_FEE, SLIPPAGE_BPS, TAKER_FEE

LONG = 1
SHORT = -1
TP1_FRACTION = BacktestConfig.tp1_fraction  # the backtester's default: half at TP1 when there is a TP2

# The walk's reason codes, as the paper path names them.
STOP = "stop"
BREAKEVEN = "breakeven"
TP1 = "tp1"
TP2 = "tp2"
_REASONS = {_walk.STOP: STOP, _walk.BREAKEVEN: BREAKEVEN, _walk.TP1: TP1, _walk.TP2: TP2}


@dataclass(frozen=True, slots=True)
class PaperCosts:
    """The backtester's cost model (fractions of the notional; slippage in basis points)."""

    taker_fee: float = TAKER_FEE
    maker_fee: float = MAKER_FEE
    slippage_bps: float = SLIPPAGE_BPS

    @property
    def slippage(self) -> float:
        return self.slippage_bps / 10_000.0


COSTS = PaperCosts()  # the backtester's defaults


@dataclass(frozen=True, slots=True)
class PriceUpdate:
    """What the market did since the last update: a bar's open, high and low, or one price."""

    open: float
    high: float
    low: float

    @classmethod
    def tick(cls, price: float) -> PriceUpdate:
        return cls(price, price, price)


@dataclass(frozen=True, slots=True)
class Position:
    """One open position between updates. ``stop`` is the active stop (the entry fill after TP1 with a TP2)."""

    side: int  # LONG (+1) or SHORT (-1)
    entry: float  # the entry fill price, slippage included: the break-even level
    stop: float
    tp1: float
    tp2: float | None = None  # set: half at tp1, the rest here, stop to entry after tp1
    tp1_done: bool = False

    @property
    def tp1_fraction(self) -> float:
        return TP1_FRACTION if self.tp2 is not None else 1.0

    @property
    def open_fraction(self) -> float:
        """Share of the original size still open."""
        return 1.0 - self.tp1_fraction if self.tp1_done else 1.0


@dataclass(frozen=True, slots=True)
class Exit:
    """Part of a position leaving the market on an update."""

    reason: str  # STOP | BREAKEVEN | TP1 | TP2
    fraction: float  # of the position's original size
    price: float  # the fill (stops: slippage included; targets: their price, or the open on a gap)
    fee_rate: float  # of the fill's notional (maker for targets, taker for stops)

    @property
    def is_target(self) -> bool:
        return self.reason in (TP1, TP2)


def market_fill(side: int, price: float, *, opening: bool, costs: PaperCosts = COSTS) -> float:
    """A market order's fill at ``price``: slippage against the trader (a long buys higher, sells lower)."""
    direction = side if opening else -side
    return price * (1.0 + direction * costs.slippage)


def entry_refusal(side: int, price: float, stop: float, tp1: float) -> str | None:
    """Why a market entry at ``price`` cannot be made (the backtester skips the signal), or None."""
    if not all(math.isfinite(v) and v > 0 for v in (price, stop, tp1)):
        return "The price and the levels must be positive numbers."
    if side * price <= side * stop:
        return "The price is already at or through the stop-loss."
    if side * price >= side * tp1:
        return "The price is already at or through the first target."
    return None


def position_update(position: Position, update: PriceUpdate, costs: PaperCosts = COSTS) -> tuple[Position, list[Exit]]:
    """Apply one price update to an open position: the new state and the exits it made (oldest first).

    A position whose exits add up to its open fraction is closed; the returned state is then final.
    """
    sd = position.side
    # The walk is written for a long: a short is walked as a long on negated prices.
    o, hi, lo = (update.open, update.high, update.low) if sd > 0 else (-update.open, -update.low, -update.high)
    has_tp2 = position.tp2 is not None
    f1 = position.tp1_fraction
    q, stop_n, tp1_done, _pending, p1, px, reason = _walk._bar(
        o, hi, lo, position.stop * sd, position.tp1 * sd, (position.tp2 * sd) if has_tp2 else math.nan, has_tp2,
        position.open_fraction, f1, position.tp1_done, False, position.entry * sd, True,
    )  # fmt: skip
    exits = []
    if not math.isnan(p1):
        if reason == _walk.TP1:  # everything at TP1 (no second target)
            return replace(position, tp1_done=True), [Exit(TP1, 1.0, p1 * sd, costs.maker_fee)]
        exits.append(Exit(TP1, f1, p1 * sd, costs.maker_fee))
    if reason != 0:
        price = _walk._fill(px, sd, reason, costs.slippage)
        fee = costs.maker_fee if reason == _walk.TP2 else costs.taker_fee
        exits.append(Exit(_REASONS[reason], q, price, fee))
    # After TP1 the stop is the entry fill from the next update on (the walk's pending break-even).
    stop = position.entry if tp1_done and has_tp2 else stop_n * sd
    return replace(position, stop=stop, tp1_done=tp1_done), exits


def is_closed(position: Position, exits: list[Exit]) -> bool:
    """Whether ``exits`` (from one update) took everything that was open."""
    return sum(e.fraction for e in exits) >= position.open_fraction - 1e-12
