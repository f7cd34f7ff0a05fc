"""Shapes of the market API: query parameters in, widget payloads out (also the OpenAPI schema).

Widget payloads come from ``market.services.intel`` as plain JSON values and pass through these
serializers on the way out, so the documented shape is the shape served. Prices in tickers and
candles are decimal strings (as the exchanges report them); computed widget figures are numbers.
"""

from __future__ import annotations

from rest_framework import serializers

from market.models import PriceAlert
from market.services.intel import TOP_SORTS
from market.timeframes import TIMEFRAMES

TOP_COINS_MAX_PER_PAGE = 250
CANDLES_MAX_LIMIT = 1000
CANDLES_DEFAULT_LIMIT = 300


def _decimal(**kwargs) -> serializers.DecimalField:
    """A decimal string exactly as stored/reported (no fixed number of places)."""
    return serializers.DecimalField(max_digits=None, decimal_places=None, **kwargs)


class FreshnessSerializer(serializers.Serializer):
    """Where a widget's data came from and whether it is stale (every widget carries these)."""

    source = serializers.CharField(allow_null=True, help_text="Where the data came from.")
    stale_since = serializers.DateTimeField(
        allow_null=True, help_text="Since when the data is stale (last good data is shown); null when fresh."
    )
    updated_at = serializers.DateTimeField(allow_null=True)
    demo = serializers.BooleanField(help_text="True in replay mode (simulated data, shown as DEMO).")


# --- query parameters -------------------------------------------------------------------------------


class SymbolQuerySerializer(serializers.Serializer):
    symbol = serializers.CharField(max_length=40, help_text="ccxt perpetual symbol, e.g. BTC/USDT:USDT.")

    def validate_symbol(self, value: str) -> str:
        universe = self.context.get("universe") or []
        if value not in universe:
            raise serializers.ValidationError(f"Unknown symbol {value!r}; use one of the followed perpetuals.")
        return value


class TickersQuerySerializer(serializers.Serializer):
    exchange = serializers.CharField(required=False, max_length=20, help_text="One exchange (ccxt id); default all.")
    symbol = serializers.CharField(required=False, max_length=40, help_text="One symbol; default all followed.")

    def validate_exchange(self, value: str) -> str:
        if value not in (self.context.get("exchanges") or []):
            raise serializers.ValidationError(
                f"Unknown exchange {value!r}; expected one of {', '.join(self.context.get('exchanges') or [])}."
            )
        return value

    validate_symbol = SymbolQuerySerializer.validate_symbol


class CandlesQuerySerializer(SymbolQuerySerializer):
    timeframe = serializers.ChoiceField(
        choices=list(TIMEFRAMES),
        error_messages={"invalid_choice": f"Unknown timeframe {{input!r}}; expected one of {', '.join(TIMEFRAMES)}."},
    )
    limit = serializers.IntegerField(
        required=False,
        default=CANDLES_DEFAULT_LIMIT,
        min_value=1,
        max_value=CANDLES_MAX_LIMIT,
        help_text=f"How many of the latest candles (1-{CANDLES_MAX_LIMIT}).",
    )


class TopCoinsQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, default=1, min_value=1)
    per_page = serializers.IntegerField(required=False, default=50, min_value=1, max_value=TOP_COINS_MAX_PER_PAGE)
    sort = serializers.ChoiceField(
        choices=[*TOP_SORTS, *(f"-{key}" for key in TOP_SORTS)],
        required=False,
        default="rank",
        help_text=f"{', '.join(TOP_SORTS)}; prefix '-' for descending.",
        error_messages={
            "invalid_choice": f"Unknown sort {{input!r}}; expected one of {', '.join(TOP_SORTS)}, optionally with '-'."
        },
    )
    q = serializers.CharField(required=False, default="", allow_blank=True, max_length=40, help_text="Symbol or name.")


# --- source and tickers -----------------------------------------------------------------------------


class SourceInfoSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="live or replay.")
    is_demo = serializers.BooleanField()
    now = serializers.DateTimeField(help_text="The source's clock (replay time in the replay).")
    detail = serializers.CharField()
    exchanges = serializers.ListField(child=serializers.CharField())
    symbols = serializers.ListField(child=serializers.CharField(), help_text="The followed perpetuals.")
    candle_exchange = serializers.CharField(help_text="Whose candles are stored and charted.")
    timeframes = serializers.ListField(child=serializers.CharField())


class TickerSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    last = _decimal(allow_null=True)
    bid = _decimal(allow_null=True)
    ask = _decimal(allow_null=True)
    change_percent = _decimal(allow_null=True, help_text="24 h change in percent.")
    base_volume = _decimal(allow_null=True)
    quote_volume = _decimal(allow_null=True)
    time = serializers.DateTimeField(allow_null=True)


class ExchangeTickersSerializer(serializers.Serializer):
    exchange = serializers.CharField()
    updated_at = serializers.DateTimeField(allow_null=True)
    stale_since = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(allow_null=True)
    tickers = TickerSerializer(many=True)


class TickersSerializer(FreshnessSerializer):
    exchanges = ExchangeTickersSerializer(many=True)


# --- candles ------------------------------------------------------------------------------------------


class CandleSerializer(serializers.Serializer):
    time = serializers.DateTimeField(help_text="Open time (UTC).")
    open = _decimal()
    high = _decimal()
    low = _decimal()
    close = _decimal()
    volume = _decimal()
    closed = serializers.BooleanField(help_text="False for the candle still forming.")


class CandlesSerializer(FreshnessSerializer):
    exchange = serializers.CharField()
    symbol = serializers.CharField()
    timeframe = serializers.CharField()
    stored = serializers.IntegerField(help_text="How many candles came from FLAXU's store (the rest from the source).")
    candles = CandleSerializer(many=True)


# --- funding, long/short, open interest ---------------------------------------------------------------


class FundingQuoteSerializer(serializers.Serializer):
    rate_pct = serializers.FloatField(help_text="Funding rate per interval, percent.")
    interval_hours = serializers.FloatField()
    annualized_pct = serializers.FloatField()
    next_funding_time = serializers.DateTimeField(allow_null=True)


class FundingRowSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    spread_pct = serializers.FloatField(allow_null=True, help_text="Widest annualized spread between exchanges.")
    quotes = serializers.DictField(child=FundingQuoteSerializer(allow_null=True), help_text="By exchange.")


class FundingSerializer(FreshnessSerializer):
    exchanges = serializers.ListField(child=serializers.CharField())
    rows = FundingRowSerializer(many=True)
    formula = serializers.CharField()


class LongShortExchangeSerializer(serializers.Serializer):
    exchange = serializers.CharField()
    offered = serializers.BooleanField(help_text="False where the exchange publishes no ratio (BingX).")
    stale_since = serializers.DateTimeField(allow_null=True)


class LongShortRatioSerializer(serializers.Serializer):
    ratio = serializers.FloatField(help_text="Accounts long / accounts short.")
    long_pct = serializers.FloatField()
    short_pct = serializers.FloatField()
    time = serializers.DateTimeField(allow_null=True)


class LongShortRowSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    ratios = serializers.DictField(child=LongShortRatioSerializer(allow_null=True), help_text="By exchange.")


class LongShortSerializer(FreshnessSerializer):
    exchanges = LongShortExchangeSerializer(many=True)
    rows = LongShortRowSerializer(many=True)
    not_offered_label = serializers.CharField()


class OpenInterestQuoteSerializer(serializers.Serializer):
    amount = serializers.FloatField(allow_null=True, help_text="Contracts in base units.")
    value = serializers.FloatField(allow_null=True, help_text="USDT.")
    time = serializers.DateTimeField(allow_null=True)


class OpenInterestRowSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    total_value = serializers.FloatField(help_text="USDT over every exchange.")
    by_exchange = serializers.DictField(child=OpenInterestQuoteSerializer(allow_null=True))


class OpenInterestSerializer(FreshnessSerializer):
    exchanges = serializers.ListField(child=serializers.CharField())
    rows = OpenInterestRowSerializer(many=True)


# --- arbitrage ------------------------------------------------------------------------------------------


class ArbitrageRowSerializer(serializers.Serializer):
    symbol = serializers.CharField()
    buy_exchange = serializers.CharField()
    sell_exchange = serializers.CharField()
    buy_price = serializers.FloatField(help_text="Best ask on the buy venue.")
    sell_price = serializers.FloatField(help_text="Best bid on the sell venue.")
    buy_fee_pct = serializers.FloatField()
    sell_fee_pct = serializers.FloatField()
    gross_pct = serializers.FloatField(help_text="Top-of-book spread before fees.")
    net_pct = serializers.FloatField(help_text="Top-of-book spread after both taker fees.")
    executable_size = serializers.FloatField(help_text="Base units executable at a net spread >= the threshold.")
    executable_notional = serializers.FloatField(help_text="USDT spent buying that size.")
    profit = serializers.FloatField(help_text="Estimated USDT profit on that size after fees.")
    avg_net_pct = serializers.FloatField(allow_null=True)
    is_opportunity = serializers.BooleanField()


class ArbitrageSerializer(FreshnessSerializer):
    rows = ArbitrageRowSerializer(many=True)
    opportunities = serializers.IntegerField()
    min_net_pct = serializers.FloatField()
    exchanges = serializers.ListField(child=serializers.CharField())
    symbols = serializers.IntegerField(help_text="Symbols quoted on two or more exchanges.")
    note = serializers.CharField()


# --- liquidation heatmap ------------------------------------------------------------------------------


def _bin() -> serializers.ListField:
    return serializers.ListField(child=serializers.FloatField(), help_text="[bin low price, long USDT, short USDT]")


class HeatmapColumnSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    bins = serializers.ListField(child=_bin())


class LiquidationEventSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    exchange = serializers.CharField()
    side = serializers.CharField(help_text="The liquidated position: long or short.")
    price = serializers.FloatField()
    amount = serializers.FloatField()
    value = serializers.FloatField()


class SweptSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    side = serializers.CharField()
    price = serializers.FloatField()
    amount = serializers.FloatField()


class HeatmapModelSerializer(serializers.Serializer):
    description = serializers.CharField()
    leverage_tiers = serializers.ListField(child=serializers.FloatField())
    tier_weights = serializers.ListField(child=serializers.FloatField())
    maintenance_margin = serializers.FloatField()


class LiquidationBucketSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    long_usd = serializers.FloatField()
    short_usd = serializers.FloatField()


class AggregatedLiquidationsSerializer(serializers.Serializer):
    buckets = LiquidationBucketSerializer(many=True, help_text="Hourly liquidated USD (Binance, OKX, Bybit).")
    source = serializers.CharField(allow_null=True)
    stale_since = serializers.DateTimeField(allow_null=True)


class HeatmapSerializer(FreshnessSerializer):
    symbol = serializers.CharField()
    price = serializers.FloatField(allow_null=True)
    bin_width = serializers.FloatField(allow_null=True)
    bins = serializers.ListField(child=_bin(), help_text="Estimated liquidation levels now, within ±25 % of price.")
    columns = HeatmapColumnSerializer(many=True, help_text="The same over time, newest last.")
    events = serializers.ListField(child=_bin(), help_text="Real liquidations of the last 24 h, binned.")
    recent_events = LiquidationEventSerializer(many=True)
    swept = SweptSerializer(many=True)
    cleared_share = serializers.DictField(child=serializers.FloatField(allow_null=True))
    observed_at = serializers.DateTimeField(allow_null=True, required=False)
    model = HeatmapModelSerializer()
    aggregated = AggregatedLiquidationsSerializer(
        allow_null=True, help_text="Reported liquidations from Coinglass (live mode with COINGLASS_API_KEY only)."
    )


# --- indices and the top list -------------------------------------------------------------------------


class FearGreedPointSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    value = serializers.IntegerField()
    classification = serializers.CharField()


class FearGreedSerializer(FreshnessSerializer):
    value = serializers.IntegerField(allow_null=True, help_text="0 (extreme fear) to 100 (extreme greed).")
    classification = serializers.CharField(allow_null=True)
    time = serializers.DateTimeField(allow_null=True)
    next_update = serializers.DateTimeField(allow_null=True)
    history = FearGreedPointSerializer(many=True, help_text="30 days, oldest first.")
    errors = serializers.ListField(child=serializers.CharField())


class AltcoinWindowSerializer(serializers.Serializer):
    index = serializers.IntegerField(allow_null=True)
    label = serializers.CharField(allow_null=True)
    beat = serializers.IntegerField(help_text="Coins that beat BTC over the window.")
    counted = serializers.IntegerField(help_text="Coins with enough daily candles to count.")
    bitcoin_return_pct = serializers.FloatField(allow_null=True)
    returns_pct = serializers.DictField(child=serializers.FloatField(allow_null=True))
    missing = serializers.ListField(child=serializers.CharField())


class AltcoinSeasonSerializer(FreshnessSerializer):
    index = serializers.IntegerField(allow_null=True, help_text="90-day index, 0-100.")
    label = serializers.CharField(allow_null=True)
    index_30d = serializers.IntegerField(allow_null=True)
    label_30d = serializers.CharField(allow_null=True)
    windows = serializers.DictField(child=AltcoinWindowSerializer(), help_text='"90" and "30" (days).')
    universe = serializers.ListField(child=serializers.CharField())
    excluded = serializers.DictField(child=serializers.CharField(), help_text="Symbol → why it is not counted.")
    ranked_by = serializers.CharField()
    candles = serializers.CharField()
    thresholds = serializers.DictField(child=serializers.IntegerField())


class CoinSerializer(serializers.Serializer):
    id = serializers.CharField()
    symbol = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    image = serializers.CharField(allow_null=True)
    price = serializers.FloatField(allow_null=True)
    market_cap = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    volume_24h = serializers.FloatField(allow_null=True)
    high_24h = serializers.FloatField(allow_null=True)
    low_24h = serializers.FloatField(allow_null=True)
    change_24h_pct = serializers.FloatField(allow_null=True)
    change_7d_pct = serializers.FloatField(allow_null=True)
    circulating_supply = serializers.FloatField(allow_null=True)
    last_updated = serializers.DateTimeField(allow_null=True)
    live = serializers.BooleanField(help_text="Price and 24 h change come from the exchanges' live tickers.")


class TopCoinsSerializer(FreshnessSerializer):
    results = CoinSerializer(many=True)
    page = serializers.IntegerField()
    per_page = serializers.IntegerField()
    pages = serializers.IntegerField()
    total = serializers.IntegerField()
    sort = serializers.CharField()
    query = serializers.CharField(allow_blank=True)
    fetched_at = serializers.DateTimeField(allow_null=True)
    errors = serializers.ListField(child=serializers.CharField())


# --- price alerts ---------------------------------------------------------------------------------------


class PriceAlertSerializer(serializers.ModelSerializer):
    description = serializers.CharField(source="describe", read_only=True)
    active = serializers.BooleanField(source="is_active", read_only=True)
    price = _decimal(allow_null=True, read_only=True)
    percent = _decimal(allow_null=True, read_only=True)
    fired_price = _decimal(allow_null=True, read_only=True)
    reference_price = _decimal(allow_null=True, read_only=True)

    class Meta:
        model = PriceAlert
        fields = [
            "id",
            "exchange",
            "symbol",
            "condition",
            "price",
            "percent",
            "window_minutes",
            "note",
            "description",
            "active",
            "created_at",
            "fired_at",
            "fired_price",
            "reference_price",
        ]
        read_only_fields = fields


class PriceAlertCreateSerializer(serializers.Serializer):
    """Input only: the service validates the combination (and the symbol) and answers per field."""

    symbol = serializers.CharField(max_length=40)
    condition = serializers.ChoiceField(choices=PriceAlert.Condition.choices)
    price = serializers.DecimalField(
        max_digits=24, decimal_places=12, required=False, allow_null=True, help_text="above/below: the level."
    )
    percent = serializers.DecimalField(
        max_digits=6, decimal_places=2, required=False, allow_null=True, help_text="rise/fall: the move, percent."
    )
    window_minutes = serializers.IntegerField(
        required=False, allow_null=True, help_text="rise/fall: the window in minutes (1 to 10080)."
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=120, default="")
