"""Position sizing from equity, the risk fraction and the stop distance (pure, Decimal, no Django).

The size is the largest quantity, rounded DOWN to the market's step, whose loss at the stop stays
within ``equity x risk`` when the entry and the stop both fill with slippage against us and both pay
the taker fee. Its margin (notional / leverage) and the entry's fee must fit in the free margin (what the
open positions leave of the equity), or the exchange refuses the order: the notional is held to
``free margin x max leverage`` (the user's cap, and the market's), and the leverage is the least whole
number whose margin fits, so the next position finds room too. A size the market would not take (below
its minimum quantity or notional) is refused, never rounded up past the risk cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Protocol

ZERO = Decimal(0)
ONE = Decimal(1)


class MarketRules(Protocol):
    """What sizing reads of a market (``trading.services.brokers.base.MarketRules`` fits)."""

    symbol: str
    amount_step: Decimal | None
    min_amount: Decimal | None
    min_cost: Decimal | None
    max_leverage: int | None
    taker_fee: Decimal


class SizingRefused(ValueError):
    """No position can be sized within the rules; ``reason`` says why in a trader's words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Sizing:
    size: Decimal  # base-currency quantity, a multiple of the market's step
    notional: Decimal  # size x entry
    leverage: int  # the least whole leverage whose margin and fee fit in the free margin, 1..max
    risk_amount: Decimal  # the loss at the stop with fees and slippage (<= equity x risk)
    loss_per_unit: Decimal
    capped_by_leverage: bool  # the leverage cap, not the risk, set the size


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def loss_per_unit(side: str, entry: Decimal, stop: Decimal, taker_fee: Decimal, slippage: Decimal) -> Decimal:
    """What one unit loses if it enters at ``entry`` and leaves at ``stop``: slippage against us on
    both fills, the taker fee on both notionals."""
    if side == "LONG":
        entry_fill, stop_fill = entry * (ONE + slippage), stop * (ONE - slippage)
        move = entry_fill - stop_fill
    else:
        entry_fill, stop_fill = entry * (ONE - slippage), stop * (ONE + slippage)
        move = stop_fill - entry_fill
    return move + taker_fee * (entry_fill + stop_fill)


def _round_down(size: Decimal, step: Decimal | None) -> Decimal:
    if step is None or step <= 0:
        return size
    return (size / step).to_integral_value(rounding=ROUND_DOWN) * step


def _check_inputs(equity: Decimal, risk: Decimal, entry: Decimal, stop: Decimal, side: str) -> None:
    if side not in ("LONG", "SHORT"):
        raise SizingRefused("The side must be long or short.")
    if equity <= 0:
        raise SizingRefused("The account has no equity to risk.")
    if not ZERO < risk <= ONE:
        raise SizingRefused("The risk per trade must be above 0 %.")
    if entry <= 0 or stop <= 0:
        raise SizingRefused("Prices must be positive.")
    if stop == entry:
        raise SizingRefused("The stop-loss is at the entry price: there is no distance to size the position on.")
    if side == "LONG" and stop > entry:
        raise SizingRefused(f"A long's stop-loss must be below the price ({_fmt(entry)}); it is {_fmt(stop)}.")
    if side == "SHORT" and stop < entry:
        raise SizingRefused(f"A short's stop-loss must be above the price ({_fmt(entry)}); it is {_fmt(stop)}.")


def position_size(
    *,
    equity: Decimal,
    risk: Decimal,
    entry: Decimal,
    stop: Decimal,
    side: str,
    rules: MarketRules,
    max_leverage: int,
    taker_fee: Decimal | None = None,
    slippage: Decimal = ZERO,
    free_margin: Decimal | None = None,
) -> Sizing:
    """Size a market entry at ``entry`` (the current price) with its stop at ``stop``.

    ``risk`` is a fraction of equity (0.01 = 1 %); ``taker_fee`` defaults to the market's; ``free_margin``
    (default: the equity, no position open) is what the margin and fee must fit in.
    Raises SizingRefused with the reason when no size fits.
    """
    _check_inputs(equity, risk, entry, stop, side)
    room = equity if free_margin is None else min(equity, free_margin)
    if room <= 0:
        raise SizingRefused("No free margin: your open positions hold all of it. Close one, or wait for one to end.")
    fee = rules.taker_fee if taker_fee is None else taker_fee
    cap = equity * risk
    per_unit = loss_per_unit(side, entry, stop, fee, slippage)
    if per_unit <= 0:
        raise SizingRefused("The stop is too close to the entry to size a position.")
    lev_cap = max(1, min(max_leverage, rules.max_leverage or max_leverage))
    by_risk = cap / per_unit
    # The margin (notional / leverage) plus the entry's fee must fit in the free margin, or the exchange refuses.
    by_leverage = room * lev_cap / (entry * (ONE + slippage) * (ONE + lev_cap * fee))
    size = _round_down(min(by_risk, by_leverage), rules.amount_step)
    capped = by_leverage < by_risk
    where = f"{rules.symbol} at {_fmt(risk * 100)} % risk with this stop"
    if size <= 0 or (rules.min_amount is not None and size < rules.min_amount):
        minimum = _fmt(rules.min_amount) if rules.min_amount is not None else _fmt(rules.amount_step or ZERO)
        raise SizingRefused(
            f"The position would be {_fmt(size)}, below the exchange's minimum quantity of {minimum} for {where}"
            + (f" and {lev_cap}x leverage" if capped else "")
            + ": raise the risk or use a closer stop."
        )
    notional = size * entry
    if rules.min_cost is not None and notional < rules.min_cost:
        raise SizingRefused(
            f"The position would be worth {_fmt(notional.quantize(Decimal('0.01')))} USDT, below the exchange's "
            f"minimum order of {_fmt(rules.min_cost)} USDT for {where}: raise the risk or use a closer stop."
        )
    filled = notional * (ONE + slippage)  # what the margin check sees: the entry's fill, fee on top
    spare = room - filled * fee
    leverage = lev_cap if spare <= 0 else min(lev_cap, max(1, math.ceil(filled / spare)))
    return Sizing(
        size=size,
        notional=notional,
        leverage=leverage,
        risk_amount=size * per_unit,
        loss_per_unit=per_unit,
        capped_by_leverage=capped,
    )
