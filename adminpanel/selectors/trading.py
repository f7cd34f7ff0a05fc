"""What the platform traded, for the staff overview: paper and live apart, counted by the database.

Over a period [since, until): trades *executed* are those whose entry filled (OPEN or CLOSED) opened in it;
win rate and PnL are over trades *closed* in it (PnL net of fees and funding; a win is PnL > 0); signals
*generated* are live signals known in it (backfilled ones are never executed, so they are left out), and
*executed* those of them at least one user's trade opened on. Open positions and paused users are now.
Every account's trades count (a staff member's test trades too): these are what the platform executed.
The per-day counts of whole days come from the rollup (adminpanel.services.trading_rollup) where it has been
computed, the rest from the trades: both by the same grouped queries (opened_per_day, closed_per_day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Least, TruncDay

from adminpanel.models import TradesClosedDay, TradesOpenedDay, TradingRollupMark
from adminpanel.selectors.days import as_date, midnight
from adminpanel.selectors.users import EXECUTED
from trading.models import Mode, Signal, SignalType, Trade, TradingControl, TradingProfile

MODES = (Mode.PAPER, Mode.LIVE)
ZERO = Decimal("0")
# COUNT(*), not COUNT(id): PostgreSQL then answers from the dashboard's indexes alone (trading 0013), without
# reading the trades' rows.
ROWS = Count("*")
MARK = 1  # TradingRollupMark's only row
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # before any trade: "no rollup" counts everything live


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


@dataclass(frozen=True)
class TradingDays:
    """What was traded per UTC day of a period: the two scans the overview's figures and charts share."""

    opened: dict[tuple[str, date], int]  # (mode, day) -> trades executed (entry filled) opened that day
    closed: dict[tuple[str, str, date], tuple[int, int, Decimal]]  # (mode, strategy, day) -> (closed, wins, net PnL)

    def first_day(self) -> date | None:
        days = [day for _, day in self.opened] + [day for _, _, day in self.closed]
        return min(days) if days else None


def opened_per_day(*, since: datetime | None, until: datetime) -> QuerySet:
    """Rows (mode, day, n): trades executed (entry filled) opened per mode and UTC day in [since, until)."""
    return (
        _between(Trade.objects.filter(status__in=EXECUTED), "opened_at", since, until)
        .annotate(day=TruncDay("opened_at"))
        .values("mode", "day")
        .annotate(n=ROWS)
        .order_by()
    )


def closed_per_day(*, since: datetime | None, until: datetime) -> QuerySet:
    """Rows (mode, signal_type, day, n, wins, pnl_sum): trades closed with a PnL per mode, strategy and UTC day
    in [since, until); a win is PnL > 0."""
    return (
        _between(Trade.objects.filter(status=Trade.Status.CLOSED, pnl__isnull=False), "closed_at", since, until)
        .annotate(day=TruncDay("closed_at"))
        .values("mode", "signal_type", "day")
        .annotate(n=ROWS, wins=Count("pnl", filter=Q(pnl__gt=0)), pnl_sum=Sum("pnl"))
        .order_by()
    )


def as_trading_days(opened: Iterable[dict], closed: Iterable[dict]) -> TradingDays:
    """TradingDays from rows of opened_per_day and closed_per_day (a day met twice is added up)."""
    opened_days: dict[tuple[str, date], int] = {}
    for row in opened:
        key = (row["mode"], as_date(row["day"]))
        opened_days[key] = opened_days.get(key, 0) + row["n"]
    closed_days: dict[tuple[str, str, date], tuple[int, int, Decimal]] = {}
    for row in closed:
        key = (row["mode"], row["signal_type"], as_date(row["day"]))
        n, wins, pnl = closed_days.get(key, (0, 0, ZERO))
        closed_days[key] = (n + row["n"], wins + row["wins"], pnl + row["pnl_sum"])
    return TradingDays(opened=opened_days, closed=closed_days)


def live_trading_days(*, since: datetime | None, until: datetime) -> TradingDays:
    """trading_days counted from the trades alone (what the rollup stores for a day)."""
    return as_trading_days(opened_per_day(since=since, until=until), closed_per_day(since=since, until=until))


def _day_floor(instant: datetime) -> datetime:
    return midnight(as_date(instant))


def _day_ceil(instant: datetime) -> datetime:
    floor = _day_floor(instant)
    return floor if floor == instant else floor + timedelta(days=1)


def trading_days(*, since: datetime | None, until: datetime) -> TradingDays:
    """Trades executed, and trades closed with their wins and net PnL, per mode (and strategy) and UTC day in
    [since, until) (since None: from the start). Two queries: each reads the rollup's whole days of the period
    below TradingRollupMark.computed_until, UNION ALL the trades counted live for the rest (today, a day the
    rollup has not reached, a partial day at either end; everything when there is no rollup yet). The mark is
    a subquery of the same statement, so the rows and the mark are one snapshot."""
    computed_until = Subquery(TradingRollupMark.objects.filter(pk=MARK).values("computed_until")[:1])
    # Whole days of the period the rollup may answer for: [first, last) and below computed_until.
    first = _day_ceil(since) if since is not None else None
    last = _day_floor(until)
    rolled = Q(day__lt=last) & Q(day__lt=computed_until)
    if first is not None:
        rolled &= Q(day__gte=first)
    # The rest of the period is counted live: before ``first`` (a partial first day), and from where the rollup
    # stops (the earlier of ``last`` and computed_until; no mark: from the start).
    live_from = Least(Value(last), Coalesce(computed_until, Value(EPOCH)))

    def live(rows: QuerySet, field: str) -> QuerySet:
        rest = Q(**{f"{field}__gte": live_from})
        if since is not None and first != since:
            rest |= Q(**{f"{field}__lt": first})
        return rows.filter(rest)

    # The live rows come first: a union's rows take the first query's column names (the columns match by place).
    opened = live(opened_per_day(since=since, until=until), "opened_at").union(
        TradesOpenedDay.objects.filter(rolled).values("mode", "day", n=F("executed")), all=True
    )
    closed = live(closed_per_day(since=since, until=until), "closed_at").union(
        TradesClosedDay.objects.filter(rolled).values(
            "mode", "signal_type", "day", n=F("closed"), won=F("wins"), pnl_sum=F("pnl")
        ),
        all=True,
    )
    return as_trading_days(opened, closed)


def trading_figures(
    *, since: datetime | None, until: datetime, now: datetime, days: TradingDays | None = None
) -> TradingFigures:
    """The trading figures of the period, per mode (``days``: the period's trading_days, if already read)."""
    days = days or trading_days(since=since, until=until)
    by_mode = {mode: ModeFigures(mode=mode) for mode in MODES}
    for (mode, _day), n in days.opened.items():
        by_mode[mode].executed += n
    for (mode, strategy, _day), (n, wins, pnl) in days.closed.items():
        figures = by_mode[mode]
        figures.closed += n
        figures.wins += wins
        figures.pnl += pnl
        figures.pnl_by_strategy[strategy] = figures.pnl_by_strategy.get(strategy, ZERO) + pnl
        figures.closed_by_strategy[strategy] = figures.closed_by_strategy.get(strategy, 0) + n

    for row in Trade.objects.filter(status=Trade.Status.OPEN).values("mode").annotate(n=ROWS).order_by():
        by_mode[row["mode"]].open_positions = row["n"]

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


def trading_per_day(days: TradingDays) -> DailyTrading:
    """Trades opened and net PnL realised per mode and day, for the charts."""
    trades: dict[str, dict[date, int]] = {mode: {} for mode in MODES}
    pnl: dict[str, dict[date, Decimal]] = {mode: {} for mode in MODES}
    for (mode, day), n in days.opened.items():
        trades[mode][day] = n
    for (mode, _strategy, day), (_n, _wins, total) in days.closed.items():
        pnl[mode][day] = pnl[mode].get(day, ZERO) + total
    return DailyTrading(trades=trades, pnl=pnl)
