"""Market models, one submodule per concern; import them from here (``from market.models import Candle``)."""

from market.models.candles import TIMEFRAME_SECONDS, Candle, Timeframe

# The price-alert models (market/models/alerts.py) are re-exported here by their author.

__all__ = ["TIMEFRAME_SECONDS", "Candle", "Timeframe"]
