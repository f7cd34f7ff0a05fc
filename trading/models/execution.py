"""Execution: each user's trading settings, the paper wallet, trades, their exchange orders, the global pause.

A ``Trade`` is one position FLAXU opened for a user, in ``paper`` or ``live`` mode (kept apart
everywhere). It is written PENDING *before* its entry order is sent, with a deterministic client order
id, so a crash or a timeout at any point leaves a row that reconciliation can settle by that id: the
same trade can never be placed twice (``client_order_id`` is unique, and one trade per user per signal
or sniper alert is a database constraint). Its ``TradeOrder`` rows are the orders sent for it (entry,
stop, targets, closes), each with its own client order id.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from trading.models.fields import AMOUNT, PERCENT, PRICE, SIZE
from trading.models.signals import Signal, SniperAlert

RISK_MIN_PCT = Decimal("0.25")
RISK_MAX_PCT = Decimal("2")  # the hard cap: no setting, form or API can go above it
LEVERAGE = [MinValueValidator(1), MaxValueValidator(125)]  # integer, as BingX takes it


class Mode(models.TextChoices):
    PAPER = "paper", "Paper"
    LIVE = "live", "Live"


class RewardTarget(models.TextChoices):
    """How a trade takes profit: all at 1:2, all at 1:3, or half at TP1 and the rest at TP2 (stop to entry)."""

    RR2 = "1:2", "All at 1:2"
    RR3 = "1:3", "All at 1:3"
    PARTIAL = "partial", "Half at TP1, rest at TP2, stop to break-even"


class TradingProfile(models.Model):
    """One user's trading settings (FULL access only). Every change is written to the activity log."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trading_profile")
    mode = models.CharField(max_length=5, choices=Mode.choices, default=Mode.PAPER)
    live_acknowledged_at = models.DateTimeField(
        null=True, blank=True, help_text="When the user accepted the risks of live trading (needed for live mode)."
    )
    automation_enabled = models.BooleanField(default=False, help_text="Trade auto-executable ICT signals.")
    min_confidence = models.PositiveSmallIntegerField(
        default=76, validators=[MaxValueValidator(100)], help_text="Never below the platform threshold."
    )
    risk_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(RISK_MIN_PCT), MaxValueValidator(RISK_MAX_PCT)],
        help_text="Equity risked per trade, in percent (0.25-2).",
    )
    reward_target = models.CharField(max_length=8, choices=RewardTarget.choices, default=RewardTarget.PARTIAL)
    max_leverage = models.PositiveSmallIntegerField(default=5, validators=LEVERAGE)
    max_positions = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    symbols = models.JSONField(default=list, blank=True, help_text="Allowed symbols (BTC/USDT:USDT); empty: all.")
    daily_loss_limit_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("50"))],
        help_text="Automation pauses for the rest of the UTC day after losing this percent of start-of-day equity.",
    )
    # Sniper one-click defaults.
    sniper_risk_pct = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.5"),
        validators=[MinValueValidator(RISK_MIN_PCT), MaxValueValidator(RISK_MAX_PCT)],
    )
    sniper_leverage = models.PositiveSmallIntegerField(default=3, validators=LEVERAGE)
    paused_until = models.DateTimeField(null=True, blank=True, help_text="Automation paused until then.")
    pause_reason = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_pct__gte=RISK_MIN_PCT, risk_pct__lte=RISK_MAX_PCT), name="trading_profile_risk_capped"
            ),
            models.CheckConstraint(
                condition=Q(sniper_risk_pct__gte=RISK_MIN_PCT, sniper_risk_pct__lte=RISK_MAX_PCT),
                name="trading_profile_sniper_risk_capped",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.mode})"


class PaperWallet(models.Model):
    """The paper account's USDT: starts at a configurable size, resettable (open paper trades are closed first)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="paper_wallet")
    initial_balance = models.DecimalField(**AMOUNT)
    balance = models.DecimalField(**AMOUNT, help_text="Cash: the initial balance plus closed trades' net PnL.")
    reset_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.balance} USDT (paper)"


class SignalType(models.TextChoices):
    ICT = "ICT", "ICT"
    SNIPER = "SNIPER", "Sniper"
    MANUAL = "MANUAL", "Manual"


class Trade(models.Model):
    class Side(models.TextChoices):
        LONG = "LONG", "Long"
        SHORT = "SHORT", "Short"

    class Status(models.TextChoices):
        PENDING = "PENDING", "Pending"  # written before the entry order is sent; settled by reconciliation
        OPEN = "OPEN", "Open"
        CLOSED = "CLOSED", "Closed"
        CANCELLED = "CANCELLED", "Cancelled"  # refused before any order was sent
        FAILED = "FAILED", "Failed"  # the exchange did not take the order (reason in failure_reason)

    class CloseReason(models.TextChoices):
        TAKE_PROFIT = "TP", "Take-profit"
        STOP_LOSS = "SL", "Stop-loss"
        BREAKEVEN = "BE", "Break-even stop"
        MANUAL = "MANUAL", "Closed in FLAXU"
        KILL_SWITCH = "KILL", "Kill switch"
        EXTERNAL = "EXTERNAL", "Closed on the exchange"
        LIQUIDATION = "LIQ", "Liquidated"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trades")
    mode = models.CharField(max_length=5, choices=Mode.choices)
    signal_type = models.CharField(max_length=6, choices=SignalType.choices)
    signal = models.ForeignKey(Signal, null=True, blank=True, on_delete=models.SET_NULL, related_name="trades")
    sniper_alert = models.ForeignKey(
        SniperAlert, null=True, blank=True, on_delete=models.SET_NULL, related_name="trades"
    )
    exchange = models.CharField(max_length=20, default="bingx")
    symbol = models.CharField(max_length=40)
    side = models.CharField(max_length=5, choices=Side.choices)
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.PENDING)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    reward_target = models.CharField(max_length=8, choices=RewardTarget.choices)
    entry_price = models.DecimalField(**PRICE, null=True, blank=True, help_text="Average fill price.")
    exit_price = models.DecimalField(**PRICE, null=True, blank=True, help_text="Average price of all exits.")
    stop_loss = models.DecimalField(**PRICE)
    take_profit = models.DecimalField(**PRICE, help_text="First (or only) target.")
    take_profit_2 = models.DecimalField(**PRICE, null=True, blank=True)
    size = models.DecimalField(**SIZE, help_text="Base-currency quantity ordered.")
    remaining = models.DecimalField(**SIZE, default=0, help_text="Quantity still open.")
    leverage = models.PositiveSmallIntegerField()
    risk_amount = models.DecimalField(**AMOUNT, help_text="USDT the stop may cost (fees included), at sizing.")
    equity_at_entry = models.DecimalField(**AMOUNT, null=True, blank=True)
    fees = models.DecimalField(**AMOUNT, default=0)
    funding = models.DecimalField(**AMOUNT, default=0, help_text="Funding paid (negative: received).")
    funding_until = models.DateTimeField(
        null=True, blank=True, help_text="Time of the last funding payment counted in ``funding`` (live trades)."
    )
    pnl = models.DecimalField(**AMOUNT, null=True, blank=True, help_text="Net of fees and funding.")
    pnl_pct = models.DecimalField(**PERCENT, null=True, blank=True, help_text="Of the equity at entry.")
    r_multiple = models.DecimalField(**PERCENT, null=True, blank=True)
    close_reason = models.CharField(max_length=8, choices=CloseReason.choices, blank=True)
    failure_reason = models.CharField(max_length=500, blank=True)
    exchange_order_id = models.CharField(max_length=64, blank=True)
    client_order_id = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "signal"], condition=Q(signal__isnull=False), name="trading_trade_once_per_signal"
            ),
            models.UniqueConstraint(
                fields=["user", "sniper_alert"],
                condition=Q(sniper_alert__isnull=False),
                name="trading_trade_once_per_alert",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "mode", "status"], name="trading_trade_user_status"),
            models.Index(fields=["status", "mode", "symbol"], name="trading_trade_status_symbol"),
            models.Index(fields=["user", "-created_at"], name="trading_trade_user_latest"),
            # The staff dashboard (adminpanel.selectors), each read from the index alone: who traded since a time
            # (inactive and active users), trades opened or closed (with PnL) in a period and per day, and which
            # signals were acted on per mode.
            models.Index(fields=["user", "opened_at", "status"], name="trading_trade_user_opened"),
            models.Index(fields=["opened_at", "mode", "status"], name="trading_trade_opened"),
            models.Index(fields=["closed_at", "mode", "status", "signal_type", "pnl"], name="trading_trade_closed"),
            models.Index(fields=["signal", "mode", "status"], name="trading_trade_signal_mode"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.side} {self.symbol} ({self.mode}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.OPEN)


class TradeOrder(models.Model):
    """One order sent (or to be sent) for a trade, under its own deterministic client order id."""

    class Role(models.TextChoices):
        ENTRY = "ENTRY", "Entry"
        STOP = "STOP", "Stop-loss"
        TP1 = "TP1", "Take-profit 1"
        TP2 = "TP2", "Take-profit 2"
        CLOSE = "CLOSE", "Close"

    trade = models.ForeignKey(Trade, on_delete=models.CASCADE, related_name="orders")
    role = models.CharField(max_length=5, choices=Role.choices)
    side = models.CharField(max_length=4)  # buy | sell
    type = models.CharField(max_length=20, default="market")
    client_order_id = models.CharField(max_length=40, unique=True)
    exchange_order_id = models.CharField(max_length=64, blank=True)
    amount = models.DecimalField(**SIZE)
    trigger_price = models.DecimalField(**PRICE, null=True, blank=True)
    status = models.CharField(max_length=12, default="pending")  # pending | open | closed | canceled | failed
    filled = models.DecimalField(**SIZE, default=0)
    average_price = models.DecimalField(**PRICE, null=True, blank=True)
    fee = models.DecimalField(**AMOUNT, default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role} {self.side} {self.amount} ({self.status})"


class TradingControl(models.Model):
    """The staff's global pause (one row): while on, no trade is opened for anyone; closes still work."""

    paused = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "Trading paused" if self.paused else "Trading running"


class DailyEquity(models.Model):
    """Equity at the start of a UTC day, per user and mode: the base of the daily loss limit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="daily_equity")
    mode = models.CharField(max_length=5, choices=Mode.choices)
    day = models.DateField()
    equity = models.DecimalField(**AMOUNT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "mode", "day"], name="trading_dailyequity_unique")]

    def __str__(self) -> str:
        return f"{self.user} {self.mode} {self.day}: {self.equity}"
