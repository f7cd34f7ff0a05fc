"""From a validated order (API serializer or page form) to the execution service, for the API and pages alike.

The order's identity makes it exactly-once: a manual order is keyed by the client's idempotency key (the
trade's client order id is derived from it), a one-click by its sniper alert or signal (one trade per user
per alert or signal is a database constraint). A repeat raises ``AlreadyTraded`` naming the first trade.
"""

from __future__ import annotations

from core.errors import Conflict, Refused
from trading.models import Signal, SniperAlert, Trade
from trading.services.execution import ManualOrder, OrderPreview, order_preview, signal_execute, trade_close


def _idea(data: dict) -> dict:
    """The ``signal_execute`` keyword for the order: ``alert``, ``signal`` (by hand) or ``manual``."""
    if data.get("sniper_alert"):
        alert = SniperAlert.objects.filter(pk=data["sniper_alert"]).first()
        if alert is None:
            raise Refused("No such sniper alert.", field="sniper_alert")
        return {"alert": alert}
    if data.get("signal"):
        signal = Signal.objects.filter(pk=data["signal"]).first()
        if signal is None:
            raise Refused("No such signal.", field="signal")
        return {"signal": signal, "by_hand": True}
    return {
        "manual": ManualOrder(
            symbol=data["symbol"],
            side=data["side"],
            stop_loss=data["stop_loss"],
            take_profit=data["take_profit"],
            take_profit_2=data.get("take_profit_2"),
            risk_pct=data.get("risk_pct"),
            idempotency_key=data["idempotency_key"],
        )
    }


def order_place(user, data: dict) -> Trade:
    """Place the order now (see ``signal_execute`` for every refusal)."""
    return signal_execute(user, **_idea(data))


def order_preview_of(user, data: dict) -> OrderPreview:
    """What placing the order would do now, nothing sent."""
    idea = _idea(data)
    idea.setdefault("by_hand", True)
    return order_preview(user, **idea)


def position_close(trade: Trade) -> Trade:
    """Close the user's trade now: ``Conflict`` when it is not open (closed, failed, cancelled)."""
    trade.refresh_from_db()
    if not trade.is_active:
        if trade.status == Trade.Status.CLOSED:
            raise Conflict("This trade is already closed.")
        raise Conflict(f"This trade was never opened ({trade.get_status_display().lower()}): nothing to close.")
    return trade_close(trade, Trade.CloseReason.MANUAL)
