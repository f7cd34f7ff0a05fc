"""Whether automation may trade: the staff's global pause, the user's own pause, the daily loss limit, the kill switch.

The daily loss limit: today's PnL (UTC) in the user's mode, realised (trades closed today, and what open
trades already realised: fees, partial exits) plus unrealised on what is still open at the broker's mark
price, against the equity at the start of the UTC day (``DailyEquity``, read from the broker the first
time it is needed that day). A loss of ``daily_loss_limit_pct`` or more pauses automation until the next
00:00 UTC, and the user is told once (in-app, pushed, mailed). A trade opened before midnight counts
from its entry, not from midnight (no snapshot at midnight is kept): a trade carried over at a loss
pauses earlier, never later, than an exact midnight mark would.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.services.activity import activity_record
from accounts.services.notifications import notify
from core.errors import ApplicationError, Refused, Unavailable
from trading.models import DailyEquity, Trade, TradingControl, TradingProfile
from trading.services.profile import profile_for

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
ACTIVE = (Trade.Status.PENDING, Trade.Status.OPEN)

# Activity-log actions (accounts.ActivityLog.action, at most 32 characters).
GLOBAL_PAUSE = "trading_global_pause"
DAILY_LOSS_PAUSE = "trading_daily_loss_pause"
KILL_SWITCH = "trading_kill_switch"
PAUSE_LIFTED = "trading_pause_lifted"
NOTIFICATION_KIND = "trading_paused"


# --- The global pause ----------------------------------------------------------------------------
def trading_control() -> TradingControl:
    """The one TradingControl row (created running)."""
    control = TradingControl.objects.order_by("pk").first()
    return control or TradingControl.objects.create()


def global_pause_refusal() -> str | None:
    """Why no trade may be opened for anyone now (staff paused trading), or None. Closing always works."""
    control = TradingControl.objects.order_by("pk").first()
    if control is None or not control.paused:
        return None
    reason = f": {control.reason}" if control.reason else "."
    return f"FLAXU staff have paused trading for everyone{reason} Open positions can still be closed."


def global_pause_set(paused: bool, reason: str, by: User | None, request: HttpRequest | None = None) -> TradingControl:
    """Staff pause (or resume) trading for everyone; logged with who and why."""
    with transaction.atomic():
        trading_control()
        control = TradingControl.objects.select_for_update().order_by("pk").first()
        control.paused = paused
        control.reason = (reason or "").strip()[:200]
        control.changed_by = by if by is not None and by.pk else None
        control.changed_at = timezone.now()
        control.save()
        activity_record(action=GLOBAL_PAUSE, user=by, request=request, paused=paused, reason=control.reason)
    return control


# --- The user's automation -----------------------------------------------------------------------
def automation_pause_lift(user: User, by: User | None, request: HttpRequest | None = None) -> TradingProfile:
    """Staff end a user's automation pause early (e.g. a daily-loss pause after a wrong price); logged."""
    with transaction.atomic():
        profile_for(user)
        profile = TradingProfile.objects.select_for_update().get(user=user)
        was = profile.paused_until
        profile.paused_until = None
        profile.save(update_fields=["paused_until", "updated_at"])
        activity_record(
            action=PAUSE_LIFTED,
            user=user,
            request=request,
            paused_until=was.isoformat() if was else None,
            reason=profile.pause_reason,
            by=by.pk if by is not None else None,
        )
    return profile


STAFF_PAUSE = "trading_staff_pause"


def automation_pause_staff(
    user: User, by: User | None, reason: str, until: datetime, request: HttpRequest | None = None
) -> TradingProfile:
    """Staff pause a user's automation until ``until`` (lifted early by ``automation_pause_lift``); the user is told.

    Open positions are left alone: they keep their stop-loss and take-profit and the user can close them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise Refused("Give a reason: the user sees it.", field="reason")
    if until <= timezone.now():
        raise Refused("The pause must end in the future.", field="until")
    with transaction.atomic():
        profile_for(user)
        profile = TradingProfile.objects.select_for_update().get(user=user)
        profile.paused_until = until
        profile.pause_reason = f"paused by FLAXU staff: {reason}"[:200]
        profile.save(update_fields=["paused_until", "pause_reason", "updated_at"])
        activity_record(
            action=STAFF_PAUSE,
            user=user,
            request=request,
            paused_until=until.isoformat(),
            reason=reason,
            by=by.pk if by is not None else None,
        )
        notify(
            user=user,
            kind=NOTIFICATION_KIND,
            title="Automation paused by FLAXU staff",
            body=f"Your automation is paused until {until.astimezone(UTC):%Y-%m-%d %H:%M} UTC: {reason}. Open "
            "positions keep their stop-loss and take-profit; you can still close them by hand.",
            link=reverse("trading_home"),
            email=True,
        )
    return profile


def automation_refusal(user: User, profile: TradingProfile | None = None) -> str | None:
    """Why automation may not open a trade for ``user`` now (global pause, own pause, automation off), or None.

    Cheap (no broker call): the daily loss limit is enforced by ``daily_loss_check`` setting ``paused_until``.
    """
    refusal = global_pause_refusal()
    if refusal:
        return refusal
    profile = profile or profile_for(user)
    if profile.paused_until and profile.paused_until > timezone.now():
        until = profile.paused_until.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        reason = f": {profile.pause_reason}" if profile.pause_reason else "."
        return f"Your automation is paused until {until}{reason}"
    if not profile.automation_enabled:
        return "ICT automation is off in your trading settings."
    return None


def next_utc_midnight(moment: datetime) -> datetime:
    return datetime.combine(moment.astimezone(UTC).date() + timedelta(days=1), time(0), tzinfo=UTC)


@dataclass(frozen=True)
class DailyLoss:
    """Today's PnL against the limit; ``paused``: this check paused automation (and told the user)."""

    mode: str
    day: date
    start_equity: Decimal
    realised: Decimal
    unrealised: Decimal
    limit: Decimal  # the loss (positive USDT) that pauses automation
    breached: bool
    paused: bool

    @property
    def pnl(self) -> Decimal:
        return self.realised + self.unrealised


def _broker(user: User, mode: str):
    from trading.services.brokers import broker_for  # the exec helper's; imported when a broker is needed

    return broker_for(user, mode)


def start_of_day_equity(user: User, mode: str, day: date, broker=None) -> DailyEquity:
    """The day's starting equity, read from the broker and stored the first time it is needed that day."""
    row = DailyEquity.objects.filter(user=user, mode=mode, day=day).first()
    if row is None:
        equity = (broker or _broker(user, mode)).equity()
        row, _ = DailyEquity.objects.get_or_create(user=user, mode=mode, day=day, defaults={"equity": equity})
    return row


def _unrealised(trades: list[Trade], broker) -> Decimal:
    prices: dict[str, Decimal] = {}
    total = ZERO
    for trade in trades:
        if trade.entry_price is None or trade.remaining <= 0:
            continue
        if trade.symbol not in prices:
            prices[trade.symbol] = Decimal(broker.mark_price(trade.symbol))
        move = prices[trade.symbol] - trade.entry_price
        total += (move if trade.side == Trade.Side.LONG else -move) * trade.remaining
    return total.quantize(Decimal("0.00000001"))


def daily_loss_check(user: User, mode: str, *, now: datetime | None = None) -> DailyLoss:
    """Measure today's loss in ``mode``; at or past the limit, pause automation until 00:00 UTC and tell the user.

    Pausing happens once a day: a user already paused until that midnight (or later) is not told again.
    The broker is asked only for what the database cannot say: the start-of-day equity (once a day) and
    the mark prices of open trades.
    """
    now = now or timezone.now()
    day = now.astimezone(UTC).date()
    midnight = datetime.combine(day, time(0), tzinfo=UTC)
    profile = profile_for(user)
    trades = Trade.objects.filter(user=user, mode=mode)
    today = trades.filter(status=Trade.Status.CLOSED, closed_at__gte=midnight, closed_at__lt=next_utc_midnight(now))
    realised = today.aggregate(s=Sum("pnl"))["s"] or ZERO
    open_trades = list(trades.filter(status=Trade.Status.OPEN))
    realised += sum((t.pnl if t.pnl is not None else -t.fees for t in open_trades), ZERO)
    broker = None
    stored = DailyEquity.objects.filter(user=user, mode=mode, day=day).first()
    if stored is None or open_trades:
        broker = _broker(user, mode)
    start = (stored or start_of_day_equity(user, mode, day, broker)).equity
    unrealised = _unrealised(open_trades, broker) if open_trades else ZERO
    limit = start * profile.daily_loss_limit_pct / 100
    breached = start > 0 and realised + unrealised <= -limit
    result = DailyLoss(mode, day, start, realised, unrealised, limit, breached, paused=False)
    if breached and _pause_for_the_day(user, result, now):
        result = DailyLoss(mode, day, start, realised, unrealised, limit, breached, paused=True)
    return result


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):,} USDT"


def _pause_for_the_day(user: User, loss: DailyLoss, now: datetime) -> bool:
    until = next_utc_midnight(now)
    with transaction.atomic():
        profile = TradingProfile.objects.select_for_update().get(user=user)
        if profile.paused_until and profile.paused_until >= until:
            return False  # already paused for the rest of the day: told once
        pct = profile.daily_loss_limit_pct
        reason = f"daily loss limit reached ({_money(-loss.pnl)} lost today, limit {pct} % = {_money(loss.limit)})"
        profile.paused_until = until
        profile.pause_reason = reason[:200]
        profile.save(update_fields=["paused_until", "pause_reason", "updated_at"])
        activity_record(
            action=DAILY_LOSS_PAUSE,
            user=user,
            mode=loss.mode,
            day=loss.day.isoformat(),
            start_equity=str(loss.start_equity),
            pnl=str(loss.pnl),
            limit=str(loss.limit),
            paused_until=until.isoformat(),
        )
        notify(
            user=user,
            kind=NOTIFICATION_KIND,
            title="Automation paused: daily loss limit reached",
            body=f"Your {loss.mode} automation is paused until 00:00 UTC: {reason}. Open positions keep their "
            "stop-loss and take-profit; you can still close them by hand.",
            link=reverse("trading_home"),
            email=True,
        )
    return True


def daily_loss_candidates() -> list[tuple[int, str]]:
    """(user id, mode) of users whose automation is on and not paused and who have traded today or hold a trade.

    Others cannot have lost anything today; skipping them spares their brokers a call.
    """
    now = timezone.now()
    midnight = datetime.combine(now.astimezone(UTC).date(), time(0), tzinfo=UTC)
    trading_today = Trade.objects.filter(user=OuterRef("user"), mode=OuterRef("mode")).filter(
        Q(status=Trade.Status.OPEN) | Q(status=Trade.Status.CLOSED, closed_at__gte=midnight)
    )
    rows = (
        TradingProfile.objects.filter(automation_enabled=True)
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lte=now))
        .filter(Exists(trading_today))
        .order_by("user_id")
        .values_list("user_id", "mode")
    )
    return list(rows)


# --- The kill switch -----------------------------------------------------------------------------
@dataclass(frozen=True)
class KillSwitchResult:
    closed: int  # trades the close-all reported closed (or cancelled)
    active_before: int


def kill_switch(user: User, request: HttpRequest | None = None) -> KillSwitchResult:
    """Turn automation off, then close every FLAXU trade of the user (every mode) and cancel their orders.

    Automation is switched off first and stays off (the user turns it back on deliberately), so nothing
    new opens while the closes run. ``Unavailable`` when closing cannot be done now (automation stays off).
    """
    with transaction.atomic():
        profile_for(user)
        profile = TradingProfile.objects.select_for_update().get(user=user)
        was_on = profile.automation_enabled
        profile.automation_enabled = False  # pause_reason stays: it explains paused_until (the daily loss)
        profile.save(update_fields=["automation_enabled", "updated_at"])
    active = Trade.objects.filter(user=user, status__in=ACTIVE).count()
    error = ""
    if active:
        try:
            from trading.services.execution import trades_close_all  # the exec helper's
        except ImportError:
            error = "Closing positions is not available on this server yet."
        else:
            try:
                trades_close_all(user, Trade.CloseReason.KILL_SWITCH)  # one failed close never stops the others
            except ApplicationError as exc:
                error = exc.message
            except Exception:  # the user is told to retry; the details go to the server log only
                logger.exception("kill switch: closing the trades of user %s failed", user.pk)
                error = "Closing positions failed."
    still_open = Trade.objects.filter(user=user, status__in=ACTIVE).count() if active else 0
    if still_open and not error:
        error = f"{still_open} trade(s) could not be closed now."
    activity_record(
        action=KILL_SWITCH,
        user=user,
        request=request,
        automation_was_on=was_on,
        active_trades=active,
        closed=active - still_open,
        still_open=still_open,
        error=error,
    )
    if error:
        raise Unavailable(
            f"Automation is off; {active - still_open} of {active} trade(s) closed. {error} "
            "Try again, or close them on BingX."
        )
    return KillSwitchResult(closed=active, active_before=active)
