"""Market models, one submodule per concern; import them from here (``from market.models import Candle``)."""

from market.models.alerts import PriceAlert
from market.models.candles import Candle, Timeframe

__all__ = ["Candle", "PriceAlert", "Timeframe"]
