"""Cross-exchange arbitrage scanner: where buying on one venue and selling on another pays after fees.

Pure: order books (float64 price/amount levels) and taker fees in, plain data out. No Django, no I/O.

Rule, for every symbol listed on at least two exchanges and every ordered pair (buy venue ``A``, sell
venue ``B``, ``A != B``):

* Buying walks ``A``'s asks from the best up, paying ``ask * (1 + fee_A)`` per unit; selling walks ``B``'s
  bids from the best down, receiving ``bid * (1 - fee_B)`` per unit (``fee`` = the venue's taker fee as a
  fraction, ``0.0005`` = 0.05 %). Amounts are base-currency units (contracts times contract size).
* **Gross spread** (top of book, no fees): ``100 * (best_bid_B / best_ask_A - 1)`` percent.
* **Net spread** (top of book after both taker fees):
  ``100 * (best_bid_B * (1 - fee_B) / (best_ask_A * (1 + fee_A)) - 1)`` percent. It is the return on
  the money spent on the first unit, so fees can only lower it.
* Walking both books level by level splits the traded quantity into segments on which one ask level and
  one bid level apply. The **marginal net spread** of a segment is the net-spread formula with that
  segment's two prices; asks only rise and bids only fall, so it never increases with size.
* **Executable size**: the quantity over which the marginal net spread stays ``>= min_net_pct``; never
  more than either book's cumulative amount. **Estimated profit**: the sum over those segments of
  ``quantity * (bid * (1 - fee_B) - ask * (1 + fee_A))`` in quote currency; **average net spread**:
  that profit over the money spent (fees included), in percent.
* It is an *estimate*: the books move, and moving funds between exchanges takes time (transfers,
  confirmations) and costs withdrawal fees that are not counted (``TRANSFER_NOTE``).

Two implementations give the same numbers: :func:`scan` (vectorized over all symbols and pairs at once
with numpy: top-of-book spreads for every pair first; then, only for the pairs whose first unit pays,
the cumulative amounts of both books are merged with one stable sort, and the ask/bid level of each
merged segment is a running count of the breakpoints that came from each side) and
:func:`scan_reference` (a plain per-pair Python loop with two pointers, the readable specification and
the benchmark's baseline).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from itertools import permutations

import numpy as np

TRANSFER_NOTE = (
    "Estimate from the visible order books and taker fees only: moving funds between exchanges takes time "
    "(withdrawals, confirmations) and costs withdrawal fees, and the books move meanwhile."
)


@dataclass(frozen=True, slots=True)
class VenueBook:
    """One exchange's book for one symbol: ``bids`` best (highest) first, ``asks`` best (lowest) first.

    Levels are ``(price, amount)`` rows (any sequence or an ``(n, 2)`` array); ``taker_fee`` is a fraction.
    """

    exchange: str
    bids: Sequence[Sequence[float]] | np.ndarray
    asks: Sequence[Sequence[float]] | np.ndarray
    taker_fee: float


@dataclass(frozen=True, slots=True)
class Opportunity:
    """One (buy venue, sell venue) pair of one symbol. ``executable_size`` is 0 when it does not pay."""

    symbol: str
    buy_exchange: str
    sell_exchange: str
    buy_price: float  # best ask on the buy venue
    sell_price: float  # best bid on the sell venue
    buy_fee: float
    sell_fee: float
    gross_pct: float
    net_pct: float
    executable_size: float  # base units
    executable_cost: float  # quote spent on the buy side, fees included
    profit: float  # quote, after both taker fees
    avg_net_pct: float | None  # profit / cost over the executable size; None when the size is 0

    @property
    def is_opportunity(self) -> bool:
        return self.executable_size > 0.0

    def as_dict(self) -> dict:
        return asdict(self) | {"is_opportunity": self.is_opportunity}


@dataclass(frozen=True, slots=True)
class BookSet:
    """Books of ``symbols`` x ``exchanges`` stacked into arrays of ``depth`` levels.

    ``ask_px`` is ascending with ``+inf`` padding, ``bid_px`` descending with ``0`` padding, amounts are
    ``0`` where a venue has fewer levels or does not list the symbol. ``taker_fee`` is ``(S, E)``.
    """

    symbols: tuple[str, ...]
    exchanges: tuple[str, ...]
    ask_px: np.ndarray  # (S, E, D)
    ask_qty: np.ndarray  # (S, E, D)
    bid_px: np.ndarray  # (S, E, D)
    bid_qty: np.ndarray  # (S, E, D)
    taker_fee: np.ndarray  # (S, E)

    @property
    def depth(self) -> int:
        return int(self.ask_px.shape[2])


def _side(rows_per_book: list, depth: int, pad_price: float) -> tuple[np.ndarray, np.ndarray]:
    """``(n_books, depth)`` prices and amounts; unusable levels (price or amount <= 0) moved to the end."""
    flat: list = []
    pad = [(pad_price, 0.0)] * depth
    for rows in rows_per_book:
        rows = rows[:depth]
        if len(rows) and len(rows[0]) != 2:  # ccxt may append an order count: keep price and amount
            rows = [r[:2] for r in rows]
        flat.extend(rows)
        flat.extend(pad[: depth - len(rows)])
    levels = np.array(flat, dtype=np.float64).reshape(len(rows_per_book), depth, 2)
    px, qty = levels[..., 0], levels[..., 1]
    usable = (px > 0) & (qty > 0) & np.isfinite(px) & np.isfinite(qty)
    if not usable.all():
        order = np.argsort(~usable, axis=1, kind="stable")
        px = np.where(usable, px, pad_price)
        qty = np.where(usable, qty, 0.0)
        px, qty = np.take_along_axis(px, order, axis=1), np.take_along_axis(qty, order, axis=1)
    return px, qty


def stack_books(books: Mapping[str, Sequence[VenueBook]], depth: int | None = None) -> BookSet:
    """Stack ``symbol -> [VenueBook, ...]`` into a :class:`BookSet`; symbols on fewer than 2 venues are dropped.

    ``depth`` defaults to the deepest side given. Levels with a non-positive price or amount are ignored.
    """
    listed = {s: list(v) for s, v in books.items() if len({b.exchange for b in v}) >= 2}
    symbols = tuple(sorted(listed))
    exchanges = tuple(sorted({b.exchange for v in listed.values() for b in v}))
    if depth is None:
        depth = max((max(len(b.bids), len(b.asks)) for v in listed.values() for b in v), default=1)
    depth = max(int(depth), 1)
    shape = (len(symbols), len(exchanges), depth)
    ask_px, bid_px = np.full(shape, np.inf), np.zeros(shape)
    ask_qty, bid_qty = np.zeros(shape), np.zeros(shape)
    fee = np.zeros(shape[:2])
    column = {e: i for i, e in enumerate(exchanges)}
    where_s, where_e, flat = [], [], []
    for s, symbol in enumerate(symbols):
        for book in listed[symbol]:
            where_s.append(s)
            where_e.append(column[book.exchange])
            flat.append(book)
    if flat:
        fee[where_s, where_e] = [float(b.taker_fee) for b in flat]
        ask_px[where_s, where_e], ask_qty[where_s, where_e] = _side([b.asks for b in flat], depth, np.inf)
        bid_px[where_s, where_e], bid_qty[where_s, where_e] = _side([b.bids for b in flat], depth, 0.0)
    return BookSet(symbols, exchanges, ask_px, ask_qty, bid_px, bid_qty, fee)


def _pairs(n: int) -> tuple[np.ndarray, np.ndarray]:
    pairs = np.array(list(permutations(range(n), 2)), dtype=np.intp).reshape(-1, 2)
    return pairs[:, 0], pairs[:, 1]


def scan(
    books: BookSet | Mapping[str, Sequence[VenueBook]],
    min_net_pct: float,
    *,
    only_opportunities: bool = True,
    limit: int | None = None,
) -> list[Opportunity]:
    """Every (buy, sell) pair of every symbol, best first (see the module docstring), vectorized.

    With ``only_opportunities`` (the default) pairs whose executable size is 0 are left out; otherwise
    every pair where both venues have a two-sided book is returned. Sorted by estimated profit, then by
    net spread, both descending; ``limit`` keeps the first rows.
    """
    bs = books if isinstance(books, BookSet) else stack_books(books)
    n_sym, n_ex = len(bs.symbols), len(bs.exchanges)
    if n_sym == 0 or n_ex < 2:
        return []
    buy, sell = _pairs(n_ex)

    fee_a = bs.taker_fee[:, buy]  # (S, P)
    fee_b = bs.taker_fee[:, sell]
    best_ask, best_bid = bs.ask_px[:, buy, 0], bs.bid_px[:, sell, 0]
    present = (bs.ask_qty[:, buy, 0] > 0) & (bs.bid_qty[:, sell, 0] > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        gross_pct = 100.0 * (best_bid / best_ask - 1.0)
        net_pct = 100.0 * (best_bid * (1.0 - fee_b) / (best_ask * (1.0 + fee_a)) - 1.0)

    # The marginal net spread never rises with size, so only pairs whose first unit pays need a walk.
    size, cost, profit = np.zeros(net_pct.shape), np.zeros(net_pct.shape), np.zeros(net_pct.shape)
    cs, cp = np.nonzero(present & (net_pct >= min_net_pct))
    if len(cs):
        walked = _walk(
            bs.ask_px[cs, buy[cp]] * (1.0 + fee_a[cs, cp])[:, None],
            bs.ask_qty[cs, buy[cp]],
            bs.bid_px[cs, sell[cp]] * (1.0 - fee_b[cs, cp])[:, None],
            bs.bid_qty[cs, sell[cp]],
            min_net_pct,
        )
        size[cs, cp], cost[cs, cp], profit[cs, cp] = walked

    keep = present & (size > 0) if only_opportunities else present
    s_idx, p_idx = np.nonzero(keep)
    rank = np.lexsort((-net_pct[s_idx, p_idx], -profit[s_idx, p_idx]))
    if limit is not None:
        rank = rank[: max(int(limit), 0)]
    s_idx, p_idx = s_idx[rank], p_idx[rank]
    columns = [
        a[s_idx, p_idx].tolist() for a in (best_ask, best_bid, fee_a, fee_b, gross_pct, net_pct, size, cost, profit)
    ]
    names = [(bs.symbols[s], bs.exchanges[buy[p]], bs.exchanges[sell[p]]) for s, p in zip(s_idx, p_idx, strict=True)]
    return [_opportunity(*name, *values) for name, *values in zip(names, *columns, strict=True)]


def _walk(
    a_eff: np.ndarray, a_qty: np.ndarray, b_eff: np.ndarray, b_qty: np.ndarray, min_net_pct: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Executable size, cost and profit of ``N`` pairs at once; inputs are ``(N, D)``, fees included."""
    depth = a_eff.shape[1]
    # Merge the two cumulative-amount ladders: each merged breakpoint ends one segment on which a single
    # ask level and a single bid level apply. The stable sort puts asks before bids at equal amounts.
    breakpoints = np.concatenate([np.cumsum(a_qty, axis=1), np.cumsum(b_qty, axis=1)], axis=1)
    order = np.argsort(breakpoints, axis=1, kind="stable")
    ends = np.take_along_axis(breakpoints, order, axis=1)  # (N, 2D)
    length = np.diff(ends, axis=1, prepend=0.0)
    from_ask = order < depth
    ask_level = np.cumsum(from_ask, axis=1) - from_ask  # ask breakpoints passed before this segment
    bid_level = np.arange(2 * depth) - ask_level
    inside = (ask_level < depth) & (bid_level < depth) & (length > 0)
    pay = np.take_along_axis(a_eff, np.minimum(ask_level, depth - 1), axis=1)
    get = np.take_along_axis(b_eff, np.minimum(bid_level, depth - 1), axis=1)
    with np.errstate(invalid="ignore"):
        take = inside & (100.0 * (get / pay - 1.0) >= min_net_pct)
        size = np.where(take, length, 0.0).sum(axis=1)
        cost = np.where(take, length * pay, 0.0).sum(axis=1)
        profit = np.where(take, length * (get - pay), 0.0).sum(axis=1)
    return size, cost, profit


def _opportunity(
    symbol: str,
    buy_exchange: str,
    sell_exchange: str,
    buy_price: float,
    sell_price: float,
    buy_fee: float,
    sell_fee: float,
    gross_pct: float,
    net_pct: float,
    size: float,
    cost: float,
    profit: float,
) -> Opportunity:
    return Opportunity(
        symbol=symbol,
        buy_exchange=buy_exchange,
        sell_exchange=sell_exchange,
        buy_price=buy_price,
        sell_price=sell_price,
        buy_fee=buy_fee,
        sell_fee=sell_fee,
        gross_pct=gross_pct,
        net_pct=net_pct,
        executable_size=size,
        executable_cost=cost,
        profit=profit,
        avg_net_pct=100.0 * profit / cost if size > 0 and cost > 0 else None,
    )


def _clean(rows: Sequence[Sequence[float]] | np.ndarray) -> list[tuple[float, float]]:
    return [(float(r[0]), float(r[1])) for r in rows if float(r[0]) > 0 and float(r[1]) > 0]


def scan_reference(
    books: Mapping[str, Sequence[VenueBook]],
    min_net_pct: float,
    *,
    only_opportunities: bool = True,
    limit: int | None = None,
) -> list[Opportunity]:
    """The same result as :func:`scan`, computed pair by pair with a plain two-pointer walk."""
    rows = []
    for symbol, venues in books.items():
        venues = list(venues)
        if len({v.exchange for v in venues}) < 2:
            continue
        for buy_book in venues:
            for sell_book in venues:
                if buy_book.exchange == sell_book.exchange:
                    continue
                asks, bids = _clean(buy_book.asks), _clean(sell_book.bids)
                if not asks or not bids:
                    continue
                fa, fb = float(buy_book.taker_fee), float(sell_book.taker_fee)
                i = j = 0
                left_a, left_b = asks[0][1], bids[0][1]
                size = cost = profit = 0.0
                while i < len(asks) and j < len(bids):
                    pay, get = asks[i][0] * (1.0 + fa), bids[j][0] * (1.0 - fb)
                    if 100.0 * (get / pay - 1.0) < min_net_pct:
                        break
                    step = min(left_a, left_b)
                    size += step
                    cost += step * pay
                    profit += step * (get - pay)
                    left_a -= step
                    left_b -= step
                    if left_a <= 0:
                        i += 1
                        left_a = asks[i][1] if i < len(asks) else 0.0
                    if left_b <= 0:
                        j += 1
                        left_b = bids[j][1] if j < len(bids) else 0.0
                if only_opportunities and size <= 0:
                    continue
                best_ask, best_bid = asks[0][0], bids[0][0]
                rows.append(
                    _opportunity(
                        symbol,
                        buy_book.exchange,
                        sell_book.exchange,
                        best_ask,
                        best_bid,
                        fa,
                        fb,
                        100.0 * (best_bid / best_ask - 1.0),
                        100.0 * (best_bid * (1.0 - fb) / (best_ask * (1.0 + fa)) - 1.0),
                        size,
                        cost,
                        profit,
                    )
                )
    rows.sort(key=lambda o: (-o.profit, -o.net_pct))
    return rows if limit is None else rows[: max(int(limit), 0)]
