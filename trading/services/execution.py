"""Execution: ``signal_execute`` is the one path from a trade idea to an order, for every kind of trade:
automatic (an ICT ``Signal``), one-click (a ``SniperAlert``) and manual (``ManualOrder``).

It checks, in this order, each refusal with its reason: access (FULL; 403), the global pause, the
automation settings and pause (automatic only), the idea's freshness, open positions, duplicates (409),
and the size (sizing engine). Then, exactly once:

1. the ``Trade`` is written PENDING, with a client order id derived from the user and the idea (or the
   manual idempotency key), in its own committed transaction, BEFORE the broker is called;
2. the broker places the entry with its stop and target(s) under that id (the gateway never places an
   id twice);
3. the fill is recorded (OPEN), or the refusal (FAILED with the reason: refused by the exchange, or
   never sent); after an outage (``OrderStateUnknown``, 5xx, timeouts, or any unexpected error) the
   trade stays PENDING and ``reconciliation`` settles it by its client order id once the exchange's
   visibility window has passed.

A second call for the same idea meets the database constraint (one trade per user per signal / alert,
unique client order id) and is answered Conflict (409), whatever state the first one reached.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from core.errors import ApplicationError, Conflict, Refused, Unavailable
from core.realtime.push import push_to_user
from gatekeeper.rules import FULL
from gatekeeper.selectors import full_access_refusal
from market import exchanges
from trading import conf
from trading.engine.sizing import SizingRefused, position_size
from trading.models import (
    RewardTarget,
    Signal,
    SignalType,
    SniperAlert,
    Trade,
    TradingProfile,
)
from trading.models.execution import RISK_MAX_PCT, RISK_MIN_PCT
from trading.services import ledger
from trading.services.brokers import broker_for
from trading.services.brokers.base import Broker, EntryRequest
from trading.services.profile import live_mode_refusals
from trading.services.risk import automation_refusal, global_pause_refusal

logger = logging.getLogger(__name__)
ACTIVE = (Trade.Status.PENDING, Trade.Status.OPEN)
SNIPER_FRESH = timedelta(minutes=5)  # a sniper alert's entry is stale this long after its candle closed
TRADE_EVENT = ledger.TRADE_EVENT


# Gateway errors after which no entry order can exist: the exchange refused it, or it was never sent.
NOT_PLACED = (
    exchanges.CircuitOpen,
    exchanges.RateLimited,
    exchanges.InsufficientFunds,
    exchanges.InvalidRequest,
    exchanges.PermissionRefused,
    exchanges.InvalidCredentials,
)


class AccessRefused(ApplicationError):
    """The user may not trade (not FULL, suspended): 403 with the gate's reason."""

    status_code = 403


class AlreadyTraded(Conflict):
    """This idea (signal, alert, or manual idempotency key) already has a trade: 409, nothing placed."""

    def __init__(self, trade: Trade | None):
        self.trade = trade
        named = f" (trade {trade.pk}, {trade.get_status_display().lower()})" if trade is not None else ""
        super().__init__(f"This has already been traded{named}; nothing new was placed.")


@dataclass(frozen=True)
class ManualOrder:
    """A trade the user typed: market entry now, stop, target(s), risk (percent of equity)."""

    symbol: str
    side: str  # LONG | SHORT
    stop_loss: Decimal
    take_profit: Decimal
    idempotency_key: str  # the client's key for this submission: the same key never trades twice
    take_profit_2: Decimal | None = None
    risk_pct: Decimal | None = None  # default: the user's setting; always within 0.25-2 %


@dataclass(frozen=True)
class _Plan:
    """What to trade, whatever the idea was."""

    kind: str
    symbol: str
    side: str
    stop_loss: Decimal
    take_profit: Decimal
    take_profit_2: Decimal | None
    reward_target: str
    risk_pct: Decimal
    max_leverage: int
    confidence: int | None
    key: str


# --- Refusals ------------------------------------------------------------------------------------
def _profile(user: User) -> TradingProfile:
    profile, _ = TradingProfile.objects.get_or_create(
        user=user, defaults={"min_confidence": conf.signal_min_confidence() + 1}
    )
    return profile


def _check_live_allowed(user: User, profile: TradingProfile) -> None:
    """Live orders need, at the moment of trading, what switching to live needed: the acknowledgement, and
    FULL access, 2FA and a connected key (a user who turned 2FA off or removed the key since may not trade
    live; 403 with each reason, as on the settings page)."""
    if profile.live_acknowledged_at is None:
        raise Refused("Live trading needs your acknowledgement of its risks in the trading settings.")
    reasons = live_mode_refusals(user)
    if reasons:
        raise AccessRefused("Live trading is not allowed now: " + " ".join(reasons))


def _targets(reward_target: str, tp1: Decimal, tp2: Decimal) -> tuple[Decimal, Decimal | None]:
    if reward_target == RewardTarget.RR3:
        return tp2, None
    if reward_target == RewardTarget.PARTIAL:
        return tp1, tp2
    return tp1, None


def _signal_plan(user: User, profile: TradingProfile, signal: Signal, now: datetime, by_hand: bool) -> _Plan:
    """``by_hand``: the user's one click on the signal; the automation settings (on/off, pause, minimum
    confidence, allowed symbols) choose what automation trades, not what the user may trade by hand."""
    floor = conf.signal_min_confidence() + 1
    if not by_hand:
        refusal = automation_refusal(user, profile)
        if refusal:
            raise Refused(refusal)
        floor = max(profile.min_confidence, floor)
    if signal.confidence < floor:
        raise Refused(f"The signal's confidence {signal.confidence} is below your minimum of {floor}.")
    if not by_hand and profile.symbols and signal.symbol not in profile.symbols:
        raise Refused(f"{signal.symbol} is not in your allowed symbols.")
    verdict = signal.verdict
    if not verdict.auto_executable:
        raise Refused(f"This signal is not executed automatically: {verdict.reason}")
    if not signal.is_fresh_for_execution(now):
        raise Refused(
            f"The signal is stale: it became known at {signal.known_at:%Y-%m-%d %H:%M} UTC and its "
            f"{signal.timeframe} entry is no longer valid."
        )
    tp, tp2 = _targets(profile.reward_target, signal.take_profit_1, signal.take_profit_2)
    return _Plan(
        kind=SignalType.ICT,
        symbol=signal.symbol,
        side=signal.direction,
        stop_loss=signal.stop_loss,
        take_profit=tp,
        take_profit_2=tp2,
        reward_target=profile.reward_target,
        risk_pct=profile.risk_pct,
        max_leverage=profile.max_leverage,
        confidence=signal.confidence,
        key=f"{user.pk}:signal:{signal.pk}",
    )


def _alert_plan(user: User, profile: TradingProfile, alert: SniperAlert, now: datetime) -> _Plan:
    closed = alert.time + timedelta(minutes=1)
    if now > closed + SNIPER_FRESH:
        raise Refused(f"The sniper alert is stale: it fired at {closed:%H:%M} UTC; its entry is no longer valid.")
    return _Plan(
        kind=SignalType.SNIPER,
        symbol=alert.symbol,
        side=alert.direction,
        stop_loss=alert.stop_loss,
        take_profit=alert.take_profit,
        take_profit_2=None,
        reward_target=RewardTarget.RR2,  # one target: all of it there
        risk_pct=profile.sniper_risk_pct,
        max_leverage=min(profile.sniper_leverage, profile.max_leverage),
        confidence=None,
        key=f"{user.pk}:alert:{alert.pk}",
    )


def _manual_plan(user: User, profile: TradingProfile, order: ManualOrder) -> _Plan:
    if order.side not in (Trade.Side.LONG, Trade.Side.SHORT):
        raise Refused("The side is LONG or SHORT.", field="side")
    if not order.idempotency_key or len(order.idempotency_key) > 100:
        raise Refused("An idempotency key (1-100 characters) is required.", field="idempotency_key")
    risk = profile.risk_pct if order.risk_pct is None else order.risk_pct
    if not RISK_MIN_PCT <= risk <= RISK_MAX_PCT:
        raise Refused(f"Risk per trade is {RISK_MIN_PCT}-{RISK_MAX_PCT} % of equity.", field="risk_pct")
    return _Plan(
        kind=SignalType.MANUAL,
        symbol=order.symbol,
        side=order.side,
        stop_loss=order.stop_loss,
        take_profit=order.take_profit,
        take_profit_2=order.take_profit_2,
        reward_target=RewardTarget.PARTIAL if order.take_profit_2 else RewardTarget.RR2,
        risk_pct=risk,
        max_leverage=profile.max_leverage,
        confidence=None,
        key=f"{user.pk}:manual:{order.idempotency_key}",
    )


def _check_targets(plan: _Plan, price: Decimal) -> None:
    """A market entry at ``price``: the stop and targets must be on their sides of it, or BingX refuses."""
    long = plan.side == Trade.Side.LONG
    stop = plan.stop_loss
    if (stop >= price) if long else (stop <= price):  # each refusal on its field (the order form's, the API's)
        where = "below" if long else "above"
        raise Refused(
            f"A {plan.side.lower()}'s stop-loss must be {where} the price ({price.normalize():f}); "
            f"it is {stop.normalize():f}.",
            field="stop_loss",
        )
    targets = (
        ("take-profit", "take_profit", plan.take_profit),
        ("second take-profit", "take_profit_2", plan.take_profit_2),
    )
    for name, field, target in targets:
        if target is not None and ((target <= price) if long else (target >= price)):
            raise Refused(
                f"The price ({price.normalize():f}) is already past the {name} ({target.normalize():f}).", field=field
            )


def _existing(user: User, plan: _Plan, signal: Signal | None, alert: SniperAlert | None) -> Trade | None:
    """The user's trade for this idea already (same signal, same alert, or same client order id), if any."""
    trades = Trade.objects.filter(user=user)
    found = Q(client_order_id=exchanges.client_order_id(plan.key))
    if signal is not None:
        found |= Q(signal=signal)
    if alert is not None:
        found |= Q(sniper_alert=alert)
    return trades.filter(found).order_by("pk").first()


# --- The one path --------------------------------------------------------------------------------
@dataclass(frozen=True)
class OrderPreview:
    """What ``signal_execute`` would place now: the broker's price and equity, the size and its risk."""

    mode: str
    symbol: str
    side: str
    price: Decimal
    equity: Decimal
    stop_loss: Decimal
    take_profit: Decimal
    take_profit_2: Decimal | None
    risk_pct: Decimal
    size: Decimal
    notional: Decimal
    leverage: int
    risk_amount: Decimal
    capped_by_leverage: bool


@dataclass(frozen=True)
class _Ready:
    profile: TradingProfile
    plan: _Plan
    broker: Broker
    price: Decimal
    equity: Decimal
    sizing: object  # trading.engine.sizing.Sizing


def signal_execute(
    user: User,
    *,
    signal: Signal | None = None,
    alert: SniperAlert | None = None,
    manual: ManualOrder | None = None,
    by_hand: bool = False,
    now: datetime | None = None,
) -> Trade:
    """Trade one idea (exactly one of ``signal``, ``alert``, ``manual``) for ``user`` in their mode.

    ``by_hand``: a signal the user chose to trade (one click), not automation. Returns the Trade (OPEN,
    FAILED with its reason, or PENDING when the exchange could not say; reconciliation settles those).
    Raises AccessRefused (403), Refused (400: the rule), AlreadyTraded (a Conflict, 409) or Unavailable
    (503: the broker could not be read; nothing was sent).
    """
    ready = _prepare(user, signal, alert, manual, by_hand, now or timezone.now())
    trade = _pending(user, ready.profile, ready.plan, signal, alert, ready.sizing, ready.equity)
    return _place(trade, ready.broker)


def order_preview(
    user: User,
    *,
    signal: Signal | None = None,
    alert: SniperAlert | None = None,
    manual: ManualOrder | None = None,
    by_hand: bool = True,
    now: datetime | None = None,
) -> OrderPreview:
    """Every check and the sizing of ``signal_execute``, without placing anything (the order form's confirmation)."""
    ready = _prepare(user, signal, alert, manual, by_hand, now or timezone.now())
    plan, sizing = ready.plan, ready.sizing
    return OrderPreview(
        mode=ready.profile.mode,
        symbol=plan.symbol,
        side=plan.side,
        price=ready.price,
        equity=ready.equity,
        stop_loss=plan.stop_loss,
        take_profit=plan.take_profit,
        take_profit_2=plan.take_profit_2,
        risk_pct=plan.risk_pct,
        size=sizing.size,
        notional=sizing.notional,
        leverage=sizing.leverage,
        risk_amount=sizing.risk_amount,
        capped_by_leverage=sizing.capped_by_leverage,
    )


def _prepare(user, signal, alert, manual, by_hand: bool, now: datetime) -> _Ready:
    """Every refusal, in order, then the broker's price and equity and the size: what to place."""
    if sum(x is not None for x in (signal, alert, manual)) != 1:
        raise ValueError("Give exactly one of signal, alert or manual.")
    refusal = full_access_refusal(user)
    if refusal:
        raise AccessRefused(refusal)
    refusal = global_pause_refusal()
    if refusal:
        raise Refused(refusal)
    profile = _profile(user)
    if signal is not None:
        plan = _signal_plan(user, profile, signal, now, by_hand)
    elif alert is not None:
        plan = _alert_plan(user, profile, alert, now)
    else:
        plan = _manual_plan(user, profile, manual)
    if profile.mode == "live":
        _check_live_allowed(user, profile)
    existing = _existing(user, plan, signal, alert)
    if existing is not None:
        raise AlreadyTraded(existing)
    active = Trade.objects.filter(user=user, mode=profile.mode, status__in=ACTIVE).count()
    if active >= profile.max_positions:
        raise Refused(f"You already have {active} open positions (your maximum is {profile.max_positions}).")

    broker = broker_for(user, profile.mode)
    try:
        rules = broker.rules(plan.symbol)
        price = broker.mark_price(plan.symbol)
        funds = broker.funds()
    except exchanges.InvalidRequest as exc:
        raise Refused(exc.message) from None
    except exchanges.GatewayError as exc:
        raise Unavailable(f"The exchange could not be read; nothing was ordered ({exc.message}).") from None
    _check_targets(plan, price)
    slippage = Decimal(str(conf.engine_config().slippage_bps)) / Decimal(10_000)
    try:
        sizing = position_size(
            equity=funds.equity,
            free_margin=funds.free_margin,
            risk=plan.risk_pct / 100,
            entry=price,
            stop=plan.stop_loss,
            side=plan.side,
            rules=rules,
            max_leverage=plan.max_leverage,
            slippage=slippage,
        )
    except SizingRefused as refusal:
        raise Refused(refusal.reason) from None
    return _Ready(profile, plan, broker, price, funds.equity, sizing)


def _pending(user, profile, plan: _Plan, signal, alert, sizing, equity) -> Trade:
    """The PENDING trade, committed before anything is sent (durable: never inside a caller's transaction)."""
    try:
        with transaction.atomic(durable=True):
            trade = Trade.objects.create(
                user=user,
                mode=profile.mode,
                signal_type=plan.kind,
                signal=signal,
                sniper_alert=alert,
                symbol=plan.symbol,
                side=plan.side,
                confidence=plan.confidence,
                reward_target=plan.reward_target,
                stop_loss=plan.stop_loss,
                take_profit=plan.take_profit,
                take_profit_2=plan.take_profit_2,
                size=sizing.size,
                remaining=0,
                leverage=sizing.leverage,
                risk_amount=sizing.risk_amount.quantize(Decimal("0.00000001")),
                equity_at_entry=equity.quantize(Decimal("0.00000001")),
                client_order_id=exchanges.client_order_id(plan.key),
            )
            _push(trade)
    except IntegrityError:  # a concurrent call for the same idea won the constraint
        raise AlreadyTraded(_existing(user, plan, signal, alert)) from None
    return trade


def _push(trade: Trade) -> None:
    payload = ledger.trade_payload(trade)
    transaction.on_commit(lambda: push_to_user(trade.user_id, TRADE_EVENT, payload), robust=True)


def _place(trade: Trade, broker: Broker) -> Trade:
    request = EntryRequest(
        symbol=trade.symbol,
        side=trade.side,
        size=trade.size,
        leverage=trade.leverage,
        stop_loss=trade.stop_loss,
        take_profit=trade.take_profit,
        take_profit_2=trade.take_profit_2,
        client_order_id=trade.client_order_id,
    )
    try:
        fill = broker.open(request)
    except exchanges.OrderRejected as exc:
        return ledger.trade_fail(trade, f"BingX refused the order: {exc.reason}")
    except NOT_PLACED as exc:  # refused, or never sent: nothing can land later
        return ledger.trade_fail(trade, exc.message)
    except exchanges.GatewayError as exc:
        # An outage: even an order the exchange proved absent just now could still land (a request late
        # in its queue). Reconciliation decides once the visibility window has passed; a FAILED trade
        # with a live order on BingX would be a position nobody watches.
        logger.warning("Trade %s: entry not confirmed, left PENDING for reconciliation: %s", trade.pk, exc.message)
        return trade
    except ApplicationError as exc:  # the paper broker's refusals
        return ledger.trade_fail(trade, exc.message)
    except Exception:
        logger.exception("Trade %s: unexpected error while placing; left PENDING for reconciliation", trade.pk)
        return trade
    return entry_settle(trade, broker, fill)


def entry_settle(trade: Trade, broker: Broker, fill) -> Trade:
    """Record what the broker says of the entry: filled -> OPEN (and, live, its protective orders),
    cancelled -> FAILED, anything else -> still PENDING (reconciliation)."""
    if fill.status == "filled" and fill.filled > 0:
        trade = ledger.trade_record_entry(trade, fill)
        if trade.mode == "live":
            from trading.services.monitoring import live_protect

            live_protect(trade, broker)
        return trade
    if fill.status == "canceled":
        return ledger.trade_fail(trade, "The exchange cancelled the entry order without filling it.")
    return trade


# --- Closing -------------------------------------------------------------------------------------
def trade_close(trade: Trade, reason: str = Trade.CloseReason.MANUAL, *, broker: Broker | None = None) -> Trade:
    """Close what is left of an OPEN trade now (reduce-only market order) and record the exit.

    A PENDING trade is settled first when possible; nothing else is touched. Closing works during
    any pause. Raises Unavailable when the exchange cannot be reached (the position stays open).
    """
    trade.refresh_from_db()
    if trade.status == Trade.Status.PENDING:
        from trading.services.reconciliation import trade_reconcile

        trade = trade_reconcile(trade)
    if trade.status != Trade.Status.OPEN or trade.remaining <= 0:
        return trade
    broker = broker or broker_for(trade.user, trade.mode)
    cid = exchanges.client_order_id(f"{trade.client_order_id}:close")
    try:
        fill = broker.close(trade.symbol, trade.side, trade.remaining, cid)
    except exchanges.GatewayError as exc:
        raise Unavailable(f"The position could not be closed now: {exc.message}") from None
    if fill.status not in ("filled", "canceled"):  # placed, but its fill was not read: look it up once
        with contextlib.suppress(exchanges.GatewayError):  # else the position sync records it later
            fill = broker.find_entry(trade.symbol, cid) or fill
    if fill.status == "filled" and fill.filled > 0 and fill.average_price:
        return ledger.trade_record_exit(
            trade,
            fill.filled,
            fill.average_price,
            fill.fee,
            reason,
            client_order_id=cid,
            exchange_order_id=fill.order_id,
        )
    if trade.mode == "live":  # nothing to close on the exchange: it closed on its own; monitoring finds how
        from trading.services.monitoring import positions_sync

        positions_sync(trade.user, broker=broker)
        trade.refresh_from_db()
    return trade


def trades_close_all(user: User, reason: str = Trade.CloseReason.KILL_SWITCH) -> list[Trade]:
    """The kill switch: close every active FLAXU trade of ``user`` (both modes), cancelling their orders.

    Returns the trades it acted on. A trade whose close fails stays OPEN and is logged; the others are
    still closed (one exchange error never leaves the rest open).
    """
    done = []
    brokers: dict[str, Broker] = {}
    for trade in Trade.objects.filter(user=user, status__in=ACTIVE).order_by("pk"):
        try:
            broker = brokers.get(trade.mode) or brokers.setdefault(trade.mode, broker_for(user, trade.mode))
            done.append(trade_close(trade, reason, broker=broker))
        except ApplicationError as exc:
            logger.warning("Kill switch: trade %s of user %s not closed: %s", trade.pk, user.pk, exc)
    return done


# --- Automation ----------------------------------------------------------------------------------
def signal_fan_out_on_commit(signal: Signal) -> None:
    """Queue the automation fan-out for a new live signal once its row is committed."""
    if signal.historical or not signal.auto_executable:
        return
    from trading.tasks import fan_out_signal

    signal_id = signal.pk
    transaction.on_commit(lambda: fan_out_signal.delay(signal_id), robust=True)


def _full_access_q(now: datetime) -> Q:
    """Access.effective_level() == FULL as a query on the profile's user."""
    override_active = ~Q(user__access__override_level="") & (
        Q(user__access__override_expires_at__isnull=True) | Q(user__access__override_expires_at__gt=now)
    )
    override_inactive = Q(user__access__override_level="") | Q(user__access__override_expires_at__lte=now)
    return (override_active & Q(user__access__override_level=FULL)) | (override_inactive & Q(user__access__level=FULL))


def eligible_users(signal: Signal) -> list[int]:
    """Users whose automation would trade ``signal`` now: FULL access, automation on, not paused,
    confidence met, symbol allowed, no trade for it yet (everything is checked again when the order runs)."""
    now = timezone.now()
    if global_pause_refusal():
        return []
    floor = conf.signal_min_confidence() + 1
    if signal.confidence < floor:
        return []
    profiles = (
        TradingProfile.objects.filter(
            _full_access_q(now), automation_enabled=True, min_confidence__lte=signal.confidence
        )
        .filter(user__is_active=True)
        .exclude(paused_until__gt=now)
        .exclude(user__trades__signal=signal)
        .values_list("user_id", "symbols")
    )
    return [user_id for user_id, symbols in profiles if not symbols or signal.symbol in symbols]


def signal_execute_by_ids(signal_id: int, user_id: int) -> str:
    """The automation task's body: the trade's status, or ``refused: <reason>`` (logged, not retried)."""
    signal = Signal.objects.filter(pk=signal_id).first()
    user = User.objects.filter(pk=user_id).first()
    if signal is None or user is None:
        return "missing"
    try:
        return signal_execute(user, signal=signal).status
    except ApplicationError as refusal:
        logger.info("Signal %s not executed for user %s: %s", signal_id, user_id, refusal)
        return f"refused: {refusal}"
