"""Liquidation heatmap: where leveraged positions are estimated to be liquidated, accumulated over time.

Pure: observations in (time, open interest, volume-weighted price, the period's low/high), a state object
out; no Django, no I/O. The state is plain data (:meth:`HeatmapState.as_dict` /
:meth:`HeatmapState.from_dict` round-trip it through a cache).

The model (an estimate; exchanges do not publish where positions sit):

1. **New positions.** Between two observations, open interest ``OI`` (quote-currency notional, e.g.
   USDT) changed by ``dOI``. If it rose, ``dOI`` of new contracts were opened at the period's
   volume-weighted average price ``P`` (VWAP). Every contract has a long and a short side, so both a long
   and a short exposure of ``dOI`` are added. The first observation seeds the map with the whole ``OI``
   at its ``P``.
2. **Leverage tiers** (:class:`LeverageTiers`, FLAXU's one tier model: the sniper engine's estimate
   from candles uses it too). Each new exposure is spread over the leverage tiers ``L``
   (5/10/25/50/100x) with configurable weights (default 10/15/25/25/25 %, a retail-heavy mix). With
   maintenance margin rate ``mmr`` (default 0.5 %), longs opened at ``P`` with leverage ``L`` are
   liquidated at ``P * (1 - 1/L + mmr)`` and shorts at ``P * (1 + 1/L - mmr)``.
3. **Binning.** Levels are accumulated in price bins of a fixed width: ``bin_pct`` (0.25 %) of the first
   observed price, rounded down to 1, 2, 2.5 or 5 times a power of ten. Bin ``k`` covers
   ``[k * width, (k + 1) * width)``.
4. **Closed positions.** If open interest fell, positions were closed somewhere; which ones is unknown,
   so every outstanding bin on both sides is scaled by ``OI_now / OI_before``. (Liquidations also lower
   open interest, so a sweep followed by a lower OI removes a little more than was liquidated: an
   accepted approximation.)
5. **Sweeping.** Before new positions are added, the period's price range clears what it traded
   through: a long bin is cleared when the low reached its lower edge (``low <= k * width``), a short bin
   when the high reached its upper edge (``high >= (k + 1) * width``). Cleared amounts are logged.
6. **Real events** (Binance's liquidation stream when live, the simulator's in replay) are not part of
   the estimate; :func:`bin_events` bins them on the same grid for an overlay.

"Share of estimated liquidations cleared between two prices" (:func:`cleared_share`, also a method, so a
state is the sniper engine's ``LiquidationMap``): a move from ``price_from`` to ``price_to`` sweeps the
short side when it rises and the long side when it falls; the share is the estimated notional of that
side's outstanding bins lying wholly inside ``[min, max]`` of the two prices, over that side's total
outstanding notional (0.0 when the side is empty).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

PRUNE_FRACTION = 1e-9  # bins below this share of their side's total are dropped (keeps the state small)


@dataclass(frozen=True, slots=True)
class LeverageTiers:
    """Where leveraged positions opened at a price are liquidated: FLAXU's one tier model.

    The heatmap (:class:`HeatmapConfig`) and the sniper engine's estimate from candles
    (``trading.engine.sniper``) both read it, so their levels agree. ``weights`` are normalised to sum to 1;
    the price methods work on floats and on numpy arrays alike.
    """

    leverage: tuple[float, ...] = (5.0, 10.0, 25.0, 50.0, 100.0)
    raw_weights: tuple[float, ...] = (0.10, 0.15, 0.25, 0.25, 0.25)
    maintenance_margin: float = 0.005

    def __post_init__(self) -> None:
        if len(self.leverage) != len(self.raw_weights) or not self.leverage:
            raise ValueError("leverage_tiers and tier_weights must be non-empty and of the same length")
        if any(lev <= 1 for lev in self.leverage) or any(w < 0 for w in self.raw_weights):
            raise ValueError("leverage tiers must be > 1 and weights >= 0")
        if sum(self.raw_weights) <= 0:
            raise ValueError("at least one tier weight must be positive")
        if not 0 <= self.maintenance_margin < min(1 / lev for lev in self.leverage):
            raise ValueError("maintenance_margin must be >= 0 and below 1/L for every tier")

    @property
    def weights(self) -> tuple[float, ...]:
        total = sum(self.raw_weights)
        return tuple(w / total for w in self.raw_weights)

    def long_price(self, price, leverage: float):
        """Liquidation price of longs opened at ``price`` with ``leverage``: ``P (1 - 1/L + mmr)``."""
        return price * (1.0 - 1.0 / leverage + self.maintenance_margin)

    def short_price(self, price, leverage: float):
        """Liquidation price of shorts opened at ``price`` with ``leverage``: ``P (1 + 1/L - mmr)``."""
        return price * (1.0 + 1.0 / leverage - self.maintenance_margin)


DEFAULT_TIERS = LeverageTiers()


@dataclass(frozen=True, slots=True)
class HeatmapConfig:
    """Parameters of the model; the tiers default to :data:`DEFAULT_TIERS` (see :attr:`tiers`)."""

    leverage_tiers: tuple[float, ...] = DEFAULT_TIERS.leverage
    tier_weights: tuple[float, ...] = DEFAULT_TIERS.raw_weights
    maintenance_margin: float = DEFAULT_TIERS.maintenance_margin
    bin_pct: float = 0.25
    history: int = 48  # snapshots kept for the time axis of the heatmap
    swept_log: int = 200  # cleared bins remembered for display

    def __post_init__(self) -> None:
        _ = self.tiers  # validates them
        if self.bin_pct <= 0:
            raise ValueError("bin_pct must be positive")

    @property
    def tiers(self) -> LeverageTiers:
        return LeverageTiers(tuple(self.leverage_tiers), tuple(self.tier_weights), self.maintenance_margin)

    @property
    def weights(self) -> tuple[float, ...]:
        return self.tiers.weights


@dataclass(frozen=True, slots=True)
class Level:
    """One estimated liquidation level of one tier: ``side`` is the position side that gets liquidated."""

    side: str  # "long" | "short"
    leverage: float
    price: float
    weight: float  # tier weight (normalised)


def liquidation_levels(price: float, config: HeatmapConfig | None = None) -> list[Level]:
    """The levels of positions opened at ``price``: longs ``P(1-1/L+mmr)``, shorts ``P(1+1/L-mmr)``."""
    tiers = (config or HeatmapConfig()).tiers
    levels = []
    for lev, weight in zip(tiers.leverage, tiers.weights, strict=True):
        levels.append(Level("long", lev, tiers.long_price(price, lev), weight))
        levels.append(Level("short", lev, tiers.short_price(price, lev), weight))
    return levels


def bin_width(price: float, bin_pct: float) -> float:
    """``bin_pct`` percent of ``price``, rounded down to 1, 2, 2.5 or 5 times a power of ten."""
    if price <= 0:
        raise ValueError("price must be positive")
    raw = price * bin_pct / 100.0
    power = 10.0 ** math.floor(math.log10(raw))
    for step in (5.0, 2.5, 2.0, 1.0):
        if step * power <= raw * (1 + 1e-12):
            return step * power
    return power


@dataclass(slots=True)
class HeatmapState:
    """The accumulated map for one symbol. Amounts are quote-currency notional per bin index."""

    width: float
    config: HeatmapConfig = field(default_factory=HeatmapConfig)
    long_bins: dict[int, float] = field(default_factory=dict)
    short_bins: dict[int, float] = field(default_factory=dict)
    open_interest: float | None = None
    last_price: float | None = None
    updated_at: float | None = None  # epoch seconds of the last observation
    columns: list[tuple[float, list[tuple[float, float, float]]]] = field(default_factory=list)
    swept: list[tuple[float, str, float, float]] = field(default_factory=list)  # (time, side, price, amount)

    def bin_of(self, price: float) -> int:
        return math.floor(price / self.width + 1e-9)

    def edges(self, k: int) -> tuple[float, float]:
        return k * self.width, (k + 1) * self.width

    def cleared_share(self, price_from: float, price_to: float) -> float:
        """See :func:`cleared_share`."""
        return cleared_share(self, price_from, price_to)

    def as_dict(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "config": {
                "leverage_tiers": list(self.config.leverage_tiers),
                "tier_weights": list(self.config.tier_weights),
                "maintenance_margin": self.config.maintenance_margin,
                "bin_pct": self.config.bin_pct,
                "history": self.config.history,
                "swept_log": self.config.swept_log,
            },
            "long_bins": [[k, v] for k, v in sorted(self.long_bins.items())],
            "short_bins": [[k, v] for k, v in sorted(self.short_bins.items())],
            "open_interest": self.open_interest,
            "last_price": self.last_price,
            "updated_at": self.updated_at,
            "columns": [[t, [list(row) for row in rows]] for t, rows in self.columns],
            "swept": [list(s) for s in self.swept],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HeatmapState:
        c = data["config"]
        config = HeatmapConfig(
            leverage_tiers=tuple(c["leverage_tiers"]),
            tier_weights=tuple(c["tier_weights"]),
            maintenance_margin=c["maintenance_margin"],
            bin_pct=c["bin_pct"],
            history=c["history"],
            swept_log=c["swept_log"],
        )
        return cls(
            width=data["width"],
            config=config,
            long_bins={int(k): float(v) for k, v in data["long_bins"]},
            short_bins={int(k): float(v) for k, v in data["short_bins"]},
            open_interest=data["open_interest"],
            last_price=data["last_price"],
            updated_at=data["updated_at"],
            columns=[(t, [tuple(row) for row in rows]) for t, rows in data["columns"]],
            swept=[tuple(s) for s in data["swept"]],
        )


def new_state(reference_price: float, config: HeatmapConfig | None = None) -> HeatmapState:
    """An empty map whose bin width is ``config.bin_pct`` percent of ``reference_price`` (rounded)."""
    config = config or HeatmapConfig()
    return HeatmapState(width=bin_width(reference_price, config.bin_pct), config=config)


def _copy(state: HeatmapState) -> HeatmapState:
    return replace(
        state,
        long_bins=dict(state.long_bins),
        short_bins=dict(state.short_bins),
        columns=list(state.columns),
        swept=list(state.swept),
    )


def sweep(state: HeatmapState, *, low: float | None, high: float | None, time: float) -> HeatmapState:
    """A copy of ``state`` with the bins the range ``[low, high]`` traded through cleared (rule 5)."""
    out = _copy(state)
    cleared: list[tuple[float, str, float, float]] = []
    if low is not None:
        for k in [k for k in out.long_bins if low <= out.edges(k)[0]]:
            cleared.append((time, "long", out.edges(k)[0], out.long_bins.pop(k)))
    if high is not None:
        for k in [k for k in out.short_bins if high >= out.edges(k)[1]]:
            cleared.append((time, "short", out.edges(k)[0], out.short_bins.pop(k)))
    if cleared:
        out.swept = [*out.swept, *sorted(cleared)][-out.config.swept_log :]
    return out


def observe(
    state: HeatmapState,
    *,
    time: float,
    open_interest: float,
    vwap: float,
    low: float | None = None,
    high: float | None = None,
) -> HeatmapState:
    """A copy of ``state`` after one observation (rules 1-5): sweep ``[low, high]``, then apply the OI change.

    ``time`` is epoch seconds, ``open_interest`` quote notional, ``vwap`` the period's volume-weighted price.
    """
    if open_interest < 0 or vwap <= 0:
        raise ValueError("open_interest must be >= 0 and vwap > 0")
    out = sweep(state, low=low, high=high, time=time)
    before = out.open_interest
    change = open_interest if before is None else open_interest - before
    if change > 0:
        for level in liquidation_levels(vwap, out.config):
            bins = out.long_bins if level.side == "long" else out.short_bins
            k = out.bin_of(level.price)
            bins[k] = bins.get(k, 0.0) + change * level.weight
    elif change < 0 and before:
        factor = open_interest / before
        out.long_bins = {k: v * factor for k, v in out.long_bins.items()}
        out.short_bins = {k: v * factor for k, v in out.short_bins.items()}
    out.long_bins, out.short_bins = _pruned(out.long_bins), _pruned(out.short_bins)
    out.open_interest, out.last_price, out.updated_at = float(open_interest), float(vwap), float(time)
    out.columns = [*out.columns, (float(time), rows(out))][-out.config.history :]
    return out


def _pruned(bins: dict[int, float]) -> dict[int, float]:
    total = sum(bins.values())
    return {k: v for k, v in bins.items() if v > total * PRUNE_FRACTION} if total > 0 else {}


def rows(state: HeatmapState) -> list[tuple[float, float, float]]:
    """``(bin lower edge, long notional, short notional)`` for every non-empty bin, by price."""
    keys = sorted(set(state.long_bins) | set(state.short_bins))
    return [(state.edges(k)[0], state.long_bins.get(k, 0.0), state.short_bins.get(k, 0.0)) for k in keys]


def cleared_share(state: HeatmapState, price_from: float, price_to: float) -> float:
    """Share in [0, 1] of the estimated liquidations a move from ``price_from`` to ``price_to`` clears.

    A rise clears shorts, a fall longs: the notional of that side's bins lying wholly inside
    ``[min, max]`` of the two prices over that side's total outstanding notional.
    """
    bins = state.short_bins if price_to >= price_from else state.long_bins
    total = sum(bins.values())
    if total <= 0:
        return 0.0
    lo, hi = min(price_from, price_to), max(price_from, price_to)
    inside = 0.0
    for k, amount in bins.items():
        bottom, top = state.edges(k)
        if lo <= bottom * (1 + 1e-12) and top <= hi * (1 + 1e-12):
            inside += amount
    return min(1.0, inside / total)


def bin_events(events: Iterable[tuple[float, str, float, float]], width: float) -> list[tuple[float, float, float]]:
    """Real liquidations ``(time, side, price, qty)`` binned on the map's grid: ``(lower edge, long, short)``.

    ``side`` is the liquidated position's side: ``long`` (also ccxt's ``sell``: a long is closed by a forced
    sell) or ``short`` (``buy``). Amounts are notional ``price * qty``.
    """
    long_side, short_side = {"long", "sell"}, {"short", "buy"}
    bins: dict[int, list[float]] = {}
    for _, side, price, qty in events:
        side = str(side).lower()
        if side not in long_side | short_side or price <= 0 or qty <= 0:
            continue
        k = math.floor(price / width + 1e-9)
        slot = bins.setdefault(k, [0.0, 0.0])
        slot[0 if side in long_side else 1] += price * qty
    return [(k * width, v[0], v[1]) for k, v in sorted(bins.items())]
