"""Default beat schedules for market data; staff edit them in the admin afterwards.

The intervals are literals (a historical migration must not read settings or import code that changes):
half the default FLAXU_TTL_PRICES (10 s), a fifth of FLAXU_TTL_FUNDING (300 s) capped to 10..60 s,
half FLAXU_TTL_LIQUIDATIONS (30 s).
"""

from django.db import migrations

from core import beat

_PRICES = 5
_FUNDING = 60
_LIQUIDATIONS = 15

# name → (task, every, period, expire_seconds, description)
SCHEDULES = {
    "Market: refresh tickers": (
        "market.tasks.refresh.refresh_tickers",
        _PRICES,
        "seconds",
        _PRICES,
        "Tickers of every exchange into the cache, pushed to market.tickers and ticker.<symbol>.",
    ),
    "Market: refresh order books": (
        "market.tasks.refresh.refresh_order_books",
        2 * _PRICES,
        "seconds",
        2 * _PRICES,
        "Depth-20 books of the followed symbols, one task per exchange (arbitrage reads them).",
    ),
    "Market: refresh funding, open interest, long/short": (
        "market.tasks.refresh.refresh_derivatives",
        _FUNDING,
        "seconds",
        _FUNDING,
        "Funding rates, open interest and long/short ratios of every exchange.",
    ),
    "Market: refresh liquidations": (
        "market.tasks.refresh.refresh_liquidations",
        _LIQUIDATIONS,
        "seconds",
        _LIQUIDATIONS,
        "The last hour of liquidation events (replay; live events come from the providers' stream).",
    ),
    "Market: refresh markets and fees": (
        "market.tasks.refresh.refresh_markets",
        1,
        "hours",
        3600,
        "Markets with price/amount steps and taker fees (the arbitrage scanner's fees).",
    ),
    "Market: ingest closed candles": (
        "market.tasks.refresh.ingest_candles",
        10,
        "seconds",
        10,
        "Stores candles of every timeframe that closed on the source's clock, one task per symbol.",
    ),
    "Market: candle retention": (
        "market.tasks.refresh.prune_candles",
        1,
        "days",
        3600,
        "Deletes candles older than FLAXU_RETENTION_*_DAYS per timeframe.",
    ),
    "Market: repair candle gaps": (
        "market.tasks.refresh.repair_candles",
        1,
        "days",
        3600,
        "Looks for holes in every stored candle series and refills them from the source.",
    ),
}


class Migration(migrations.Migration):
    dependencies = [
        ("market", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [beat.operation(SCHEDULES)]
