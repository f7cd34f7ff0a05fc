"""What the platform traded, for the staff overview: paper and live apart, counted by the database.

Over a period [since, until): trades *executed* are those whose entry filled (OPEN or CLOSED) opened in it;
win rate and PnL are over trades *closed* in it (PnL net of fees and funding; a win is PnL > 0); signals
*generated* are live signals known in it (backfilled ones are never executed, so they are left out), and
*executed* those of them at least one user's trade opened on. Open positions and paused users are now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDay

from adminpanel.selectors.days import as_date, midnight
from adminpanel.selectors.users import EXECUTED
from trading.models import Mode, Signal, SignalType, Trade, TradingControl, TradingProfile

MODES = (Mode.PAPER, Mode.LIVE)
ZERO = Decimal("0")
MONEY = DecimalField(max_digits=28, decimal_places=8)


@dataclass
class ModeFigures:
    mode: str
    executed: int = 0
    open_positions: int = 0
    closed: int = 0
    wins: int = 0
    pnl: Decimal = ZERO
    pnl_by_strategy: dict[str, Decimal] = field(default_factory=dict)  # signal type -> net PnL of closed trades
    closed_by_strategy: dict[str, int] = field(default_factory=dict)
    signals_executed: int = 0

    @property
    def win_rate(self) -> float | None:
        return self.wins / self.closed if self.closed else None


@dataclass
class TradingFigures:
    paper: ModeFigures
    live: ModeFigures
    signals_generated: int
    automation_paused: int  # users whose automation is paused now (daily loss limit or staff)
    global_pause: bool

    @property
    def modes(self) -> tuple[ModeFigures, ModeFigures]:
        return (self.paper, self.live)

    def by_strategy(self) -> list[tuple[str, str, list[tuple[str, Decimal | None, int]]]]:
        """Per strategy: its value, its label, and (mode, net PnL or None, closed trades) for paper then live."""
        return [
            (
                strategy,
                label,
                [(m.mode, m.pnl_by_strategy.get(strategy), m.closed_by_strategy.get(strategy, 0)) for m in self.modes],
            )
            for strategy, label in SignalType.choices
        ]


def _between(rows: QuerySet, name: str, since: datetime | None, until: datetime) -> QuerySet:
    rows = rows.filter(**{f"{name}__lt": until})
    return rows.filter(**{f"{name}__gte": since}) if since is not None else rows


def trading_figures(*, since: datetime | None, until: datetime, now: datetime) -> TradingFigures:
    """The trading figures of the period, per mode (a fixed handful of queries)."""
    by_mode = {mode: ModeFigures(mode=mode) for mode in MODES}

    opened = _between(Trade.objects.filter(status__in=EXECUTED), "opened_at", since, until)
    for row in opened.values("mode").annotate(n=Count("pk")).order_by():
        by_mode[row["mode"]].executed = row["n"]

    for row in Trade.objects.filter(status=Trade.Status.OPEN).values("mode").annotate(n=Count("pk")).order_by():
        by_mode[row["mode"]].open_positions = row["n"]

    closed = _between(Trade.objects.filter(status=Trade.Status.CLOSED, pnl__isnull=False), "closed_at", since, until)
    per_strategy = (
        closed.values("mode", "signal_type")
        .annotate(n=Count("pk"), wins=Count("pk", filter=Q(pnl__gt=0)), pnl_sum=Sum("pnl"))
        .order_by("mode", "signal_type")
    )
    for row in per_strategy:
        figures = by_mode[row["mode"]]
        figures.closed += row["n"]
        figures.wins += row["wins"]
        figures.pnl += row["pnl_sum"]
        figures.pnl_by_strategy[row["signal_type"]] = row["pnl_sum"]
        figures.closed_by_strategy[row["signal_type"]] = row["n"]

    signals = _between(Signal.objects.filter(historical=False), "known_at", since, until)
    acted_on = Trade.objects.filter(signal=OuterRef("pk"), status__in=EXECUTED)
    signal_counts = signals.aggregate(
        generated=Count("pk"),
        **{f"executed_{mode}": Count("pk", filter=Q(Exists(acted_on.filter(mode=mode)))) for mode in MODES},
    )
    for mode in MODES:
        by_mode[mode].signals_executed = signal_counts[f"executed_{mode}"]

    return TradingFigures(
        paper=by_mode[Mode.PAPER],
        live=by_mode[Mode.LIVE],
        signals_generated=signal_counts["generated"],
        automation_paused=TradingProfile.objects.filter(paused_until__gt=now).count(),
        global_pause=TradingControl.objects.filter(paused=True).exists(),
    )


@dataclass(frozen=True)
class DailyTrading:
    trades: dict[str, dict[date, int]]  # mode -> day -> trades opened
    pnl: dict[str, dict[date, Decimal]]  # mode -> day -> net PnL of trades closed


def trading_per_day(*, since: date, until: date) -> DailyTrading:
    """Trades opened and PnL realised per UTC day in [since, until), per mode (two grouped queries)."""
    start, end = midnight(since), midnight(until)
    trades: dict[str, dict[date, int]] = {mode: {} for mode in MODES}
    pnl: dict[str, dict[date, Decimal]] = {mode: {} for mode in MODES}
    opened = (
        Trade.objects.filter(status__in=EXECUTED, opened_at__gte=start, opened_at__lt=end)
        .annotate(day=TruncDay("opened_at"))
        .values("mode", "day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in opened:
        trades[row["mode"]][as_date(row["day"])] = row["n"]
    realised = (
        Trade.objects.filter(status=Trade.Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(day=TruncDay("closed_at"))
        .values("mode", "day")
        .annotate(total=Coalesce(Sum("pnl"), Value(ZERO), output_field=MONEY))
        .order_by()
    )
    for row in realised:
        pnl[row["mode"]][as_date(row["day"])] = row["total"]
    return DailyTrading(trades=trades, pnl=pnl)
