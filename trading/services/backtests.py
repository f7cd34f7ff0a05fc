"""User backtests: parameters, validation when created, the run (a Celery task calls ``backtest_run``).

A backtest runs the live engine (with the user's parameters) over the stored candles of one symbol and
timeframe, read as a live run reads them (``trading.services.series``): ``FLAXU_SIGNAL_LOOKBACK_BARS - 1``
candles before the period, so its first bar is judged on the window the live run on that bar saw, and
5m/15m with 1h/4h context through ``analyze_mtf``; only signals confirmed inside the period are traded,
by ``run_backtest`` on the period's candles (with the period's 1-minute candles, when stored, to settle
candles that touch both stop and target).
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from core.errors import Refused
from core.realtime.push import push_to_user
from market.models import Candle
from market.selectors.candles import candle_exchanges, candle_frame
from market.sources import get_source
from trading import conf
from trading.engine.backtest import BacktestConfig, BacktestResult, run_backtest
from trading.engine.timeframes import timeframe_to_timedelta
from trading.models import Backtest, BacktestTrade
from trading.models.fields import AMOUNT, PRICE, SIZE, to_decimal
from trading.services.calibration import calibration_rows
from trading.services.series import closed_by, context_frames, series_analysis, warmup_start

logger = logging.getLogger(__name__)

MIN_CANDLES = 60
EQUITY_POINTS = 1000
MAX_MINUTE_CANDLES = 2_000_000
BACKTEST_EVENT = "backtest"
PROGRESS_INTERVAL = 0.5  # seconds: a running backtest's row (and its owner's page) hears of progress at most this often
LOAD_PART_CANDLES = 20_000  # candles are read in parts of about this many, reporting progress after each
LOAD_PARTS = 20
_PLACES, _AMOUNT, _SIZE = PRICE["decimal_places"], AMOUNT["decimal_places"], SIZE["decimal_places"]


@dataclass(frozen=True)
class Parameter:
    """One backtest parameter: how the form and the API accept it, and its default."""

    name: str
    label: str
    kind: type  # int, float, bool or str (with choices)
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    group: str = "trading"  # "signals" (the engine) or "trading" (the simulation)

    def initial(self) -> Any:
        return self.default() if callable(self.default) else self.default


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "min_confidence",
        "Minimum confidence",
        int,
        conf.signal_min_confidence,
        0,
        100,
        help="Only signals at or above this confidence are traded.",
        group="signals",
    ),
    Parameter(
        "swing_size",
        "Swing pivot size (bars)",
        int,
        50,
        5,
        200,
        help="A swing high/low is confirmed this many bars after it.",
        group="signals",
    ),
    Parameter("internal_size", "Internal pivot size (bars)", int, 5, 2, 30, group="signals"),
    Parameter(
        "sl_atr_buffer",
        "Stop buffer (\u00d7 ATR)",
        float,
        0.25,
        0,
        3,
        help="The stop sits this far beyond the invalidation level.",
        group="signals",
    ),
    Parameter("tp1_rr", "Take profit 1 (R)", float, 2.0, 0.5, 10, help="1:2 by default.", group="signals"),
    Parameter("tp2_rr", "Take profit 2 (R)", float, 3.0, 0.5, 20, help="1:3 by default.", group="signals"),
    Parameter("initial_equity", "Initial equity (USDT)", float, 10_000.0, 100, 1_000_000_000),
    Parameter("risk_pct", "Risk per trade (%)", float, 1.0, 0.05, 10, help="Share of equity lost at a full stop."),
    Parameter("max_leverage", "Maximum leverage (\u00d7)", float, 10.0, 1, 125),
    Parameter(
        "entry",
        "Entry",
        str,
        "market",
        choices=("market", "limit"),
        help="Market: next candle's open. Limit: at the signal's entry price.",
    ),
    Parameter("tp1_close_pct", "Closed at TP1 (%)", float, 50.0, 1, 100),
    Parameter("breakeven_after_tp1", "Stop to break-even after TP1", bool, True),
    Parameter("taker_fee_pct", "Taker fee (%)", float, 0.05, 0, 1),
    Parameter("maker_fee_pct", "Maker fee (%)", float, 0.02, -0.1, 1),
    Parameter("slippage_bps", "Slippage (basis points)", float, 1.0, 0, 100),
    Parameter("funding_rate_pct", "Funding per 8 h (%)", float, 0.01, -1, 1, help="Paid by longs when positive."),
    Parameter("max_holding_bars", "Maximum holding (bars)", int, 0, 0, 100_000, help="0: no limit."),
    Parameter("use_minute_data", "Settle same-candle stop/target with 1-minute candles", bool, True),
)
PARAMETER = {p.name: p for p in PARAMETERS}


class BacktestInvalid(Refused):
    """The backtest cannot run as asked; ``errors`` maps a field (or ``period``) to messages."""


def parameters_with_defaults(parameters: dict[str, Any] | None) -> dict[str, Any]:
    """Every parameter, the given ones (already type-checked) over the defaults; unknown names dropped."""
    given = parameters or {}
    return {p.name: given[p.name] if given.get(p.name) is not None else p.initial() for p in PARAMETERS}


def normalize_symbol(symbol: str) -> str:
    """``BTC``, ``btcusdt`` or ``BTC-USDT`` -> ``BTC/USDT:USDT`` (ccxt's perpetual form); others unchanged."""
    text = (symbol or "").strip()
    if "/" in text or not text:
        return text
    base = text.upper().replace("-", "").replace("_", "")
    base = base.removesuffix("USDT") or base
    return f"{base}/USDT:USDT"


def _range_span(exchange: str, symbol: str, timeframe: str, start: datetime, end: datetime) -> dict[str, Any]:
    """Count, first and last open time of the stored candles in [start, end) (one query)."""
    return Candle.objects.filter(
        exchange=exchange, symbol=symbol, timeframe=timeframe, open_time__gte=start, open_time__lt=end
    ).aggregate(count=Count("pk"), first=Min("open_time"), last=Max("open_time"))


def _stored_span(exchange: str, symbol: str, timeframe: str) -> tuple[datetime, datetime] | None:
    qs = Candle.objects.filter(exchange=exchange, symbol=symbol, timeframe=timeframe).order_by("open_time")
    first = qs.values_list("open_time", flat=True).first()
    last = qs.reverse().values_list("open_time", flat=True).first()
    return (first, last) if first else None


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def backtest_check(
    *, symbol: str, timeframe: str, start: datetime, end: datetime, parameters: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Validate a backtest request against stored data; the normalized request, or ``BacktestInvalid``.

    Errors: unknown symbol or timeframe, empty or reversed period, an end in the future, no stored
    candles in it, fewer than ``MIN_CANDLES`` or more than ``FLAXU_BACKTEST_MAX_CANDLES`` candles, TP2
    closer than TP1. A period only partly stored is accepted: ``effective_start``/``effective_end`` say
    which part has candles (equal to ``start``/``end`` when less than one candle is missing at an edge).
    """
    errors: dict[str, list[str]] = {}
    source = get_source()
    exchange = candle_exchanges(source)[0]
    symbol = normalize_symbol(symbol)
    params = parameters_with_defaults(parameters)

    universe = source.universe()
    if symbol not in universe and not Candle.objects.filter(exchange=exchange, symbol=symbol).exists():
        shown = ", ".join(universe[:12]) + (", …" if len(universe) > 12 else "")
        errors.setdefault("symbol", []).append(f"Unknown symbol {symbol!r}. FLAXU follows {shown}.")
    if start.tzinfo is None or end.tzinfo is None:
        errors.setdefault("period", []).append("Give the start and end with a time zone (UTC).")
    elif end <= start:
        errors.setdefault("end", []).append(
            "The period is empty: the end must be after the start."
            if end == start
            else "The period is reversed: the end is before the start."
        )
    elif end > (now := source.now()):
        errors.setdefault("end", []).append(
            f"The end is in the future: history can only be tested up to now ({_when(now)})."
        )
    if params["tp2_rr"] < params["tp1_rr"]:
        errors.setdefault("tp2_rr", []).append("Take profit 2 must be at least as far as take profit 1.")
    if errors:
        raise BacktestInvalid(errors=errors)

    step = timeframe_to_timedelta(timeframe).to_pytimedelta()
    limit = conf.backtest_max_candles()
    expected = int((end - start) / step)
    stored = _range_span(exchange, symbol, timeframe, start, end)
    count = stored["count"]
    where = f"{symbol} {timeframe} between {_when(start)} and {_when(end)}"
    if count == 0:
        span = _stored_span(exchange, symbol, timeframe)
        covers = (
            f"stored {timeframe} history covers {_when(span[0])} to {_when(span[1] + step)}"
            if span
            else f"no {timeframe} candles of {symbol} are stored yet"
        )
        errors["period"] = [f"No stored candles for {where}; {covers}."]
    elif count > limit:
        errors["period"] = [
            f"That period holds {count:,} {timeframe} candles; a backtest may use at most {limit:,}. "
            "Shorten the period or choose a larger timeframe."
        ]
    elif count < MIN_CANDLES:
        errors["period"] = [f"Only {count} stored candles for {where}; a backtest needs at least {MIN_CANDLES}."]
    if errors:
        raise BacktestInvalid(errors=errors)
    first, last_close = stored["first"], stored["last"] + step
    return {
        "exchange": exchange,
        "symbol": symbol,
        "timeframe": timeframe,
        "start": start,
        "end": end,
        "effective_start": first if first - start >= step else start,
        "effective_end": last_close if end - last_close >= step else end,
        "parameters": params,
        "candles": count,
        "expected_candles": expected,
    }


def backtest_create(
    *, user, symbol: str, timeframe: str, start: datetime, end: datetime, parameters: dict[str, Any] | None = None
) -> Backtest:
    """Validate (``BacktestInvalid``), save a queued backtest and start its Celery task after commit."""
    from trading.tasks import run_backtest as run_backtest_task

    request = backtest_check(symbol=symbol, timeframe=timeframe, start=start, end=end, parameters=parameters)
    backtest = Backtest.objects.create(
        user=user,
        exchange=request["exchange"],
        symbol=request["symbol"],
        timeframe=request["timeframe"],
        start=request["start"],
        end=request["end"],
        effective_start=request["effective_start"],
        effective_end=request["effective_end"],
        parameters=request["parameters"],
        candles=request["candles"],
    )
    transaction.on_commit(lambda: run_backtest_task.delay(backtest.pk))
    return backtest


def backtest_event(backtest: Backtest) -> dict[str, Any]:
    return {
        "id": backtest.pk,
        "status": backtest.status,
        "progress": backtest.progress,
        "error": backtest.error,
    }


def _progress(backtest: Backtest, progress: int, callback: Callable[[int], None] | None, **fields) -> None:
    backtest.progress = progress
    for name, value in fields.items():
        setattr(backtest, name, value)
    Backtest.objects.filter(pk=backtest.pk).update(progress=progress, **fields)
    push_to_user(backtest.user_id, BACKTEST_EVENT, backtest_event(backtest))
    if callback is not None:
        callback(progress)


class _Progress:
    """A running backtest's progress, written to its row and pushed at most every ``interval`` seconds.

    Stages map their own share done (0-1) onto a span of the 0-100 bar; 100 is written only with the
    results, so the bar never says done before they are there.
    """

    def __init__(self, backtest: Backtest, callback: Callable[[int], None] | None, interval: float):
        self.backtest, self.callback, self.interval = backtest, callback, interval
        self.written = time.monotonic()  # the caller has just written the start

    def report(self, percent: float) -> None:
        percent = min(int(percent), 99)
        if percent <= self.backtest.progress or time.monotonic() - self.written < self.interval:
            return
        _progress(self.backtest, percent, self.callback)
        self.written = time.monotonic()

    def stage(self, low: float, high: float) -> Callable[[float], None]:
        """A callback taking a share done (0-1) of a stage spanning ``low``-``high`` % of the bar."""
        return lambda share: self.report(low + (high - low) * min(max(float(share), 0.0), 1.0))


def _candles_in_parts(
    backtest: Backtest, timeframe: str, start: datetime, end: datetime, progress: Callable[[float], None]
) -> pd.DataFrame:
    """``candle_frame`` over [start, end), read in parts of about ``LOAD_PART_CANDLES`` to report progress."""
    step = timeframe_to_timedelta(timeframe).to_pytimedelta()
    parts = max(1, min(LOAD_PARTS, int((end - start) / step) // LOAD_PART_CANDLES))
    edges = [start + (end - start) * i / parts for i in range(parts)] + [end]
    frames = []
    for i in range(parts):
        frames.append(candle_frame(backtest.exchange, backtest.symbol, timeframe, start=edges[i], end=edges[i + 1]))
        progress((i + 1) / parts)
    return frames[0] if parts == 1 else pd.concat(frames)


def _configs(params: dict[str, Any]):
    engine = conf.engine_config(
        swing_size=int(params["swing_size"]),
        internal_size=int(params["internal_size"]),
        sl_atr_buffer=float(params["sl_atr_buffer"]),
        tp1_rr=float(params["tp1_rr"]),
        tp2_rr=float(params["tp2_rr"]),
        report_confidence=min(conf.engine_config().report_confidence, int(params["min_confidence"])),
        # The setups are judged with the costs this backtest trades at (the cost filter, expected R).
        taker_fee=float(params["taker_fee_pct"]) / 100.0,
        slippage_bps=float(params["slippage_bps"]),
    )
    simulation = BacktestConfig(
        initial_equity=float(params["initial_equity"]),
        risk_per_trade=float(params["risk_pct"]) / 100.0,
        max_leverage=float(params["max_leverage"]),
        entry=params["entry"],
        tp1_fraction=float(params["tp1_close_pct"]) / 100.0,
        breakeven_after_tp1=bool(params["breakeven_after_tp1"]),
        max_holding_bars=int(params["max_holding_bars"]) or None,
        taker_fee=float(params["taker_fee_pct"]) / 100.0,
        maker_fee=float(params["maker_fee_pct"]) / 100.0,
        slippage_bps=float(params["slippage_bps"]),
        funding_rate=float(params["funding_rate_pct"]) / 100.0,
    )
    return engine, simulation


def backtest_run(
    *,
    backtest_id: int,
    progress_callback: Callable[[int], None] | None = None,
    progress_interval: float = PROGRESS_INTERVAL,
) -> Backtest:
    """Run a queued backtest to the end: progress 0-100 saved and pushed to its owner, results or an error saved.

    Progress is written at most every ``progress_interval`` seconds (``progress_callback`` hears each write):
    reading candles 1-25 %, finding signals 25-50 %, reading 1-minute candles 50-65 %, simulating 65-95 %.
    """
    backtest = Backtest.objects.get(pk=backtest_id)
    if backtest.status == Backtest.Status.DONE:
        return backtest  # a redelivered task: the results are already there
    _progress(backtest, 1, progress_callback, status=Backtest.Status.RUNNING, started_at=timezone.now(), error="")
    progress = _Progress(backtest, progress_callback, progress_interval)
    try:
        params = parameters_with_defaults(backtest.parameters)
        engine_config, simulation = _configs(params)
        warmup = warmup_start(backtest.timeframe, backtest.start)
        frame = _candles_in_parts(backtest, backtest.timeframe, warmup, backtest.end, progress.stage(1, 25))
        frame = closed_by(frame, backtest.timeframe, backtest.end)
        first = int(np.searchsorted(frame.index.asi8, pd.Timestamp(backtest.start).value, side="left"))
        period = frame.iloc[first:]
        if len(period) < MIN_CANDLES:
            raise BacktestInvalid(f"Only {len(period)} stored candles remain in the period.", field="period")

        # Context as the live run on the period's first bar read it.
        first_bar = frame.index[first].to_pydatetime()
        context = context_frames(backtest.exchange, backtest.symbol, backtest.timeframe, first=first_bar,
                                 end=backtest.end)  # fmt: skip
        signals = series_analysis(frame, backtest.timeframe, context, engine_config).signals
        signals = signals[(signals["confirmed"] >= first) & (signals["confidence"] >= int(params["min_confidence"]))]
        signals = signals.assign(confirmed=signals["confirmed"] - first).reset_index(drop=True)
        progress.report(50)

        minutes = None
        if params["use_minute_data"] and backtest.timeframe != "1m":
            minutes = _candles_in_parts(backtest, "1m", backtest.start, backtest.end, progress.stage(50, 65))
            if minutes.empty or len(minutes) > MAX_MINUTE_CANDLES:
                minutes = None
        result = run_backtest(period, signals, simulation, minute_candles=minutes, progress=progress.stage(65, 95))

        with transaction.atomic():
            BacktestTrade.objects.filter(backtest=backtest).delete()
            BacktestTrade.objects.bulk_create(_trade_rows(backtest, result), batch_size=1000)
            backtest.candles = len(period)
            backtest.signals = len(signals)
            backtest.stats = {**_plain(dataclasses.asdict(result.stats)), "minute_data": minutes is not None}
            backtest.equity = _equity_points(result.equity)
            backtest.calibration = calibration_rows(result.calibration)
            backtest.status = Backtest.Status.DONE
            backtest.progress = 100
            backtest.finished_at = timezone.now()
            backtest.save()
            push_to_user(backtest.user_id, BACKTEST_EVENT, backtest_event(backtest))
        if progress_callback is not None:
            progress_callback(100)
    except Exception as exc:
        if isinstance(exc, BacktestInvalid):
            message = str(exc)
        else:
            logger.exception("backtest %s failed", backtest_id)
            message = f"The backtest failed ({type(exc).__name__}); it has been logged."
        _progress(
            backtest,
            backtest.progress,
            progress_callback,
            status=Backtest.Status.FAILED,
            error=message,
            finished_at=timezone.now(),
        )
    return backtest


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe statistics: NaN and infinities become None (profit factor with no loss is None, see losses)."""
    out = {}
    for key, value in values.items():
        if isinstance(value, float | np.floating):
            value = float(value)
            out[key] = value if math.isfinite(value) else None
        elif isinstance(value, np.integer):
            out[key] = int(value)
        else:
            out[key] = value
    return out


def _equity_points(equity: pd.Series) -> list[list[float]]:
    """At most EQUITY_POINTS ``[epoch seconds, equity]`` pairs, first and last included."""
    n = len(equity)
    if n == 0:
        return []
    picks = np.unique(np.linspace(0, n - 1, min(n, EQUITY_POINTS)).round().astype(np.int64))
    seconds = equity.index.asi8[picks] // 1_000_000_000
    values = equity.to_numpy(np.float64)[picks]
    return [[int(t), round(float(v), 2)] for t, v in zip(seconds, values, strict=True)]


def _moment(value) -> datetime | None:
    return None if pd.isna(value) else pd.Timestamp(value).to_pydatetime()


def _trade_rows(backtest: Backtest, result: BacktestResult) -> list[BacktestTrade]:
    rows = []
    for number, t in enumerate(result.trades.itertuples(index=False), start=1):
        rows.append(
            BacktestTrade(
                backtest=backtest,
                number=number,
                setup=str(t.setup),
                confidence=None if pd.isna(t.confidence) else round(t.confidence),
                side=str(t.side),
                entry_time=_moment(t.entry_time),
                entry_price=to_decimal(t.entry_price, _PLACES),
                stop_loss=to_decimal(t.stop_loss, _PLACES),
                take_profit_1=to_decimal(t.take_profit_1, _PLACES),
                take_profit_2=to_decimal(t.take_profit_2, _PLACES),
                size=to_decimal(t.size, _SIZE),
                notional=to_decimal(t.notional, _AMOUNT),
                tp1_hit=bool(t.tp1_hit),
                tp1_time=_moment(t.tp1_time),
                tp1_price=to_decimal(t.tp1_price, _PLACES),
                exit_time=_moment(t.exit_time),
                exit_price=to_decimal(t.exit_price, _PLACES),
                exit_reason=str(t.exit_reason),
                gross_pnl=to_decimal(t.gross_pnl, _AMOUNT),
                fees=to_decimal(t.fees, _AMOUNT),
                funding=to_decimal(t.funding, _AMOUNT),
                pnl=to_decimal(t.pnl, _AMOUNT),
                r_multiple=to_decimal(t.r_multiple, 4),
                bars_held=int(t.bars_held),
                equity_before=to_decimal(t.equity_before, _AMOUNT),
            )
        )
    return rows
