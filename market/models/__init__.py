"""Market models, one submodule per concern; import them from here (``from market.models import Candle``)."""

from market.models.alerts import PriceAlert
from market.models.candles import TIMEFRAME_SECONDS, Candle, Timeframe

__all__ = ["TIMEFRAME_SECONDS", "Candle", "PriceAlert", "Timeframe"]
