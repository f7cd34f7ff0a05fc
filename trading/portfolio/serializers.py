"""Shapes of the Portfolio API: trades, positions with live PnL, orders, wallet, balances by coin, transfers,
performance.

Money is a Decimal as a string; rates and R are floats (null when there is nothing to compute them from)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from trading.models import Backtest, Mode, SignalType, Trade, TradeOrder
from trading.models.fields import to_decimal

# Both "status" choice sets named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (backtests' keep StatusEnum).
TRADE_STATUS = Trade.Status
BACKTEST_STATUS = Backtest.Status
MONEY = {"max_digits": None, "decimal_places": None, "read_only": True}


class ModeQuerySerializer(serializers.Serializer):
    mode = serializers.ChoiceField(
        choices=Mode.choices, required=False, help_text="paper or live; default: your trading mode (else paper)."
    )


class HistoryFilterSerializer(ModeQuerySerializer):
    status = serializers.ChoiceField(choices=Trade.Status.choices, required=False)
    signal_type = serializers.ChoiceField(choices=SignalType.choices, required=False)
    symbol = serializers.CharField(required=False, max_length=40, help_text="e.g. BTC/USDT:USDT (or BTC).")
    since = serializers.DateTimeField(required=False, help_text="Trades created at or after this.")
    until = serializers.DateTimeField(required=False, help_text="Trades created before this.")

    def validate(self, data):
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise serializers.ValidationError({"until": ["Must be after since."]})
        return data


class PerformanceFilterSerializer(ModeQuerySerializer):
    since = serializers.DateTimeField(required=False, help_text="Trades closed at or after this.")
    until = serializers.DateTimeField(required=False, help_text="Trades closed before this.")

    def validate(self, data):
        if data.get("since") and data.get("until") and data["until"] <= data["since"]:
            raise serializers.ValidationError({"until": ["Must be after since."]})
        return data


class TransfersFilterSerializer(ModeQuerySerializer):
    since = serializers.DateTimeField(required=False, help_text="Default: 90 days ago.")


class TradeSerializer(serializers.ModelSerializer):
    close_reason = serializers.ChoiceField(
        choices=Trade.CloseReason.choices, allow_blank=True, read_only=True, help_text="Empty until it closes."
    )

    class Meta:
        model = Trade
        fields = [
            "id", "mode", "signal_type", "signal", "sniper_alert", "exchange", "symbol", "side", "status",
            "confidence", "reward_target", "entry_price", "exit_price", "stop_loss", "take_profit", "take_profit_2",
            "size", "remaining", "leverage", "risk_amount", "equity_at_entry", "fees", "funding", "pnl", "pnl_pct",
            "r_multiple", "close_reason", "failure_reason", "exchange_order_id", "client_order_id", "created_at",
            "opened_at", "closed_at",
        ]  # fmt: skip
        read_only_fields = fields


class PositionSerializer(TradeSerializer):
    """An OPEN trade with its live PnL from the cached ticker (``price_stale``: the ticker is old or missing)."""

    last_price = serializers.DecimalField(**MONEY, allow_null=True)
    price_stale = serializers.BooleanField(read_only=True)
    unrealized_pnl = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="(last - entry) x remaining, negated for shorts; before the closing fee."
    )
    unrealized_r = serializers.DecimalField(**MONEY, allow_null=True, help_text="Unrealised PnL over the risk.")
    margin = serializers.DecimalField(**MONEY, help_text="Entry x remaining / leverage.")

    class Meta(TradeSerializer.Meta):
        fields = [*TradeSerializer.Meta.fields, "last_price", "price_stale", "unrealized_pnl", "unrealized_r", "margin"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    trade = serializers.PrimaryKeyRelatedField(read_only=True)
    symbol = serializers.CharField(source="trade.symbol", read_only=True)

    class Meta:
        model = TradeOrder
        fields = [
            "id", "trade", "symbol", "role", "side", "type", "client_order_id", "exchange_order_id", "amount",
            "trigger_price", "status", "filled", "average_price", "fee", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class WalletSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Mode.choices, read_only=True)
    available = serializers.BooleanField(read_only=True, help_text="false: BingX (or your key) cannot be read now.")
    reason = serializers.CharField(read_only=True, help_text="Why not available (empty when it is).")
    currency = serializers.CharField(read_only=True)
    balance = serializers.DecimalField(**MONEY, allow_null=True, help_text="Cash: deposits and realised PnL.")
    equity = serializers.DecimalField(**MONEY, allow_null=True, help_text="Balance plus unrealised PnL.")
    free = serializers.DecimalField(**MONEY, allow_null=True, help_text="Available margin.")
    used_margin = serializers.DecimalField(**MONEY, allow_null=True)
    unrealized_pnl = serializers.DecimalField(**MONEY, allow_null=True)
    initial_balance = serializers.DecimalField(**MONEY, allow_null=True, help_text="Paper: what it started with.")
    reset_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Paper: last reset.")


BALANCE_ACCOUNTS = [
    ("swap", "BingX perpetual futures (USDT-M)"),
    ("spot", "BingX spot"),
    ("funding", "BingX funding"),
    (Mode.PAPER, "Paper wallet"),
]


class CoinBalanceSerializer(serializers.Serializer):
    account = serializers.ChoiceField(choices=BALANCE_ACCOUNTS, read_only=True)
    coin = serializers.CharField(read_only=True)
    free = serializers.DecimalField(**MONEY)
    used = serializers.DecimalField(**MONEY, help_text="Margin, frozen or locked in orders.")
    total = serializers.DecimalField(**MONEY, help_text="Free plus used; the swap account's is its equity.")
    usdt_value = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="total at the cached BingX price in USDT; null without a price."
    )


class BalanceAccountSerializer(serializers.Serializer):
    account = serializers.ChoiceField(choices=BALANCE_ACCOUNTS, read_only=True)
    available = serializers.BooleanField(read_only=True, help_text="false: BingX refused or did not answer.")
    reason = serializers.CharField(read_only=True, help_text="Why not available (empty when it is).")


class WalletBalanceSerializer(WalletSerializer):
    """The wallet and, beside it, every non-zero coin (live: BingX swap, spot and funding; paper: its USDT)."""

    balances = CoinBalanceSerializer(many=True, read_only=True, help_text="Non-zero coins, one row per account.")
    balance_accounts = BalanceAccountSerializer(
        many=True, read_only=True, help_text="Each account read; one BingX refuses is listed unavailable."
    )


class TransferSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["deposit", "withdrawal"], read_only=True)
    currency = serializers.CharField(read_only=True)
    amount = serializers.DecimalField(**MONEY)
    status = serializers.CharField(read_only=True)
    time = serializers.DateTimeField(read_only=True, allow_null=True)
    tx_id = serializers.CharField(read_only=True, allow_null=True)
    network = serializers.CharField(read_only=True, allow_null=True)
    fee = serializers.DecimalField(**MONEY, allow_null=True)


class TransfersSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Mode.choices, read_only=True)
    available = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True)
    since = serializers.DateTimeField(read_only=True, allow_null=True)
    results = TransferSerializer(many=True, read_only=True, source="items", help_text="Newest first. Read only.")


class AllocationSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True, help_text="A symbol (its positions' margin) or the free USDT.")
    value = serializers.DecimalField(**MONEY)
    share = serializers.FloatField(read_only=True, help_text="Of the total, 0-1.")


class PortfolioSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Mode.choices, read_only=True)
    total_value = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="The wallet's equity; null when BingX cannot be read."
    )
    change_24h = serializers.DecimalField(**MONEY, help_text="Net realised PnL of trades closed in the last 24 h.")
    change_24h_pct = serializers.FloatField(
        read_only=True, allow_null=True, help_text="change_24h over (total_value - change_24h), as a fraction."
    )
    wallet = WalletSerializer(read_only=True)
    balances = CoinBalanceSerializer(
        many=True, read_only=True, source="balances.rows", help_text="Non-zero coins, one row per account."
    )
    balance_accounts = BalanceAccountSerializer(
        many=True, read_only=True, source="balances.accounts", help_text="Each account read, available or why not."
    )
    allocation = AllocationSerializer(many=True, read_only=True)
    positions = PositionSerializer(many=True, read_only=True)
    orders = OrderSerializer(many=True, read_only=True)


class EngineMoneyField(serializers.DecimalField):
    """An engine's float amount as a Decimal string with the stored 8 places (converted at the edge)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=None, decimal_places=8, read_only=True, **kwargs)

    def to_representation(self, value):
        amount = to_decimal(value, 8)
        return None if amount is None else super().to_representation(amount)


class FiguresSerializer(serializers.Serializer):
    n = serializers.IntegerField(read_only=True, help_text="Closed trades counted.")
    wins = serializers.IntegerField(read_only=True)
    losses = serializers.IntegerField(read_only=True)
    net_pnl = EngineMoneyField()
    gross_profit = EngineMoneyField()
    gross_loss = EngineMoneyField()
    roi = serializers.FloatField(read_only=True, allow_null=True, help_text="Net PnL over the initial equity.")
    win_rate = serializers.FloatField(read_only=True, allow_null=True)
    avg_r = serializers.FloatField(read_only=True, allow_null=True, help_text="Mean R of the r_n trades with one.")
    r_n = serializers.IntegerField(read_only=True)
    profit_factor = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Gross profit / gross loss; null without a losing trade."
    )
    profit_factor_unbounded = serializers.BooleanField(read_only=True, help_text="true: no losing trade at all.")
    max_drawdown = serializers.FloatField(read_only=True, help_text="Fraction of the running peak.")
    max_drawdown_abs = EngineMoneyField(help_text="The same fall in USDT.")
    initial_equity = EngineMoneyField(allow_null=True)
    final_equity = EngineMoneyField(allow_null=True)


class ExpectationSerializer(serializers.Serializer):
    n = serializers.IntegerField(read_only=True, help_text="Closed ICT trades whose signal had evidence.")
    expected_mean_r = serializers.FloatField(read_only=True, allow_null=True, help_text="Mean evidence_mean_r.")
    expected_rate = serializers.FloatField(read_only=True, allow_null=True, help_text="Mean evidence_rate (TP1).")
    evidence_n_min = serializers.IntegerField(read_only=True, allow_null=True)
    realised_mean_r = serializers.FloatField(read_only=True, allow_null=True)
    realised_win_rate = serializers.FloatField(read_only=True, allow_null=True)


class PerformanceSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Mode.choices, read_only=True)
    initial_equity = serializers.DecimalField(**MONEY, allow_null=True)
    since = serializers.DateTimeField(read_only=True, allow_null=True)
    until = serializers.DateTimeField(read_only=True, allow_null=True)
    overall = FiguresSerializer(source="result.overall", read_only=True)
    by_strategy = serializers.DictField(child=FiguresSerializer(), source="result.by_strategy", read_only=True)
    by_symbol = serializers.DictField(child=FiguresSerializer(), source="result.by_symbol", read_only=True)
    expectation = ExpectationSerializer(source="result.expectation", read_only=True)
    equity_curve = serializers.SerializerMethodField(help_text="[[epoch seconds, equity], ...] after each close.")

    @extend_schema_field(serializers.ListField(child=serializers.ListField(child=serializers.FloatField())))
    def get_equity_curve(self, report) -> list:
        return [[t, v] for t, v in report.result.equity_curve]
