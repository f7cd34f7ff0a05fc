"""Price alerts: create, delete, check against current prices, and fire — once.

Firing is a conditional update (``fired_at IS NULL`` → now) inside a transaction, so when two workers
check the same alert at the same moment exactly one of them wins and tells the user; the other sees
zero rows updated and does nothing.

How a fired alert reaches the user, without ``market`` importing another FLAXU app (``market`` knows
no other app):

* a websocket push to the user's private group (``core.realtime.push.push_to_user``, type
  ``price_alert``) and an email (Django's ``send_mail``), both sent by this module after commit;
* the ``alert_fired`` signal, sent inside the firing transaction. The project package connects the
  receiver that records the in-app notification (``flaxu/receivers.py``, connected in
  ``core.realtime.apps.RealtimeConfig.ready``): ``flaxu`` may import every app, ``market`` may not.
  A receiver that raises rolls the firing back, so the alert stays active and fires on the next check.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from core.realtime.push import push_to_user
from market.formatting import format_level, format_price, symbol_label
from market.models import PriceAlert
from market.selectors import snapshots
from market.selectors.alerts import price_alerts_active, price_alerts_active_count
from market.selectors.candles import candle_exchanges, candle_frame
from market.selectors.prices import fresh_last_price

logger = logging.getLogger(__name__)

# Sent inside the firing transaction with ``alert`` (the fired PriceAlert), ``title``, ``body`` and
# ``link`` (a site path). See the module docstring for who listens.
alert_fired = Signal()

MAX_ACTIVE_ALERTS = 50  # per user
MAX_PERCENT = Decimal("1000")
MIN_WINDOW_MINUTES = 1
MAX_WINDOW_MINUTES = 7 * 1440
# The windows the page offers (the API accepts any number of minutes in range).
WINDOW_CHOICES = [(5, "5 minutes"), (15, "15 minutes"), (60, "1 hour"), (240, "4 hours"), (1440, "24 hours")]
PUSH_TYPE = "price_alert"
# No fresh ticker (stale or missing): an above/below alert cannot be checked against the price now, so
# it is refused rather than accepted blind (it could be met already and fire at once).
NO_FRESH_PRICE = "No fresh price for {symbol} right now, so the level cannot be checked; try again in a few seconds."

Condition = PriceAlert.Condition


def alert_exchange() -> str:
    """The exchange whose prices alerts watch: the one FLAXU stores candles of (BingX by default)."""
    return candle_exchanges()[0]


def symbols() -> list[str]:
    """The perpetuals an alert may watch (the followed universe)."""
    return list(snapshots.universe())


def current_price(exchange: str, symbol: str) -> Decimal | None:
    """The last price, or None when missing or stale (never act on old prices)."""
    return fresh_last_price(exchange, symbol)


# --- create / delete -------------------------------------------------------------------------------


def _decimal(value, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append("Enter a number.")
        return None
    if not number.is_finite():
        errors.setdefault(field, []).append("Enter a number.")
        return None
    return number


def price_alert_create(
    *,
    user,
    symbol: str,
    condition: str,
    price=None,
    percent=None,
    window_minutes: int | None = None,
    note: str = "",
) -> PriceAlert:
    """Validate and store a new alert on ``alert_exchange()``'s prices.

    Raises ``ValidationError`` with per-field messages: unknown symbol or condition, a missing or
    out-of-range level/percent/window, an above/below level the price has already reached (it would
    fire at once), no fresh price to check an above/below level against (``NO_FRESH_PRICE``, non-field:
    try again in seconds), or more than MAX_ACTIVE_ALERTS active alerts. Rise/fall alerts need no price
    now: they measure only moves after their creation, on fresh prices.
    """
    errors: dict[str, list[str]] = {}
    exchange = alert_exchange()
    if symbol not in symbols():
        errors["symbol"] = [f"Unknown symbol {symbol!r}; choose one of the followed perpetuals."]
    if condition not in Condition.values:
        errors["condition"] = [f"Choose one of: {', '.join(Condition.values)}."]
    level = _decimal(price, "price", errors)
    move = _decimal(percent, "percent", errors)
    window = None
    if condition in (Condition.ABOVE, Condition.BELOW):
        if level is None and "price" not in errors:
            errors["price"] = ["Enter the price level."]
        elif level is not None and level <= 0:
            errors["price"] = ["The price must be above zero."]
        elif level is not None and "symbol" not in errors:
            last = current_price(exchange, symbol)
            if last is None:
                errors["__all__"] = [NO_FRESH_PRICE.format(symbol=symbol_label(symbol))]
            elif (condition == Condition.ABOVE and last >= level) or (condition == Condition.BELOW and last <= level):
                where, side = ("at or above", "higher") if condition == Condition.ABOVE else ("at or below", "lower")
                errors["price"] = [
                    f"{symbol_label(symbol)} is already {where} {format_level(level)} "
                    f"(last price {format_price(last)}); choose a {side} level."
                ]
        move = None
    elif condition in (Condition.RISE, Condition.FALL):
        if move is None and "percent" not in errors:
            errors["percent"] = ["Enter the size of the move in percent."]
        elif move is not None and not (0 < move <= MAX_PERCENT):
            errors["percent"] = [f"The move must be above 0 and at most {MAX_PERCENT} %."]
        elif move is not None and condition == Condition.FALL and move >= 100:
            errors["percent"] = ["A price cannot fall by 100 % or more."]
        try:
            window = int(window_minutes) if window_minutes not in (None, "") else None
        except (TypeError, ValueError):
            window = None
            errors["window_minutes"] = ["Enter a whole number of minutes."]
        if window is None and "window_minutes" not in errors:
            errors["window_minutes"] = ["Choose the window."]
        elif window is not None and not (MIN_WINDOW_MINUTES <= window <= MAX_WINDOW_MINUTES):
            errors["window_minutes"] = [f"The window is {MIN_WINDOW_MINUTES} to {MAX_WINDOW_MINUTES} minutes."]
        level = None
    if len(note or "") > PriceAlert._meta.get_field("note").max_length:
        errors["note"] = ["Keep the note under 120 characters."]
    if price_alerts_active_count(user=user) >= MAX_ACTIVE_ALERTS:
        errors.setdefault("__all__", []).append(
            f"You have {MAX_ACTIVE_ALERTS} active alerts, the most allowed; delete one first."
        )
    if errors:
        raise ValidationError(errors)
    return PriceAlert.objects.create(
        user=user,
        exchange=exchange,
        symbol=symbol,
        condition=condition,
        price=level,
        percent=move,
        window_minutes=window,
        note=(note or "").strip(),
    )


def price_alert_delete(*, alert: PriceAlert) -> None:
    alert.delete()


# --- check and fire --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """Why an alert fires now: the last price and, for rise/fall, the low/high it moved from."""

    price: Decimal
    reference: Decimal | None = None


def _window_trigger(alert: PriceAlert, price: Decimal, frame, now: datetime) -> Trigger | None:
    start = max(now - timedelta(minutes=alert.window_minutes), alert.created_at)
    window = frame[frame.index >= start]
    if window.empty:
        return None
    last = float(price)
    if alert.condition == Condition.RISE:
        low = min(float(window["low"].min()), last)
        if low > 0 and (last - low) / low * 100 >= float(alert.percent):
            return Trigger(price, Decimal(repr(low)))
    else:
        high = max(float(window["high"].max()), last)
        if high > 0 and (high - last) / high * 100 >= float(alert.percent):
            return Trigger(price, Decimal(repr(high)))
    return None


def price_alert_trigger(
    alert: PriceAlert, price: Decimal, *, frame=None, now: datetime | None = None
) -> Trigger | None:
    """Whether ``alert`` fires at ``price``; rise/fall read 1-minute candles (``frame``, loaded if None)."""
    if alert.condition == Condition.ABOVE:
        return Trigger(price) if price >= alert.price else None
    if alert.condition == Condition.BELOW:
        return Trigger(price) if price <= alert.price else None
    now = now or timezone.now()
    if frame is None:
        start = max(now - timedelta(minutes=alert.window_minutes), alert.created_at)
        frame = candle_frame(alert.exchange, alert.symbol, "1m", start=start)
    return _window_trigger(alert, price, frame, now)


def price_alerts_check(
    *, prices: Mapping[tuple[str, str], Decimal] | None = None, now: datetime | None = None
) -> list[int]:
    """Fire every active alert whose condition holds; returns the ids this call fired.

    ``prices`` maps (exchange, symbol) to the last price; by default the ticker snapshots (a stale
    snapshot is skipped: an alert never fires on an old price). Rise/fall alerts read the stored
    1-minute candles of their window, loaded once per symbol.
    """
    now = now or timezone.now()
    by_market: dict[tuple[str, str], list[PriceAlert]] = defaultdict(list)
    for alert in price_alerts_active():
        by_market[(alert.exchange, alert.symbol)].append(alert)
    fired = []
    for (exchange, symbol), alerts in by_market.items():
        price = prices.get((exchange, symbol)) if prices is not None else current_price(exchange, symbol)
        if price is None:
            continue
        windowed = [a for a in alerts if a.is_window]
        frame = None
        if windowed:
            start = min(max(now - timedelta(minutes=a.window_minutes), a.created_at) for a in windowed)
            frame = candle_frame(exchange, symbol, "1m", start=start)
        for alert in alerts:
            trigger = price_alert_trigger(alert, Decimal(price), frame=frame, now=now)
            if trigger is not None and price_alert_fire(alert=alert, trigger=trigger, now=now):
                fired.append(alert.pk)
    return fired


def _message(alert: PriceAlert, trigger: Trigger, now: datetime) -> tuple[str, str]:
    """Title and body of the notification, push and email, written as traders write symbols and prices."""
    price, label = format_price(trigger.price), symbol_label(alert.symbol)
    title = f"{label} {alert.describe()}: now {price}"
    body = f"Your price alert on {label} ({alert.exchange}) fired at {now:%Y-%m-%d %H:%M} UTC: price {price}"
    if trigger.reference is not None:
        word = "low" if alert.condition == Condition.RISE else "high"
        body += f", from a {word} of {format_price(trigger.reference)} within the window"
    body += f"; condition: {alert.describe()}."
    if alert.note:
        body += f"\nYour note: {alert.note}"
    body += "\nAlerts fire once; create a new one to be told again."
    return title, body


def price_alert_fire(*, alert: PriceAlert, trigger: Trigger, now: datetime | None = None) -> bool:
    """Mark ``alert`` fired and tell its owner; False (and nothing sent) when it had already fired."""
    now = now or timezone.now()
    with transaction.atomic():
        won = PriceAlert.objects.filter(pk=alert.pk, fired_at__isnull=True).update(
            fired_at=now, fired_price=trigger.price, reference_price=trigger.reference
        )
        if not won:
            return False
        alert.fired_at, alert.fired_price, alert.reference_price = now, trigger.price, trigger.reference
        title, body = _message(alert, trigger, now)
        link = reverse("market_alerts")
        alert_fired.send(sender=PriceAlert, alert=alert, title=title, body=body, link=link)
        push_to_user(
            alert.user_id,
            PUSH_TYPE,
            {
                "id": alert.pk,
                "exchange": alert.exchange,
                "symbol": alert.symbol,
                "condition": alert.condition,
                "description": alert.describe(),
                "price": trigger.price,
                "reference": trigger.reference,
                "fired_at": now,
                "title": title,
                "body": body,
                "link": link,
            },
        )
        email = getattr(alert.user, "email", "")
        if email:
            subject = f"{getattr(settings, 'ACCOUNT_EMAIL_SUBJECT_PREFIX', '[FLAXU] ')}{title}"
            message = f"{body}\n\n{settings.SITE_URL}{link}\n"
            transaction.on_commit(lambda: send_mail(subject, message, None, [email]), robust=True)
    logger.info("price alert %s fired: %s", alert.pk, title)
    return True
