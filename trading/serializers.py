"""Shapes of the trading API: signals, sniper alerts, backtests (and their parameters)."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from market.sources import TIMEFRAMES
from trading.engine import SETUPS
from trading.models import Backtest, Direction, Signal, SniperAlert
from trading.selectors import backtest_queue_position, signal_calibration
from trading.services.backtests import PARAMETERS, Parameter
from trading.services.explain import setup_label


class SignalFilterSerializer(serializers.Serializer):
    symbol = serializers.CharField(required=False, help_text="e.g. BTC/USDT:USDT (or BTC).")
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES, required=False)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    min_confidence = serializers.IntegerField(min_value=0, max_value=100, required=False)
    setup = serializers.ChoiceField(choices=SETUPS, required=False)
    since = serializers.DateTimeField(required=False, help_text="Signals on candles opening at or after this.")
    executable = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only auto-executable signals (what the Signals page shows by default); false (default): all.",
    )


class SignalSerializer(serializers.ModelSerializer):
    """A signal with its levels, expected R after costs, evidence at creation, outcome and verdict.

    ``r_tp1_net``, ``r_tp2_net`` and ``distance_pct`` are set on the rows by ``trading.signal_figures.annotate``
    (the views call it once per page: one cache read for the prices)."""

    known_at = serializers.DateTimeField(read_only=True, help_text="The close of the signal's candle.")
    setup_label = serializers.SerializerMethodField()
    auto_executable = serializers.BooleanField(
        read_only=True,
        help_text="Live, confidence strictly above FLAXU_SIGNAL_MIN_CONFIDENCE and positive out-of-sample mean R "
        "after costs over at least FLAXU_EVIDENCE_MIN_SAMPLES outcomes (`verdict` says why or why not).",
    )
    verdict = serializers.CharField(source="verdict.reason", read_only=True, help_text="Why it is or is not.")
    risk_reward = serializers.ListField(
        child=serializers.FloatField(), read_only=True, help_text="Reward over risk at TP1 and TP2, e.g. [2.0, 3.0]."
    )
    r_tp1_net = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Expected R at TP1 after taker fees both ways and slippage."
    )
    r_tp2_net = serializers.FloatField(read_only=True, allow_null=True, help_text="The same at TP2.")
    evidence_text = serializers.CharField(read_only=True, help_text="e.g. '54 % (41\u201366 %), n=62'.")
    distance_pct = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="The current price relative to the entry, in percent (+: above); null without a cached price.",
    )
    url = serializers.SerializerMethodField(help_text="The signal's page (chart and reasons).")

    class Meta:
        model = Signal
        fields = [
            "id", "exchange", "symbol", "timeframe", "bar_time", "known_at", "historical", "direction", "setup",
            "setup_label", "entry", "stop_loss", "take_profit_1", "take_profit_2", "risk_reward", "r_tp1_net",
            "r_tp2_net", "confidence", "auto_executable", "verdict", "evidence_rate", "evidence_low",
            "evidence_high", "evidence_n", "evidence_mean_r", "evidence_class", "evidence_level", "evidence_text",
            "outcome", "outcome_at", "outcome_r", "distance_pct", "created_at", "url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_setup_label(self, signal: Signal) -> str:
        return setup_label(signal.setup)

    def get_url(self, signal: Signal) -> str:
        return reverse("signal_detail", args=[signal.pk])


class SignalEventSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="ob, mb, breaker, fvg, bos, choch, pivot_high, sweep, ... (events.py).")
    scope = serializers.CharField(help_text="swing, internal or empty.")
    direction = serializers.IntegerField(help_text="+1 bullish / -1 bearish (pivots and pools: the side).")
    time = serializers.DateTimeField(help_text="The candle the pattern is anchored on.")
    confirmed_time = serializers.DateTimeField(help_text="The candle at whose close it became known.")
    end_time = serializers.DateTimeField(allow_null=True, help_text="Zones: when it ended, if before the signal.")
    top = serializers.FloatField(allow_null=True)
    bottom = serializers.FloatField(allow_null=True)
    level = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    role = serializers.ChoiceField(choices=["trigger", "reason", "context"])


class CalibrationSerializer(serializers.Serializer):
    sentence = serializers.CharField()
    bucket = serializers.CharField(help_text="Confidence bucket, e.g. 75-80.")
    cases = serializers.IntegerField()
    tp1_hits = serializers.IntegerField()
    hit_rate = serializers.FloatField(allow_null=True)
    reliable = serializers.BooleanField(help_text="At least 30 cases.")


class SignalDetailSerializer(SignalSerializer):
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why, in words.")
    events = SignalEventSerializer(many=True, help_text="Zones, sweeps and breaks behind the signal, for a chart.")
    calibration = serializers.SerializerMethodField()

    class Meta(SignalSerializer.Meta):
        fields = [*SignalSerializer.Meta.fields, "reasons", "events", "calibration"]
        read_only_fields = fields

    @extend_schema_field(CalibrationSerializer)
    def get_calibration(self, signal: Signal) -> dict:
        lookup = signal_calibration(signal)
        rate = lookup.hit_rate
        return {
            "sentence": lookup.sentence,
            "bucket": lookup.bucket,
            "cases": lookup.cases,
            "tp1_hits": lookup.tp1_hits,
            "hit_rate": None if rate != rate else rate,  # NaN: no cases
            "reliable": lookup.reliable,
        }


class SniperFilterSerializer(serializers.Serializer):
    symbol = serializers.CharField(required=False)
    move = serializers.ChoiceField(choices=SniperAlert.Move.choices, required=False)
    since = serializers.DateTimeField(required=False)


class SniperAlertSerializer(serializers.ModelSerializer):
    class Meta:
        model = SniperAlert
        fields = [
            "id", "exchange", "symbol", "time", "move", "change_pct", "cleared_pct", "direction", "entry",
            "stop_loss", "take_profit", "origin_price", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


def _parameter_field(p: Parameter) -> serializers.Field:
    common = {"required": False, "help_text": f"{p.label}. {p.help}".strip() + f" Default {p.initial()!r}."}
    if p.choices:
        return serializers.ChoiceField(choices=p.choices, **common)
    if p.kind is bool:
        return serializers.BooleanField(**common)
    bounds = {"min_value": p.minimum, "max_value": p.maximum}
    if p.kind is int:
        return serializers.IntegerField(**bounds, **common)
    return serializers.FloatField(**bounds, **common)


class _ParametersBase(serializers.Serializer):
    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - {p.name for p in PARAMETERS})
            if unknown:
                raise serializers.ValidationError(
                    f"Unknown parameter(s): {', '.join(unknown)}. Known: {', '.join(p.name for p in PARAMETERS)}."
                )
        return super().to_internal_value(data)


# One field per backtest parameter (trading.services.backtests.PARAMETERS), so the form and the API agree.
BacktestParametersSerializer = type(
    "BacktestParametersSerializer",
    (_ParametersBase,),
    {
        "__doc__": "Every field optional; the defaults are the live engine's and BingX-like costs.",
        "__module__": __name__,
        **{p.name: _parameter_field(p) for p in PARAMETERS},
    },
)


class BacktestCreateSerializer(serializers.Serializer):
    symbol = serializers.CharField(max_length=40, help_text="A followed perpetual, e.g. BTC/USDT:USDT (or BTC).")
    timeframe = serializers.ChoiceField(choices=TIMEFRAMES)
    start = serializers.DateTimeField(help_text="First candle's open time (UTC).")
    end = serializers.DateTimeField(help_text="Candles opening before this time (UTC).")
    parameters = BacktestParametersSerializer(required=False)


class BacktestSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The backtest's page.")
    effective_start = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Where stored candles begin inside the period (what is tested)."
    )
    effective_end = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Where stored candles end inside the period (what is tested)."
    )
    partial = serializers.BooleanField(read_only=True, help_text="Candles cover only part of the requested period.")
    queue_position = serializers.SerializerMethodField(
        help_text="While queued: its place among all queued backtests (1: starts next); null once running."
    )

    class Meta:
        model = Backtest
        fields = [
            "id", "exchange", "symbol", "timeframe", "start", "end", "effective_start", "effective_end", "partial",
            "status", "progress", "queue_position", "error", "candles", "signals", "created_at", "started_at",
            "finished_at", "url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_url(self, backtest: Backtest) -> str:
        return reverse("backtest_detail", args=[backtest.pk])

    def get_queue_position(self, backtest: Backtest) -> int | None:
        return backtest_queue_position(backtest)


class BacktestDetailSerializer(BacktestSerializer):
    parameters = serializers.DictField(help_text="Every parameter used (defaults filled in).")
    stats = serializers.DictField(
        help_text="trades, wins, losses, win_rate, profit_factor (null with no losing trade), expectancy, "
        "expectancy_r, net_pnl, fees, funding, final_equity, total_return, max_drawdown, sharpe, exposure, ..."
    )
    equity = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        help_text="Equity curve at candle closes, downsampled: [[epoch seconds, equity], ...].",
    )
    calibration = serializers.ListField(
        child=serializers.DictField(), help_text="TP1 hit rate per setup and confidence bucket."
    )
    trades_count = serializers.SerializerMethodField()
    trades_csv = serializers.SerializerMethodField(help_text="Download the trades as CSV.")

    class Meta(BacktestSerializer.Meta):
        fields = [
            *BacktestSerializer.Meta.fields,
            "parameters",
            "stats",
            "equity",
            "calibration",
            "trades_count",
            "trades_csv",
        ]
        read_only_fields = fields

    def get_trades_count(self, backtest: Backtest) -> int:
        return backtest.trades.count()

    def get_trades_csv(self, backtest: Backtest) -> str:
        return reverse("api_backtest_trades_csv", args=[backtest.pk])
